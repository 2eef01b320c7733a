package io.visionstream.topology.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.visionstream.schemas.registry.LocalSchemaRegistryServer;
import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.testkit.ScratchDirectories;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.processing.TestFrames;
import io.visionstream.topology.runtime.ProcessorInstance;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's registry double against a Confluent registry client that nobody on the team wrote: {@code
 * conformance/registry-node/roundtrip.mjs} runs {@code @kafkajs/confluent-schema-registry} with its default
 * options and {@code kafkajs}. It registers {@code Frame.avsc} under the input topic's subject, encodes JPEG
 * frames and produces them to a live processor on the embedded broker, and decodes every prediction,
 * embedding and mask (and dead letter) the processor publishes, fetching writer schemas from the registry.
 *
 * <p>Skipped, with the reason, where {@code node} or the script's {@code node_modules} are missing; {@code
 * .ci/run} installs both ({@code npm ci}) before {@code mvn verify}, so CI runs it.
 */
class RegistryClientConformanceIT {
    private static final Path PROJECT =
            Path.of("../conformance/registry-node").toAbsolutePath().normalize();
    private static final Path FRAME_SCHEMA =
            Path.of("../schemas/src/main/avro/Frame.avsc").toAbsolutePath().normalize();
    private static final int FRAMES = 20;
    private static final Duration NODE_TIMEOUT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aThirdPartyClientWithDefaultOptionsRegistersProducesAndDecodesEveryOutput(@TempDir Path dir) throws Exception {
        String node = nodeOrSkip();
        Assumptions.assumeTrue(
                Files.isDirectory(PROJECT.resolve("node_modules/@kafkajs/confluent-schema-registry"))
                        && Files.isDirectory(PROJECT.resolve("node_modules/kafkajs")),
                "no node_modules in " + PROJECT + ": run `npm ci` there (.ci/run does) to run this test");
        Path model = TestFrames.segmentingModel(dir.resolve("model"));

        try (LocalSchemaRegistryServer registry = LocalSchemaRegistryServer.start(0);
                EmbeddedKafkaCluster kafka =
                        EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(16 << 20))) {
            Path frames = writeJpegs(dir.resolve("frames"), registry.url());
            VisionConfig config = VisionConfig.from(settings(kafka, registry, model));
            try (ProcessorInstance processor = ProcessorInstance.start(config)) {
                assertThat(processor.awaitRunning(Duration.ofSeconds(120)))
                        .as("processor running: %s", processor.state())
                        .isTrue();

                JsonNode summary = runNode(node, dir, kafka, registry, config, frames);
                System.out.println("registry conformance summary: " + summary);

                int id = summary.path("schemaId").asInt();
                assertThat(id).as(summary.toString()).isPositive();
                assertThat(List.of(
                                summary.path("reRegisteredId").asInt(),
                                summary.path("latestId").asInt(),
                                summary.path("lookupId").asInt()))
                        .as(summary.toString())
                        .containsOnly(id);
                assertThat(summary.path("framesProduced").asInt()).isEqualTo(FRAMES);
                for (String output : List.of("predictions", "embeddings", "masks")) {
                    assertThat(summary.path("decoded").path(output).asInt())
                            .as(output + " decoded in " + summary)
                            .isEqualTo(FRAMES);
                    assertThat(summary.path("distinctSequences").path(output).asInt())
                            .as(output + " frames covered in " + summary)
                            .isEqualTo(FRAMES);
                }
                assertThat(summary.path("decoded").path("deadLetters").asInt())
                        .as(summary.toString())
                        .isZero();
                assertThat(summary.path("duplicates").asInt())
                        .as(summary.toString())
                        .isZero();
                assertThat(summary.path("bad").asInt()).as(summary.toString()).isZero();
                assertThat(processor.failure()).isNull();

                // The level the client stored with PUT /config/{subject} is the one the double now holds.
                assertThat(get(registry, "/config/" + config.topics().input() + "-value"))
                        .isEqualTo(JSON.readTree("{\"compatibilityLevel\":\"BACKWARD\"}"));
                assertThat(get(registry, "/subjects/" + config.topics().input() + "-value/versions"))
                        .isEqualTo(JSON.readTree("[1]"));
            } finally {
                config.stateDir().ifPresent(ScratchDirectories::delete);
            }
        }
    }

    /** The processor as {@code ./vision run} would start it, with masks from the dense-head fixture model. */
    private static Map<String, String> settings(
            EmbeddedKafkaCluster kafka, LocalSchemaRegistryServer registry, Path model) throws IOException {
        Map<String, String> s = new HashMap<>();
        s.put("bootstrap.servers", kafka.bootstrapServers());
        s.put("schema.registry.url", registry.url());
        s.put("application.id", "registry-conformance");
        s.put("model.dir", model.toString());
        s.put("state.dir", Files.createTempDirectory("registry-conformance").toString());
        s.put("topics.partitions", "2");
        s.put("max.batch.size", "4");
        s.put("max.batch.delay.ms", "30");
        return s;
    }

    /** {@value #FRAMES} JPEGs of synthetic scenes, named so that their order is their sequence. */
    private static Path writeJpegs(Path dir, String registryUrl) throws IOException {
        Files.createDirectories(dir);
        TestFrames scenes = new TestFrames(Map.of("schema.registry.url", registryUrl));
        for (int i = 0; i < FRAMES; i++) {
            Files.write(dir.resolve(String.format("frame-%03d.jpg", i)), scenes.jpeg(i));
        }
        return dir;
    }

    private static JsonNode runNode(
            String node,
            Path dir,
            EmbeddedKafkaCluster kafka,
            LocalSchemaRegistryServer registry,
            VisionConfig config,
            Path frames)
            throws IOException, InterruptedException {
        Path stderr = dir.resolve("node-stderr.log");
        Process process = new ProcessBuilder(
                        node,
                        PROJECT.resolve("roundtrip.mjs").toString(),
                        "--bootstrap",
                        kafka.bootstrapServers(),
                        "--registry",
                        registry.url(),
                        "--schema",
                        FRAME_SCHEMA.toString(),
                        "--frames",
                        frames.toString(),
                        "--width",
                        String.valueOf(TestFrames.WIDTH),
                        "--height",
                        String.valueOf(TestFrames.HEIGHT),
                        "--input-topic",
                        config.topics().input(),
                        "--predictions-topic",
                        config.topics().predictions(),
                        "--embeddings-topic",
                        config.topics().embeddings(),
                        "--masks-topic",
                        config.topics().masks(),
                        "--dead-letter-topic",
                        config.topics().deadLetters(),
                        "--timeout-ms",
                        String.valueOf(Duration.ofSeconds(90).toMillis()))
                .directory(PROJECT.toFile())
                .redirectError(stderr.toFile())
                .start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        boolean exited = process.waitFor(NODE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        String stdout = new String(out, StandardCharsets.UTF_8);
        String log = Files.readString(stderr);
        String report = "node exited " + (exited ? process.exitValue() : "never") + "\nstdout:\n" + stdout
                + "\nstderr:\n" + tail(log);
        assertThat(exited && process.exitValue() == 0).as(report).isTrue();
        String last =
                stdout.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("{}");
        return JSON.readTree(last);
    }

    private static String tail(String log) {
        return log.length() <= 6000 ? log : "..." + log.substring(log.length() - 6000);
    }

    private static JsonNode get(LocalSchemaRegistryServer registry, String path)
            throws IOException, InterruptedException {
        HttpResponse<String> answer = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(registry.url() + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    /** The {@code node} on the PATH, or the test is skipped saying it is missing. */
    private static String nodeOrSkip() throws InterruptedException {
        try {
            Process probe = new ProcessBuilder("node", "--version")
                    .redirectErrorStream(true)
                    .start();
            String version = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            Assumptions.assumeTrue(
                    probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0,
                    "`node --version` failed (" + version + "): install Node.js (.ci/run does) to run this test");
            return "node";
        } catch (IOException e) {
            Assumptions.abort("no `node` on the PATH (" + e.getMessage() + "): install Node.js (.ci/run does) to"
                    + " run this test");
            throw new AssertionError(e); // unreachable: abort throws
        }
    }
}
