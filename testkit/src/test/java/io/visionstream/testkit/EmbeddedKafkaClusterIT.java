package io.visionstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

/** Smoke tests of the in-process broker: real clients, real Kafka Streams, nothing mocked. */
class EmbeddedKafkaClusterIT {

    private static final int EIGHT_MIB = 8 << 20;

    @Test
    void producedRecordsAreConsumedFromASingleBroker() throws Exception {
        try (EmbeddedKafkaCluster kafka =
                EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(EIGHT_MIB))) {
            createTopic(kafka, "smoke", 3, Map.of());
            try (KafkaProducer<String, String> producer = stringProducer(kafka)) {
                for (int i = 0; i < 30; i++) {
                    producer.send(new ProducerRecord<>("smoke", "camera-" + (i % 3), "frame-" + i));
                }
            }
            List<ConsumerRecord<String, String>> records = consumeStrings(kafka, "smoke", 30, "read_uncommitted");
            assertThat(records).extracting(ConsumerRecord::value).hasSize(30);
            // Same key, same partition, produce order kept.
            assertThat(records.stream().filter(r -> r.key().equals("camera-1")).map(ConsumerRecord::value))
                    .containsExactly(
                            "frame-1",
                            "frame-4",
                            "frame-7",
                            "frame-10",
                            "frame-13",
                            "frame-16",
                            "frame-19",
                            "frame-22",
                            "frame-25",
                            "frame-28");
        }
    }

    @Test
    void threeBrokersReplicateTopicsThreeWays() throws Exception {
        try (EmbeddedKafkaCluster kafka =
                EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.threeBrokers(EIGHT_MIB))) {
            createTopic(kafka, "replicated", 2, Map.of());
            try (Admin admin = kafka.admin()) {
                TopicDescription description = admin.describeTopics(Set.of("replicated"))
                        .allTopicNames()
                        .get()
                        .get("replicated");
                assertThat(description.partitions())
                        .allSatisfy(p -> assertThat(p.replicas()).hasSize(3))
                        .allSatisfy(p -> assertThat(p.isr()).hasSize(3));
                assertThat(admin.describeCluster().nodes().get()).hasSize(3);
            }
            Properties props = producerProps(kafka);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                RecordMetadata metadata = producer.send(new ProducerRecord<>("replicated", "k", "v"))
                        .get();
                assertThat(metadata.offset()).isZero();
            }
        }
    }

    @Test
    void aStoppedBrokerComesBackWithItsIdPortAndLogDirsAndRejoinsTheIsr() throws Exception {
        try (EmbeddedKafkaCluster kafka =
                EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.threeBrokers(EIGHT_MIB))) {
            createTopic(kafka, "bounce", 1, Map.of());
            Properties props = producerProps(kafka);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            try (Admin admin = kafka.admin();
                    KafkaProducer<String, String> producer =
                            new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("bounce", "k", "before-" + i))
                            .get();
                }
                int leader = partitionZero(admin, "bounce").leader().id();
                Node before = node(admin, leader);
                String logDir = logDirHolding(admin, leader, "bounce", 0);

                kafka.stopBroker(leader);

                assertThat(kafka.isBrokerRunning(leader)).isFalse();
                awaitTrue("leadership of bounce-0 moves off broker " + leader + " and its ISR drops it", () -> {
                    TopicPartitionInfo p = partitionZero(admin, "bounce");
                    return p.leader() != null
                            && p.leader().id() != leader
                            && p.isr().stream().noneMatch(n -> n.id() == leader);
                });
                for (int i = 0; i < 10; i++) {
                    // acks=all with min.insync.replicas=2: the two remaining replicas suffice.
                    producer.send(new ProducerRecord<>("bounce", "k", "during-" + i))
                            .get();
                }

                kafka.startBroker(leader);

                assertThat(kafka.isBrokerRunning(leader)).isTrue();
                Node after = node(admin, leader);
                assertThat(after.host()).isEqualTo(before.host());
                assertThat(after.port()).as("listener port").isEqualTo(before.port());
                assertThat(logDirHolding(admin, leader, "bounce", 0)).isEqualTo(logDir);
                awaitTrue(
                        "broker " + leader + " rejoins the ISR of bounce-0",
                        () -> partitionZero(admin, "bounce").isr().size() == 3);
                // A client that knows only the restarted broker's address finds the whole cluster.
                Properties onlyRestarted = new Properties();
                onlyRestarted.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, after.host() + ":" + after.port());
                try (Admin viaRestarted = Admin.create(onlyRestarted)) {
                    assertThat(viaRestarted.describeCluster().nodes().get())
                            .extracting(Node::id)
                            .containsExactlyInAnyOrderElementsOf(kafka.brokerIds());
                }
            }
            assertThat(consumeStrings(kafka, "bounce", 20, "read_uncommitted"))
                    .extracting(ConsumerRecord::value)
                    .hasSize(20)
                    .startsWith("before-0")
                    .endsWith("during-9");
        }
    }

    @Test
    void stoppingAStoppedBrokerStartingARunningOneOrNamingAnUnknownIdIsRefused() {
        try (EmbeddedKafkaCluster kafka =
                EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(EIGHT_MIB))) {
            int id = kafka.brokerIds().get(0);
            assertThatThrownBy(() -> kafka.startBroker(id))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("broker " + id + " is running; stop it first");
            assertThatThrownBy(() -> kafka.stopBroker(id + 100))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("no broker with id " + (id + 100) + "; the brokers are [" + id + "]");
            kafka.stopBroker(id);
            assertThatThrownBy(() -> kafka.stopBroker(id))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("broker " + id + " is already stopped");
            kafka.startBroker(id); // the single combined node comes back too
            assertThat(kafka.isBrokerRunning(id)).isTrue();
        }
    }

    private static TopicPartitionInfo partitionZero(Admin admin, String topic) throws Exception {
        return admin.describeTopics(Set.of(topic))
                .allTopicNames()
                .get()
                .get(topic)
                .partitions()
                .get(0);
    }

    private static Node node(Admin admin, int id) throws Exception {
        return admin.describeCluster().nodes().get().stream()
                .filter(n -> n.id() == id)
                .findFirst()
                .orElseThrow(() -> new AssertionError("broker " + id + " is not in the cluster"));
    }

    /** The log directory of broker {@code id} that holds a replica of {@code topic-partition}. */
    private static String logDirHolding(Admin admin, int id, String topic, int partition) throws Exception {
        var dirs = admin.describeLogDirs(List.of(id)).allDescriptions().get().get(id);
        return dirs.entrySet().stream()
                .filter(e -> e.getValue().replicaInfos().containsKey(new TopicPartition(topic, partition)))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow(() -> new AssertionError("broker " + id + " holds no replica of " + topic));
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 60 s waiting until " + what);
            }
            Thread.sleep(100);
        }
    }

    @Test
    void aFrameSizedRecordOfSixMebibytesPassesWhenClientsAreSizedForIt() throws Exception {
        try (EmbeddedKafkaCluster kafka =
                EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(EIGHT_MIB))) {
            createTopic(kafka, "frames", 1, Map.of("max.message.bytes", String.valueOf(EIGHT_MIB)));
            byte[] payload = new byte[6 << 20];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) (i * 31);
            }
            Properties props = producerProps(kafka);
            props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, EIGHT_MIB);
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("frames", payload)).get();
            }
            Properties consumerProps = consumerProps(kafka, "read_uncommitted");
            consumerProps.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, EIGHT_MIB);
            try (KafkaConsumer<byte[], byte[]> consumer =
                    new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of("frames"));
                List<byte[]> values = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (values.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                }
                assertThat(values).hasSize(1);
                assertThat(values.get(0)).isEqualTo(payload);
            }
        }
    }

    @Test
    void kafkaStreamsRunsExactlyOnceAndReadCommittedConsumersSeeEveryRecordOnce() throws Exception {
        try (EmbeddedKafkaCluster kafka =
                EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(EIGHT_MIB))) {
            createTopic(kafka, "in", 2, Map.of());
            createTopic(kafka, "out", 2, Map.of());

            StreamsBuilder builder = new StreamsBuilder();
            builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
                    .mapValues(v -> v.toUpperCase(java.util.Locale.ROOT))
                    .to("out", Produced.with(Serdes.String(), Serdes.String()));
            Properties streamsProps = new Properties();
            streamsProps.put(StreamsConfig.APPLICATION_ID_CONFIG, "eos-smoke");
            streamsProps.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            streamsProps.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            streamsProps.put(
                    StreamsConfig.STATE_DIR_CONFIG,
                    java.nio.file.Files.createTempDirectory("eos-smoke").toString());

            try (KafkaProducer<String, String> producer = stringProducer(kafka)) {
                for (int i = 0; i < 50; i++) {
                    producer.send(new ProducerRecord<>("in", "k" + (i % 5), "v" + i));
                }
            }
            try (KafkaStreams streams = new KafkaStreams(builder.build(), streamsProps)) {
                streams.start();
                List<ConsumerRecord<String, String>> out = consumeStrings(kafka, "out", 50, "read_committed");
                assertThat(out)
                        .extracting(ConsumerRecord::value)
                        .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 50)
                                .mapToObj(i -> "V" + i)
                                .toList());
                streams.close(Duration.ofSeconds(30));
            }
        }
    }

    @Test
    void threeBrokersWithSaslPlainReplicateOverSaslAndServeOnlyTheirUsers() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(
                EmbeddedKafkaCluster.Settings.threeBrokers(EIGHT_MIB).withSaslPlain(Map.of("alice", "alice-pw")))) {
            createTopic(kafka, "secured", 1, Map.of());
            Properties props = producerProps(kafka);
            props.putAll(saslPlain("alice", "alice-pw"));
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                assertThat(producer.send(new ProducerRecord<>("secured", "k", "v"))
                                .get()
                                .offset())
                        .isZero();
            }
            try (Admin admin = kafka.admin()) {
                assertThat(admin.describeTopics(Set.of("secured"))
                                .allTopicNames()
                                .get()
                                .get("secured")
                                .partitions())
                        .allSatisfy(p -> assertThat(p.isr()).hasSize(3));
            }
            Properties wrong = new Properties();
            wrong.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            wrong.putAll(saslPlain("alice", "not-alice-pw"));
            try (Admin admin = Admin.create(wrong)) {
                assertThatThrownBy(() -> admin.listTopics().names().get(60, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(SaslAuthenticationException.class)
                        .hasMessageEndingWith("Authentication failed: Invalid username or password");
            }
        }
    }

    private static Map<String, String> saslPlain(String user, String password) {
        return Map.of(
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", EmbeddedKafkaCluster.SaslPlain.jaasConfig(user, password));
    }

    private static Properties producerProps(EmbeddedKafkaCluster kafka) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return props;
    }

    private static KafkaProducer<String, String> stringProducer(EmbeddedKafkaCluster kafka) {
        return new KafkaProducer<>(producerProps(kafka), new StringSerializer(), new StringSerializer());
    }

    private static Properties consumerProps(EmbeddedKafkaCluster kafka, String isolation) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "smoke-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        return props;
    }

    /** Polls until {@code expected} records arrived, then one more poll to catch any duplicate. */
    private static List<ConsumerRecord<String, String>> consumeStrings(
            EmbeddedKafkaCluster kafka, String topic, int expected, String isolation) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                consumerProps(kafka, isolation), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            return records;
        }
    }

    /**
     * Creates a topic and returns once its partitions answer an end-offset query, so that the first
     * produce is not refused by a broker that has not opened the log yet.
     */
    private static void createTopic(EmbeddedKafkaCluster kafka, String name, int partitions, Map<String, String> config)
            throws Exception {
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(
                                    name, partitions, (short) kafka.settings().brokers())
                            .configs(config)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                ends.put(new TopicPartition(name, p), OffsetSpec.latest());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    admin.listOffsets(ends).all().get(30, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(50);
                }
            }
        }
    }
}
