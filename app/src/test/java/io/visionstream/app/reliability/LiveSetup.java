package io.visionstream.app.reliability;

import io.visionstream.app.verify.Verification;
import io.visionstream.app.verify.Verifier;
import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.topology.config.VisionConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/** What the reliability tests share: a processor's settings on the embedded cluster, the verifier, RSS. */
final class LiveSetup {

    /** The tiny timm-layout model that the inference module's fixture script made with torchvision. */
    static final Path MODEL = Path.of("../inference/src/test/resources/fixtures/vit/tiny");

    private LiveSetup() {}

    /**
     * Settings for {@code ProcessorInstance.start} as {@code ./vision run} would read them: the fixture
     * model, a fresh state directory, and a short consumer session, because Kafka Streams does not leave
     * its group on close and a later member would otherwise wait out the default 45 s.
     */
    static Map<String, String> settings(EmbeddedKafkaCluster kafka, String registryUrl, String applicationId)
            throws IOException {
        return settings(kafka.bootstrapServers(), registryUrl, applicationId);
    }

    /** As above, for the cluster at {@code bootstrapServers}. */
    static Map<String, String> settings(String bootstrapServers, String registryUrl, String applicationId)
            throws IOException {
        Map<String, String> s = new HashMap<>();
        s.put("bootstrap.servers", bootstrapServers);
        s.put("schema.registry.url", registryUrl);
        s.put("application.id", applicationId);
        s.put("model.dir", MODEL.toString());
        s.put("state.dir", Files.createTempDirectory(applicationId).toString());
        s.put("max.batch.size", "8");
        s.put("max.batch.delay.ms", "30");
        s.put("consumer.session.timeout.ms", "6000");
        s.put("consumer.heartbeat.interval.ms", "1000");
        return s;
    }

    /** The verifier over the processor's input, predictions and dead-letter topics (read_committed). */
    static Verification verify(EmbeddedKafkaCluster kafka, VisionConfig config) {
        return verify(kafka.bootstrapServers(), config);
    }

    /** As above, for the cluster at {@code bootstrapServers}. */
    static Verification verify(String bootstrapServers, VisionConfig config) {
        Properties client = new Properties();
        client.put("bootstrap.servers", bootstrapServers);
        return Verifier.verify(
                client,
                config.schemaRegistry(),
                new Verifier.Topics(
                        config.topics().input(),
                        config.topics().predictions(),
                        config.topics().deadLetters()));
    }

    /**
     * This process's anonymous resident memory ({@code RssAnon} in {@code /proc/self/status}): the heap, native
     * allocations such as libtorch's tensors, thread stacks. File-backed pages (jars, shared libraries, the
     * broker's memory-mapped indexes) are left out: they are not what a leak grows.
     */
    static long anonymousRssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("/proc/self/status has no RssAnon line");
    }
}
