# syntax=docker/dockerfile:1
# Two images from one build:
#   processor (default target): the lean processor jar, `run` only: no broker, no test kit, no trainer.
#   tools: the full ./vision jar (produce, consume, verify, predict, demo, bench, train) for the stack's
#          synthetic producer and for operators.
#   docker build -t visionstream .                                      # CPU libtorch, processor
#   docker build --build-arg MAVEN_PROFILES=gpu -t visionstream:gpu .   # CUDA 12.4 libtorch, processor
#   docker build --target tools -t visionstream-tools .                 # the tool set
FROM maven:3.9.9-eclipse-temurin-17 AS build
ARG MAVEN_PROFILES=""
WORKDIR /src
# Poms first so the dependency download is a cached layer of its own.
COPY pom.xml ./
COPY schemas/pom.xml schemas/
COPY inference/pom.xml inference/
COPY testkit/pom.xml testkit/
COPY topology/pom.xml topology/
COPY training/pom.xml training/
COPY processor/pom.xml processor/
COPY app/pom.xml app/
RUN mvn -B -q -Dstyle.color=never ${MAVEN_PROFILES:+-P${MAVEN_PROFILES}} -pl app -am dependency:go-offline -DexcludeReactor=true || true
COPY . .
RUN mvn -B -q -Dstyle.color=never ${MAVEN_PROFILES:+-P${MAVEN_PROFILES}} -pl app -am -DskipTests package

FROM eclipse-temurin:17-jre AS tools
RUN useradd --system --create-home --home-dir /app vision
WORKDIR /app
COPY --from=build /src/app/target/vision.jar /app/vision.jar
COPY models/ /app/models/
USER vision
# glibc keeps freed tensor memory in the process (docs/performance.md, "The native allocator").
ENV GLIBC_TUNABLES=glibc.malloc.hugetlb=1:glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=4294967296
ENTRYPOINT ["java", "-Dai.djl.offline=true", "-Doffline=true", "-jar", "/app/vision.jar"]
CMD ["--help"]

# Last, so that a plain `docker build` gives the processor image.
FROM eclipse-temurin:17-jre AS processor
RUN useradd --system --create-home --home-dir /app vision
WORKDIR /app
COPY --from=build /src/processor/target/vision-processor.jar /app/vision-processor.jar
# The shipped demo model; compose points VISION_MODEL_DIR at it. Mount your own over /app/models.
COPY models/ /app/models/
USER vision
# glibc keeps freed tensor memory in the process (docs/performance.md, "The native allocator").
ENV GLIBC_TUNABLES=glibc.malloc.hugetlb=1:glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=4294967296
# /metrics, /healthz and /readyz (metrics.port).
EXPOSE 9464
# libtorch is unpacked from the jar into ~/.djl.ai on first start; DJL must never try a download.
ENTRYPOINT ["java", "-Dai.djl.offline=true", "-Doffline=true", "-jar", "/app/vision-processor.jar"]
CMD ["--help"]
