package io.visionstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.SampleRecords;
import io.visionstream.schemas.registry.RegistryClientConfig;
import io.visionstream.schemas.registry.RegistryException;
import io.visionstream.schemas.registry.SchemaRegistryClient;
import io.visionstream.schemas.registry.SchemaRegistryClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Our client and serdes against the real Confluent Schema Registry (and a real Kafka broker as its store
 * and as the transport). Needs a Docker engine; JUnit reports the class as skipped where there is none.
 * Every behaviour here is also covered without Docker by the tests against the local HTTP stand-in.
 */
@Testcontainers(disabledWithoutDocker = true)
class ConfluentSchemaRegistryIT {
    private static final Network NETWORK = Network.newNetwork();

    @Container
    private static final KafkaContainer KAFKA = new KafkaContainer(DockerImageName.parse("apache/kafka:4.1.0"))
            .withNetwork(NETWORK)
            .withListener("kafka:19092");

    @Container
    private static final GenericContainer<?> REGISTRY = new GenericContainer<>(
                    DockerImageName.parse("confluentinc/cp-schema-registry:7.9.1"))
            .withNetwork(NETWORK)
            .withExposedPorts(8081)
            .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
            .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
            .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
            .dependsOn(KAFKA)
            .waitingFor(Wait.forHttp("/subjects").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(3)));

    private static Map<String, Object> config() {
        return Map.of(
                RegistryClientConfig.URL,
                "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8081),
                RegistryClientConfig.RETRIES_WAIT_MS,
                "100");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyContractRegistersAndRoundTripsThroughTheRealRegistry() {
        SchemaRegistryClient client = SchemaRegistryClients.create(config());
        for (SpecificRecord sample : SampleRecords.all()) {
            Class<SpecificRecord> type = (Class<SpecificRecord>) sample.getClass();
            String topic = "it-" + type.getSimpleName();
            byte[] bytes =
                    AvroSerdes.specific(type, config(), false).serializer().serialize(topic, sample);
            // A second serde has cold caches, so it really fetches the writer schema by id.
            SpecificRecord read =
                    AvroSerdes.specific(type, config(), false).deserializer().deserialize(topic, bytes);
            assertThat(read).isEqualTo(sample);
            assertThat(client.version(topic + "-value", SchemaRegistryClient.LATEST)
                            .id())
                    .isEqualTo(WireFormat.schemaId(topic, bytes));
        }
    }

    @Test
    void recordsTravelThroughKafka() {
        Serde<Frame> serde = AvroSerdes.specific(Frame.class, config(), false);
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers());
        try (KafkaProducer<String, Frame> producer =
                new KafkaProducer<>(producerProps, new StringSerializer(), serde.serializer())) {
            producer.send(new ProducerRecord<>("it-frames", "cam-7", SampleRecords.frame()));
            producer.flush();
        }
        Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers());
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "it-frames-reader");
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Serde<Frame> readSerde = AvroSerdes.specific(Frame.class, config(), false);
        try (KafkaConsumer<String, Frame> consumer =
                new KafkaConsumer<>(consumerProps, new StringDeserializer(), readSerde.deserializer())) {
            consumer.subscribe(List.of("it-frames"));
            List<Frame> values = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, Frame> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
            assertThat(values).containsExactly(SampleRecords.frame());
        }
    }

    @Test
    void aBreakingChangeIsRefused() {
        SchemaRegistryClient client = SchemaRegistryClients.create(config());
        client.register("it-breaking-value", Frame.getClassSchema());
        Schema breaking = new Schema.Parser()
                .parse(Frame.getClassSchema()
                        .toString()
                        .replace(
                                "\"fields\":[",
                                "\"fields\":[{\"name\":\"exposureMs\",\"type\":\"double\",\"doc\":\"no default\"},"));

        assertThat(client.testCompatibility("it-breaking-value", SchemaRegistryClient.LATEST, breaking)
                        .compatible())
                .isFalse();
        assertThatThrownBy(() -> client.register("it-breaking-value", breaking))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.errorCode()).isEqualTo(RegistryException.INCOMPATIBLE_SCHEMA);
                });
    }

    @Test
    void anUnknownIdIsTyped() {
        byte[] bytes = {0, 0x7f, 0, 0, 0, 0};
        assertThatThrownBy(() -> AvroSerdes.specific(Frame.class, config(), false)
                        .deserializer()
                        .deserialize("it-frames", bytes))
                .isInstanceOf(UnknownSchemaIdException.class)
                .hasMessage("Cannot deserialize a record from topic 'it-frames': schema id 2130706432 is unknown to the"
                        + " Schema Registry");
    }
}
