# syntax=docker/dockerfile:1
# The processor image: builds the shaded app jar, runs it on a JRE.
#   docker build -t visionstream .                          # CPU libtorch
#   docker build --build-arg MAVEN_PROFILES=gpu -t visionstream:gpu .   # CUDA 12.4 libtorch
FROM maven:3.9.9-eclipse-temurin-17 AS build
ARG MAVEN_PROFILES=""
WORKDIR /src
# Poms first so the dependency download is a cached layer of its own.
COPY pom.xml ./
COPY schemas/pom.xml schemas/
COPY inference/pom.xml inference/
COPY topology/pom.xml topology/
RUN mvn -B -q -Dstyle.color=never ${MAVEN_PROFILES:+-P${MAVEN_PROFILES}} -pl topology -am dependency:go-offline -DexcludeReactor=true || true
COPY . .
RUN mvn -B -q -Dstyle.color=never ${MAVEN_PROFILES:+-P${MAVEN_PROFILES}} -pl topology -am -DskipTests package

FROM eclipse-temurin:17-jre
RUN useradd --system --create-home --home-dir /app vision
WORKDIR /app
COPY --from=build /src/topology/target/vision.jar /app/vision.jar
# The shipped demo model; compose points VISION_MODEL_DIR at it. Mount your own over /app/models.
COPY models/ /app/models/
USER vision
# libtorch is unpacked from the jar into ~/.djl.ai on first start; DJL must never try a download.
ENTRYPOINT ["java", "-Dai.djl.offline=true", "-Doffline=true", "-jar", "/app/vision.jar"]
CMD ["--help"]
