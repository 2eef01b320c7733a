package io.visionstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.topology.KafkaTopics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./vision produce} and {@code ./vision consume} against the embedded broker. */
class ProduceConsumeIT {

    private static final Path IMAGE = Path.of("../inference/src/test/resources/fixtures/vit/png_tiny/image_96x64.png");
    private static EmbeddedKafkaCluster kafka;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(16 << 20));
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private record Result(int exit, String out, String err) {}

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = VisionApp.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private String[] args(String topic, String registry, String... rest) {
        List<String> all = new ArrayList<>(List.of(rest));
        all.addAll(List.of(
                "--set", "bootstrap.servers=" + kafka.bootstrapServers(),
                "--set", "schema.registry.url=" + registry,
                "--set", "input.topic=" + topic));
        return all.toArray(String[]::new);
    }

    @Test
    void syntheticCamerasSendFramesWithGroundTruthThatConsumePrintsAsJson() throws Exception {
        String registry = "mock://produce-it-" + UUID.randomUUID();
        KafkaTopics.create(kafka, "cams", 2, Map.of());
        Result produced = run(args(
                "cams",
                registry,
                "produce",
                "--synthetic",
                "--cameras",
                "2",
                "--fps",
                "20",
                "--duration",
                "1s",
                "--size",
                "64x48"));
        assertThat(produced.exit()).as(produced.err()).isZero();
        long sent = Long.parseLong(produced.out().replaceAll("(?s)^sent (\\d+) frames.*", "$1"));
        assertThat(sent).isBetween(10L, 60L);

        Result consumed = run(args("cams", registry, "consume", "--topic", "cams", "--from-beginning", "--idle", "3s"));
        assertThat(consumed.exit()).as(consumed.err()).isZero();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : consumed.out().lines().toList()) {
            lines.add(new ObjectMapper().readTree(line));
        }
        assertThat(lines).hasSize((int) sent);
        JsonNode first = lines.get(0);
        assertThat(first.get("topic").asText()).isEqualTo("cams");
        assertThat(first.get("key").asText()).isIn("cam-0", "cam-1");
        JsonNode frame = first.get("value");
        assertThat(frame.get("encoding").asText()).isEqualTo("JPEG");
        assertThat(frame.get("width").asInt()).isEqualTo(64);
        assertThat(frame.get("metadata").get("truth.class").asText()).isNotBlank();
        assertThat(frame.get("metadata").get("truth.mask.png.base64").asText()).isNotBlank();
        // Each camera's sequence numbers arrive in order.
        for (String camera : List.of("cam-0", "cam-1")) {
            List<Long> seqs = lines.stream()
                    .filter(l -> l.get("key").asText().equals(camera))
                    .map(l -> l.get("value").get("sequence").asLong())
                    .toList();
            assertThat(seqs).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void verifyReportsEveryFrameMissingWhenNoProcessorRanAndExitsOne() {
        String registry = "mock://verify-it-" + UUID.randomUUID();
        KafkaTopics.create(kafka, "unprocessed", 1, Map.of());
        KafkaTopics.create(kafka, "predictions", 1, Map.of());
        KafkaTopics.create(kafka, "frames-dlq", 1, Map.of());
        Result produced = run(args("unprocessed", registry, "produce", IMAGE.toString(), IMAGE.toString()));
        assertThat(produced.exit()).as(produced.err()).isZero();

        Result verified = run(args("unprocessed", registry, "verify"));
        assertThat(verified.exit()).isEqualTo(1);
        assertThat(verified.out()).containsPattern("files\\s+2\\s+0\\s+2\\s+0\\s+0");
        assertThat(verified.out()).contains("inputs 2, predictions 0, dead letters 0, stray outcomes 0: NOT CLEAN");
    }

    @Test
    void givingNeitherFilesNorSyntheticIsAUsageError() {
        Result r = run(args("files", "mock://x", "produce"));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("give either --synthetic or IMAGE files, not neither");
    }

    @Test
    void imageFilesAreSentAndAnUnreadableOneIsRefusedWithExitCodeOne(@TempDir Path dir) throws Exception {
        String registry = "mock://produce-files-it-" + UUID.randomUUID();
        KafkaTopics.create(kafka, "files", 1, Map.of());
        Path bad = dir.resolve("bad.png");
        Files.write(bad, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        Result produced = run(args("files", registry, "produce", IMAGE.toString(), bad.toString()));

        assertThat(produced.exit()).isEqualTo(1);
        assertThat(produced.out()).contains("sent 1 frames to files, refused 1 files");
        assertThat(produced.err()).contains("vision produce: " + bad + ": not sent: ");

        Result consumed = run(args("files", registry, "consume", "--topic", "files", "--from-beginning", "--max", "1"));
        JsonNode frame = new ObjectMapper()
                .readTree(consumed.out().lines().findFirst().orElseThrow())
                .get("value");
        assertThat(frame.get("encoding").asText()).isEqualTo("PNG");
        assertThat(frame.get("width").asInt()).isEqualTo(96);
        assertThat(frame.get("height").asInt()).isEqualTo(64);
        assertThat(frame.get("metadata").get("file").asText()).isEqualTo("image_96x64.png");
    }
}
