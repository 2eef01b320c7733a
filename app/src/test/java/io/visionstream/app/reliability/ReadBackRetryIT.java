package io.visionstream.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.visionstream.app.verify.Verification;
import io.visionstream.app.verify.Verifier;
import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.processing.ModelIdentity;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A task restored while the broker that leads its input partition is down cannot read its pending frames
 * back. It must try again until the broker returns, within {@code task.timeout.ms}, not stop the client as
 * a single timed-out read once did.
 *
 * <p>Three brokers; the input topic has one replica, on the broker the test stops, so its partition has no
 * leader while that broker is away. Every other topic, Kafka Streams' changelog included, has three
 * replicas, so the group, the transactions and the restore of the pending-frames store go on without it.
 */
class ReadBackRetryIT {

    private static final String APP = "readback-retry";
    private static final int FRAMES = 12;
    /** Each read-back attempt gives up after this: several attempts fail while the broker is away. */
    private static final int ATTEMPT_TIMEOUT_MS = 1500;

    @Test
    void aRestoredTaskWhoseInputLeaderIsDownRetriesItsReadBackUntilTheBrokerReturnsAndLosesNoFrame() throws Exception {
        Map<String, Object> registry = Map.of("schema.registry.url", "mock://readback-retry-" + UUID.randomUUID());
        TestFrames frames = new TestFrames(registry);
        ListAppender<ILoggingEvent> warnings = new ListAppender<>();
        Logger processorLog = (Logger) LoggerFactory.getLogger("io.visionstream.topology.processing.FrameProcessor");
        try (EmbeddedKafkaCluster kafka =
                        EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.threeBrokers(16 << 20));
                InferenceEngine engine = TestFrames.tinyEngine()) {
            int inputLeader = kafka.brokerIds().get(0);
            VisionConfig waiting =
                    config(kafka, registry, Map.of("max.batch.size", "1000", "max.batch.delay.ms", "60000"));
            createTopics(kafka, waiting, inputLeader);

            // A first instance commits the frames' offsets while they wait in a batch that never closes.
            KafkaStreams first = start(waiting, engine);
            produce(kafka, frames, waiting);
            awaitCommittedInputOffsets(kafka, FRAMES);
            first.close(Duration.ofSeconds(30));

            kafka.stopBroker(inputLeader);
            warnings.start();
            processorLog.addAppender(warnings);
            VisionConfig resuming = config(kafka, registry, Map.of("max.batch.delay.ms", "20"));
            try (KafkaStreams second = start(resuming, engine);
                    OutcomeCollector outcomes =
                            new OutcomeCollector(kafka.bootstrapServers(), registry, resuming.topics())) {
                Await.until(
                        "three timed-out read-backs while broker " + inputLeader + " is down",
                        Duration.ofSeconds(90),
                        () -> timedOutReads(warnings) >= 3,
                        () -> timedOutReads(warnings) + " so far; Kafka Streams " + second.state());
                assertThat(second.state()).isEqualTo(KafkaStreams.State.RUNNING);
                assertThat(outcomes.outcomes())
                        .as("outcomes before the broker returns")
                        .isZero();

                kafka.startBroker(inputLeader);
                outcomes.awaitOutcomes(FRAMES, Duration.ofSeconds(90));
                assertThat(second.state()).isEqualTo(KafkaStreams.State.RUNNING);
                Verification v = verify(kafka, resuming, registry);
                assertThat(v.clean()).as(String.join("\n", v.lines())).isTrue();
                assertThat(v.total()).isEqualTo(new Verification.SourceCount(FRAMES, FRAMES, 0, 0, 0));
                second.close(Duration.ofSeconds(30));
            }
        } finally {
            processorLog.detachAppender(warnings);
        }
    }

    private static long timedOutReads(ListAppender<ILoggingEvent> warnings) {
        synchronized (warnings.list) {
            return warnings.list.stream()
                    .filter(e -> e.getFormattedMessage().contains("could not read back"))
                    .count();
        }
    }

    private static VisionConfig config(
            EmbeddedKafkaCluster kafka, Map<String, Object> registry, Map<String, String> overrides) {
        Map<String, String> s = new HashMap<>();
        s.put("bootstrap.servers", kafka.bootstrapServers());
        s.put("schema.registry.url", (String) registry.get("schema.registry.url"));
        s.put("application.id", APP);
        s.put("model.dir", "tiny-test");
        s.put("input.topic", APP + "-frames");
        s.put("predictions.topic", APP + "-predictions");
        s.put("embeddings.topic", APP + "-embeddings");
        s.put("dead.letter.topic", APP + "-dlq");
        s.put("processing.guarantee", "exactly_once_v2");
        s.put("replication.factor", "3");
        s.put("consumer.session.timeout.ms", "6000");
        s.put("consumer.heartbeat.interval.ms", "1000");
        s.put("restore.consumer.default.api.timeout.ms", String.valueOf(ATTEMPT_TIMEOUT_MS));
        s.putAll(overrides);
        return VisionConfig.from(s);
    }

    /** The input topic on {@code inputLeader} alone; the outputs on all three brokers. */
    private static void createTopics(EmbeddedKafkaCluster kafka, VisionConfig config, int inputLeader)
            throws Exception {
        FrameSizing sizing = new FrameSizing(config.maxFrameBytes());
        try (Admin admin = kafka.admin()) {
            TopicSetup.createIfAbsent(
                    admin,
                    List.of(new NewTopic(config.topics().input(), Map.of(0, List.of(inputLeader)))
                            .configs(sizing.frameTopicConfig())));
            TopicSetup.ensure(
                    admin,
                    new TopicSetup.Plan(
                            config.topics().input(),
                            config.topics().deadLetters(),
                            List.of(
                                    config.topics().predictions(),
                                    config.topics().embeddings()),
                            1,
                            (short) 3),
                    sizing);
        }
    }

    private static KafkaStreams start(VisionConfig config, InferenceEngine engine) throws Exception {
        Properties props = StreamsProperties.of(config);
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory(APP).toString());
        KafkaStreams streams = new KafkaStreams(
                VisionTopology.build(config, engine, new ModelIdentity("tiny-test", "v1"), System::currentTimeMillis),
                props);
        streams.start();
        return streams;
    }

    private static void produce(EmbeddedKafkaCluster kafka, TestFrames frames, VisionConfig config) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        String topic = config.topics().input();
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long seq = 0; seq < FRAMES; seq++) {
                String source = "cam-" + (seq % 2);
                var frame = frames.frame(source, seq, System.currentTimeMillis());
                producer.send(new ProducerRecord<>(topic, TestFrames.key(source), frames.serialize(topic, frame)))
                        .get();
            }
        }
    }

    private static void awaitCommittedInputOffsets(EmbeddedKafkaCluster kafka, long records)
            throws InterruptedException {
        TopicPartition input = new TopicPartition(APP + "-frames", 0);
        long[] committed = {0};
        try (Admin admin = kafka.admin()) {
            Await.until(
                    "the first instance commits " + records + " input offsets",
                    Duration.ofSeconds(60),
                    () -> {
                        try {
                            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(APP)
                                    .partitionsToOffsetAndMetadata()
                                    .get()
                                    .get(input);
                            committed[0] = offset == null ? 0 : offset.offset();
                        } catch (Exception e) {
                            return false;
                        }
                        return committed[0] >= records;
                    },
                    () -> "committed " + committed[0]);
        }
    }

    private static Verification verify(EmbeddedKafkaCluster kafka, VisionConfig config, Map<String, Object> registry) {
        Properties client = new Properties();
        client.put("bootstrap.servers", kafka.bootstrapServers());
        return Verifier.verify(
                client,
                registry,
                new Verifier.Topics(
                        config.topics().input(),
                        config.topics().predictions(),
                        config.topics().deadLetters()));
    }
}
