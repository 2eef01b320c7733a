package io.visionstream.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.app.verify.Verification;
import io.visionstream.app.verify.Verifier;
import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.schemas.avro.FailureStage;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.processing.ModelIdentity;
import io.visionstream.topology.processing.ScarceMemoryEngine;
import io.visionstream.topology.processing.StreamsProperties;
import io.visionstream.topology.processing.TestFrames;
import io.visionstream.topology.processing.VisionTopology;
import io.visionstream.topology.topics.FrameSizing;
import io.visionstream.topology.topics.TopicSetup;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * A live processor (exactly_once_v2, batches on an inference worker) whose device runs out of memory for
 * batches above 4 frames and for any batch holding one particular frame: batches of 8 are rerun in halves,
 * the one frame becomes a dead letter at stage INFER, and every other frame is predicted, once, in order.
 */
class BatchSplittingIT {

    private static final String APP = "batch-splitting";
    private static final int FRAMES = 24;
    private static final long POISON = 13;

    @Test
    void batchesTooLargeForTheDeviceAreSplitAndTheOneFrameThatFailsAloneIsADeadLetter() throws Exception {
        Map<String, Object> registry = Map.of("schema.registry.url", "mock://batch-splitting-" + UUID.randomUUID());
        TestFrames frames = new TestFrames(registry);
        ExecutorService inference = Executors.newSingleThreadExecutor();
        try (EmbeddedKafkaCluster kafka =
                        EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(16 << 20));
                InferenceEngine tiny = TestFrames.tinyEngine()) {
            ScarceMemoryEngine device = new ScarceMemoryEngine(tiny, 4);
            VisionConfig config = config(kafka, registry);
            try (Admin admin = kafka.admin()) {
                TopicSetup.ensure(
                        admin,
                        new TopicSetup.Plan(
                                config.topics().input(),
                                config.topics().deadLetters(),
                                List.of(config.topics().predictions()),
                                2,
                                (short) 1),
                        new FrameSizing(config.maxFrameBytes()));
            }
            Properties props = StreamsProperties.of(config);
            props.put(
                    StreamsConfig.STATE_DIR_CONFIG,
                    Files.createTempDirectory(APP).toString());
            try (KafkaStreams streams = new KafkaStreams(
                            VisionTopology.build(
                                    config,
                                    device,
                                    new ModelIdentity("tiny-test", "v1"),
                                    System::currentTimeMillis,
                                    inference),
                            props);
                    OutcomeCollector outcomes =
                            new OutcomeCollector(kafka.bootstrapServers(), registry, config.topics())) {
                streams.start();
                produce(kafka, frames, config);
                outcomes.awaitOutcomes(FRAMES, Duration.ofSeconds(90));

                Properties client = new Properties();
                client.put("bootstrap.servers", kafka.bootstrapServers());
                Verification v = Verifier.verify(
                        client,
                        registry,
                        new Verifier.Topics(
                                config.topics().input(),
                                config.topics().predictions(),
                                config.topics().deadLetters()));
                assertThat(v.clean()).as(String.join("\n", v.lines())).isTrue();
                assertThat(v.total()).isEqualTo(new Verification.SourceCount(FRAMES, FRAMES, 0, 0, 0));
                assertThat(v.deadLetters()).isEqualTo(1);
                assertThat(outcomes.deadLetters()).singleElement().satisfies(letter -> {
                    assertThat(letter.value().getStage()).isEqualTo(FailureStage.INFER);
                    assertThat(letter.value().getErrorMessage()).isEqualTo(ScarceMemoryEngine.OUT_OF_MEMORY);
                    assertThat(letter.value().getErrorClass()).isEqualTo("ai.djl.engine.EngineException");
                });
                assertThat(outcomes.predicted("cam-" + (POISON % 2), POISON)).isFalse();
                assertThat(device.batchSizes())
                        .as("batches asked of the device")
                        .contains(8, 4, 1);
                assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
                streams.close(Duration.ofSeconds(30));
            }
        } finally {
            inference.shutdownNow();
        }
    }

    private static VisionConfig config(EmbeddedKafkaCluster kafka, Map<String, Object> registry) {
        Map<String, String> s = new HashMap<>();
        s.put("bootstrap.servers", kafka.bootstrapServers());
        s.put("schema.registry.url", (String) registry.get("schema.registry.url"));
        s.put("application.id", APP);
        s.put("model.dir", "tiny-test");
        s.put("input.topic", APP + "-frames");
        s.put("predictions.topic", APP + "-predictions");
        s.put("dead.letter.topic", APP + "-dlq");
        s.put("embeddings.enabled", "false");
        s.put("processing.guarantee", "exactly_once_v2");
        // Frames arrive faster than the delay: batches close full, at 8, twice the device's limit.
        s.put("max.batch.size", "8");
        s.put("max.batch.delay.ms", "2000");
        return VisionConfig.from(s);
    }

    /** {@value #FRAMES} frames from two cameras, all sent at once; frame {@value #POISON} is the flat one. */
    private static void produce(EmbeddedKafkaCluster kafka, TestFrames frames, VisionConfig config) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        String topic = config.topics().input();
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long seq = 0; seq < FRAMES; seq++) {
                String source = "cam-" + (seq % 2);
                Frame frame = frames.frame(source, seq, System.currentTimeMillis());
                if (seq == POISON) {
                    frame = ScarceMemoryEngine.flatFrame(frame);
                }
                producer.send(new ProducerRecord<>(topic, TestFrames.key(source), frames.serialize(topic, frame)));
            }
            producer.flush();
        }
    }
}
