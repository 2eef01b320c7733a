package io.visionstream.topology.processing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.topology.KafkaTopics;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pending frames read back from a real broker, by offset, including offsets retention has removed. */
class KafkaPendingFrameSourceIT {

    private static final long BASE_TIMESTAMP = 1_700_000_000_000L;
    private static EmbeddedKafkaCluster kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(16 << 20));
        for (String topic : List.of("readback", "trimmed")) {
            KafkaTopics.create(kafka, topic, 2, Map.of());
            produce(topic, 1, 10);
        }
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** {@code count} records to one partition: key "k{i}", value "frame {i}", timestamp base + i. */
    private static void produce(String topic, int partition, int count) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(
                        topic,
                        partition,
                        BASE_TIMESTAMP + i,
                        ("k" + i).getBytes(StandardCharsets.UTF_8),
                        ("frame " + i).getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    private static Map<String, Object> appConfigs() {
        Map<String, Object> app = new HashMap<>();
        app.put(StreamsConfig.APPLICATION_ID_CONFIG, "readback-test");
        app.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        app.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        return app;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void theRecordsAtTheAskedOffsetsComeBackAsTheyWereWritten() {
        try (PendingFrameSource source = KafkaPendingFrameSource.open(appConfigs(), "readback-test-0_1")) {
            Map<Long, InputRecord> read = source.read("readback", 1, new TreeSet<>(List.of(2L, 5L, 9L)));

            assertThat(read).containsOnlyKeys(2L, 5L, 9L);
            InputRecord five = read.get(5L);
            assertThat(five.topic()).isEqualTo("readback");
            assertThat(five.partition()).isEqualTo(1);
            assertThat(five.offset()).isEqualTo(5);
            assertThat(text(five.key())).isEqualTo("k5");
            assertThat(text(five.value())).isEqualTo("frame 5");
            assertThat(five.timestamp()).isEqualTo(BASE_TIMESTAMP + 5);
        }
    }

    @Test
    void anOffsetPastThePartitionsEndIsARetriableTimeoutNotAFrameToDropOnceTheDeadlinePasses() {
        Map<String, Object> app = appConfigs();
        app.put("default.api.timeout.ms", 1500);
        try (PendingFrameSource source = KafkaPendingFrameSource.open(app, "readback-test-0_1")) {
            assertThatThrownBy(() -> source.read("readback", 1, new TreeSet<>(List.of(3L, 15L))))
                    .isInstanceOf(TimeoutException.class)
                    .hasMessageStartingWith(
                            "pending frame at offset 15 of readback-1 is at or past the partition's" + " end (10)");
        }
    }

    @Test
    void offsetsRetentionRemovedAreLeftOut() throws Exception {
        try (Admin admin = kafka.admin()) {
            admin.deleteRecords(Map.of(new TopicPartition("trimmed", 1), RecordsToDelete.beforeOffset(4)))
                    .all()
                    .get();
        }
        try (PendingFrameSource source = KafkaPendingFrameSource.open(appConfigs(), "readback-test-0_1")) {
            Map<Long, InputRecord> read = source.read("trimmed", 1, new TreeSet<>(List.of(1L, 3L, 4L, 8L)));

            assertThat(read).containsOnlyKeys(4L, 8L);
            assertThat(text(read.get(8L).value())).isEqualTo("frame 8");
        }
    }

    @Test
    void nothingAskedReadsNothing() {
        try (PendingFrameSource source = KafkaPendingFrameSource.open(appConfigs(), "readback-test-0_0")) {
            assertThat(source.read("readback", 0, new TreeSet<>())).isEmpty();
        }
    }

    /** Counts the restore consumers it makes, to show that the read-back takes its consumer from here. */
    public static final class CountingClientSupplier implements KafkaClientSupplier {
        static final AtomicInteger RESTORE_CONSUMERS = new AtomicInteger();

        @Override
        public Admin getAdmin(Map<String, Object> config) {
            return Admin.create(config);
        }

        @Override
        public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
            return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
            return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }

        @Override
        public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
            RESTORE_CONSUMERS.incrementAndGet();
            return getConsumer(config);
        }

        @Override
        public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
            return getConsumer(config);
        }
    }

    @Test
    void theConsumerComesFromTheApplicationsKafkaClientSupplier() {
        Map<String, Object> app = appConfigs();
        app.put(StreamsConfig.DEFAULT_CLIENT_SUPPLIER_CONFIG, CountingClientSupplier.class.getName());
        int before = CountingClientSupplier.RESTORE_CONSUMERS.get();
        try (PendingFrameSource source = KafkaPendingFrameSource.open(app, "readback-test-supplier")) {
            assertThat(source.read("readback", 1, new TreeSet<>(List.of(2L)))).containsOnlyKeys(2L);
            assertThat(source.read("readback", 1, new TreeSet<>(List.of(7L)))).containsOnlyKeys(7L);
        }
        assertThat(CountingClientSupplier.RESTORE_CONSUMERS.get() - before).isEqualTo(1);
    }

    @Test
    void oneReadNeverBlocksLongerThanHalfTheTransactionTimeoutUnderExactlyOnce() {
        Map<String, Object> app = appConfigs();
        app.put(StreamsConfig.producerPrefix("transaction.timeout.ms"), 20_000);
        StreamsConfig streams = new StreamsConfig(app);
        Map<String, Object> consumer = streams.getRestoreConsumerConfigs("x");

        assertThat(KafkaPendingFrameSource.readTimeout(streams, consumer)).isEqualTo(java.time.Duration.ofSeconds(10));
        app.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        streams = new StreamsConfig(app);
        assertThat(KafkaPendingFrameSource.readTimeout(streams, consumer)).isEqualTo(java.time.Duration.ofSeconds(60));
    }
}
