package io.visionstream.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.avro.PredictionStatus;
import io.visionstream.schemas.serde.AvroSerdes;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The processor as a real Kafka Streams application on a real in-process broker. */
class FrameTopologyIT {

    private static EmbeddedKafkaCluster kafka;
    private static InferenceEngine engine;

    private final Map<String, Object> registry = Map.of("schema.registry.url", "mock://frame-it-" + UUID.randomUUID());
    private final TestFrames frames = new TestFrames(registry);

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(16 << 20));
        engine = TestFrames.tinyEngine();
    }

    @AfterAll
    static void stop() throws Exception {
        engine.close();
        kafka.close();
    }

    private VisionConfig config(String prefix, Map<String, String> overrides) {
        Map<String, String> s = new HashMap<>();
        s.put("bootstrap.servers", kafka.bootstrapServers());
        s.put("schema.registry.url", (String) registry.get("schema.registry.url"));
        s.put("application.id", prefix + "-app");
        s.put("model.dir", "tiny-test");
        s.put("input.topic", prefix + "-frames");
        s.put("predictions.topic", prefix + "-predictions");
        s.put("embeddings.topic", prefix + "-embeddings");
        s.put("masks.topic", prefix + "-masks");
        s.put("dead.letter.topic", prefix + "-dlq");
        s.put("max.batch.size", "8");
        s.put("max.batch.delay.ms", "30");
        s.putAll(overrides);
        VisionConfig config = VisionConfig.from(s);
        try (Admin admin = kafka.admin()) {
            TopicSetup.ensure(
                    admin,
                    new TopicSetup.Plan(
                            config.topics().input(),
                            config.topics().deadLetters(),
                            List.of(
                                    config.topics().predictions(),
                                    config.topics().embeddings()),
                            2,
                            (short) 1),
                    new FrameSizing(config.maxFrameBytes()));
        }
        return config;
    }

    private KafkaStreams startProcessor(VisionConfig config) throws Exception {
        Properties props = StreamsProperties.of(config);
        props.put(
                StreamsConfig.STATE_DIR_CONFIG,
                Files.createTempDirectory("vision-it").toString());
        KafkaStreams streams = new KafkaStreams(
                VisionTopology.build(config, engine, new ModelIdentity("tiny-test", "v1"), System::currentTimeMillis),
                props);
        streams.start();
        return streams;
    }

    private void produce(VisionConfig config, List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (var record : records) {
                producer.send(record).get();
            }
        }
    }

    private ProducerRecord<byte[], byte[]> frameRecord(VisionConfig config, String source, long sequence) {
        Frame frame = frames.frame(source, sequence, System.currentTimeMillis());
        return new ProducerRecord<>(
                config.topics().input(),
                TestFrames.key(source),
                frames.serialize(config.topics().input(), frame));
    }

    /** Reads committed records until {@code expected} arrived, then a little longer to catch duplicates. */
    private static <V> List<ConsumerRecord<String, V>> readCommitted(
            String topic, Deserializer<V> values, int expected, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "verify-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (System.nanoTime() < settle) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private Deserializer<Prediction> predictions() {
        return AvroSerdes.specific(Prediction.class, registry, false).deserializer();
    }

    @Test
    void framesFromTwoPartitionsBecomeOnePredictionEachInPerCameraOrderWithRealBatches() throws Exception {
        VisionConfig config = config("e2e", Map.of());
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (long seq = 0; seq < 20; seq++) {
            for (String camera : List.of("cam-0", "cam-1", "cam-2")) {
                records.add(frameRecord(config, camera, seq));
            }
        }
        produce(config, records); // produced before the processor starts: a backlog, so batches fill up
        try (KafkaStreams streams = startProcessor(config)) {
            var out = readCommitted(config.topics().predictions(), predictions(), 60, Duration.ofSeconds(90));
            assertThat(out).hasSize(60);
            Map<String, List<Long>> perCamera = out.stream()
                    .collect(Collectors.groupingBy(
                            ConsumerRecord::key,
                            Collectors.mapping(r -> r.value().getSequence(), Collectors.toList())));
            List<Long> expected =
                    java.util.stream.LongStream.range(0, 20).boxed().toList();
            assertThat(perCamera).containsOnlyKeys("cam-0", "cam-1", "cam-2");
            perCamera.values().forEach(seqs -> assertThat(seqs).containsExactlyElementsOf(expected));
            assertThat(out).allSatisfy(r -> assertThat(r.value().getStatus()).isEqualTo(PredictionStatus.OK));
            assertThat(out.stream()
                            .mapToInt(r -> r.value().getLineage().getBatchSize())
                            .max()
                            .orElse(0))
                    .as("largest batch under a backlog")
                    .isGreaterThan(1);
            assertExactlyOneOutcomeEach(config);
            streams.close(Duration.ofSeconds(30));
        }
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicWhileGoodFramesKeepFlowing() throws Exception {
        VisionConfig config = config("poison", Map.of());
        String input = config.topics().input();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (long seq = 0; seq < 10; seq++) {
            records.add(frameRecord(config, "cam-0", seq));
            if (seq % 3 == 0) {
                records.add(new ProducerRecord<>(input, TestFrames.key("cam-0"), ("garbage-" + seq).getBytes()));
            }
        }
        try (KafkaStreams streams = startProcessor(config)) {
            produce(config, records);
            var good = readCommitted(config.topics().predictions(), predictions(), 10, Duration.ofSeconds(90));
            var dead = readCommitted(
                    config.topics().deadLetters(),
                    AvroSerdes.deadLetter(registry).deserializer(),
                    4,
                    Duration.ofSeconds(30));
            assertThat(good)
                    .extracting(r -> r.value().getSequence())
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            assertThat(dead).hasSize(4);
            assertThat(dead)
                    .extracting(r -> new String(r.value().getOriginalValue().array()))
                    .containsExactly("garbage-0", "garbage-3", "garbage-6", "garbage-9");
            assertThat(dead).extracting(r -> r.value().getSourceTopic()).containsOnly(input);
            assertExactlyOneOutcomeEach(config);
            streams.close(Duration.ofSeconds(30));
        }
    }

    @Test
    void framesWaitingInABatchWhenTheProcessorStopsArePublishedExactlyOnceByTheNextInstance() throws Exception {
        // A batch that can close neither by size nor by delay while the first instance runs.
        // Kafka Streams does not leave the group on close, as after a crash: the next instance waits out
        // the session, so keep it at the broker's minimum.
        Map<String, String> fastTakeover =
                Map.of("consumer.session.timeout.ms", "6000", "consumer.heartbeat.interval.ms", "1000");
        Map<String, String> neverDue = new HashMap<>(fastTakeover);
        neverDue.put("max.batch.size", "1000");
        neverDue.put("max.batch.delay.ms", "60000");
        VisionConfig waiting = config("restart", neverDue);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (long seq = 0; seq < 12; seq++) {
            records.add(frameRecord(waiting, "cam-" + (seq % 2), seq));
        }
        KafkaStreams first = startProcessor(waiting);
        produce(waiting, records);
        awaitCommittedInputOffsets(waiting, 12);
        first.close(Duration.ofSeconds(30));
        assertThat(readCommitted(waiting.topics().predictions(), predictions(), 1, Duration.ofSeconds(2)))
                .as("nothing published while the batch waited")
                .isEmpty();

        // A new instance with empty local state (another machine): it must restore the frames from the
        // changelog, because their input offsets are already committed and will never be read again.
        Map<String, String> due = new HashMap<>(fastTakeover);
        due.put("max.batch.delay.ms", "20");
        VisionConfig resumed = config("restart", due);
        try (KafkaStreams second = startProcessor(resumed)) {
            var out = readCommitted(resumed.topics().predictions(), predictions(), 12, Duration.ofSeconds(90));
            assertThat(out)
                    .extracting(r -> r.value().getSequence())
                    .containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
            assertThat(out.stream().filter(r -> r.key().equals("cam-0")).map(r -> r.value()
                            .getSequence()))
                    .containsExactly(0L, 2L, 4L, 6L, 8L, 10L);
            assertExactlyOneOutcomeEach(resumed);
            second.close(Duration.ofSeconds(30));
        }
    }

    /** Every input record has exactly one outcome, by identity (input partition and offset), in order. */
    private void assertExactlyOneOutcomeEach(VisionConfig config) {
        java.util.Properties client = new java.util.Properties();
        client.put("bootstrap.servers", kafka.bootstrapServers());
        var v = io.visionstream.app.verify.Verifier.verify(
                client,
                registry,
                new io.visionstream.app.verify.Verifier.Topics(
                        config.topics().input(),
                        config.topics().predictions(),
                        config.topics().deadLetters()));
        assertThat(v.clean()).as(String.join("\n", v.lines())).isTrue();
    }

    /** Waits until the application's committed input offsets cover {@code records} records. */
    private static void awaitCommittedInputOffsets(VisionConfig config, long records) throws Exception {
        try (Admin admin = kafka.admin()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long committed = 0;
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(config.applicationId())
                        .partitionsToOffsetAndMetadata()
                        .get();
                committed = offsets.entrySet().stream()
                        .filter(e -> e.getKey().topic().equals(config.topics().input()) && e.getValue() != null)
                        .mapToLong(e -> e.getValue().offset())
                        .sum();
                if (committed >= records) {
                    return;
                }
                Thread.sleep(100);
            }
            throw new AssertionError("input offsets committed: " + committed + " of " + records);
        }
    }
}
