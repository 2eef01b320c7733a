package io.visionstream.app.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.schemas.avro.DeadLetter;
import io.visionstream.schemas.avro.FailureStage;
import io.visionstream.schemas.avro.Lineage;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.avro.PredictionStatus;
import io.visionstream.schemas.avro.Timings;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.topology.KafkaTopics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The verifier finds exactly what was planted: a missing outcome, a duplicate, a reordering, a stray. */
class VerifierIT {

    private final Map<String, Object> registry = Map.of("schema.registry.url", "mock://verifier-" + UUID.randomUUID());

    private static Prediction prediction(String source, long offset) {
        return Prediction.newBuilder()
                .setSourceId(source)
                .setSequence(offset)
                .setCaptureTime(Instant.EPOCH)
                .setStatus(PredictionStatus.OK)
                .setTopK(List.of())
                .setSegmentation(null)
                .setLineage(new Lineage("m", "v", "in", 0, offset, "b", 1))
                .setTimings(new Timings(0.0, 0.0, 0.0))
                .build();
    }

    @Test
    void countsMissingDuplicatedOutOfOrderAndStrayOutcomesPerSource() throws Exception {
        try (EmbeddedKafkaCluster kafka =
                EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(16 << 20))) {
            KafkaTopics.create(kafka, "in", 1, Map.of());
            KafkaTopics.create(kafka, "out", 1, Map.of());
            KafkaTopics.create(kafka, "dlq", 1, Map.of());
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            var predictions =
                    AvroSerdes.specific(Prediction.class, registry, false).serializer();
            var deadLetters = AvroSerdes.deadLetter(registry).serializer();
            try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
                // inputs: offsets 0-2 cam-0, 3-4 cam-1, 5 without a key
                for (String key : new String[] {"cam-0", "cam-0", "cam-0", "cam-1", "cam-1", null}) {
                    producer.send(new ProducerRecord<>(
                                    "in", key == null ? null : key.getBytes(StandardCharsets.UTF_8), new byte[] {1}))
                            .get();
                }
                // cam-0: 0, 2, 1 (1 after 2 is out of order), 2 again (a duplicate); cam-1: 3 only (4 missing)
                for (long[] p : new long[][] {{0}, {2}, {1}, {2}, {3}}) {
                    String source = p[0] < 3 ? "cam-0" : "cam-1";
                    producer.send(new ProducerRecord<>(
                                    "out",
                                    source.getBytes(StandardCharsets.UTF_8),
                                    predictions.serialize("out", prediction(source, p[0]))))
                            .get();
                }
                // an outcome for an offset the input topic does not have
                producer.send(new ProducerRecord<>("out", null, predictions.serialize("out", prediction("cam-9", 99))))
                        .get();
                // the key-less input became a dead letter
                DeadLetter letter = DeadLetter.newBuilder()
                        .setOriginalKey(null)
                        .setOriginalValue(ByteBuffer.wrap(new byte[] {1}))
                        .setSourceTopic("in")
                        .setSourcePartition(0)
                        .setSourceOffset(5)
                        .setErrorClass("NullKey")
                        .setErrorMessage("record key is null")
                        .setStage(FailureStage.VALIDATE)
                        .setFailedAt(Instant.EPOCH)
                        .build();
                producer.send(new ProducerRecord<>("dlq", null, deadLetters.serialize("dlq", letter)))
                        .get();
            }

            Properties client = new Properties();
            client.put("bootstrap.servers", kafka.bootstrapServers());
            Verification v = Verifier.verify(client, registry, new Verifier.Topics("in", "out", "dlq"));

            assertThat(v.sources().get("cam-0")).isEqualTo(new Verification.SourceCount(3, 4, 0, 1, 1));
            assertThat(v.sources().get("cam-1")).isEqualTo(new Verification.SourceCount(2, 1, 1, 0, 0));
            assertThat(v.sources().get("(null key)")).isEqualTo(new Verification.SourceCount(1, 1, 0, 0, 0));
            assertThat(v.inputs()).isEqualTo(6);
            assertThat(v.predictions()).isEqualTo(6);
            assertThat(v.deadLetters()).isEqualTo(1);
            assertThat(v.strays()).isEqualTo(1);
            assertThat(v.missingOffsets()).isEqualTo(Map.of("in/0", List.of(4L)));
            assertThat(v.clean()).isFalse();
            assertThat(v.lines()).last().asString().endsWith("NOT CLEAN");
        }
    }
}
