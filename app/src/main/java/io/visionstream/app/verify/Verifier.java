package io.visionstream.app.verify;

import io.visionstream.schemas.avro.DeadLetter;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.serde.AvroSerdes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Checks that every input record has exactly one outcome. Every outcome names its input record exactly:
 * a prediction by its lineage (input topic, partition, offset), a dead letter by its source topic,
 * partition and offset. So the check is by identity, not by counts: an input offset with no outcome is
 * missing, one with two is duplicated. Per source, predictions must arrive in input order.
 *
 * <p>Reads each topic from the beginning up to its end offsets as of the call, with read_committed
 * (only what committed transactions wrote counts). Run it once producers have stopped and the processor
 * has drained; a record produced after the snapshot is not looked at.
 */
public final class Verifier {

    static final String NULL_KEY = "(null key)";

    /** The topics to read. */
    public record Topics(String input, String predictions, String deadLetters) {}

    private Verifier() {}

    /**
     * @param clientProps bootstrap servers and any client settings (security); group and offsets are set here
     * @param registry settings of the Avro serdes ({@code schema.registry.url}, ...)
     */
    public static Verification verify(Properties clientProps, Map<String, ?> registry, Topics topics) {
        Map<String, Map<Long, String>> inputs = new HashMap<>();
        readAll(clientProps, topics.input(), record -> inputs.computeIfAbsent(
                        record.topic() + "/" + record.partition(), k -> new HashMap<>())
                .put(
                        record.offset(),
                        record.key() == null ? NULL_KEY : new String(record.key(), StandardCharsets.UTF_8)));

        Map<String, Integer> outcomeCount = new HashMap<>();
        Map<String, Long> lastPredictedOffset = new HashMap<>();
        Map<String, Long> outOfOrder = new HashMap<>();
        long[] strays = {0};
        long[] predictions = {0};
        long[] deadLetters = {0};

        Deserializer<Prediction> predictionReader =
                AvroSerdes.specific(Prediction.class, registry, false).deserializer();
        readAll(clientProps, topics.predictions(), record -> {
            predictions[0]++;
            Prediction p = predictionReader.deserialize(record.topic(), record.value());
            var lineage = p.getLineage();
            String partition = lineage.getInputTopic() + "/" + lineage.getInputPartition();
            String source = inputs.getOrDefault(partition, Map.of()).get(lineage.getInputOffset());
            if (source == null) {
                strays[0]++;
                return;
            }
            outcomeCount.merge(partition + "@" + lineage.getInputOffset(), 1, Integer::sum);
            Long last = lastPredictedOffset.put(source, lineage.getInputOffset());
            if (last != null && last > lineage.getInputOffset()) {
                outOfOrder.merge(source, 1L, Long::sum);
            }
        });
        Deserializer<DeadLetter> deadLetterReader =
                AvroSerdes.deadLetter(registry).deserializer();
        readAll(clientProps, topics.deadLetters(), record -> {
            deadLetters[0]++;
            DeadLetter d = deadLetterReader.deserialize(record.topic(), record.value());
            String partition = d.getSourceTopic() + "/" + d.getSourcePartition();
            if (!inputs.getOrDefault(partition, Map.of()).containsKey(d.getSourceOffset())) {
                strays[0]++;
                return;
            }
            outcomeCount.merge(partition + "@" + d.getSourceOffset(), 1, Integer::sum);
        });

        Map<String, long[]> perSource = new HashMap<>(); // produced, outcomes, missing, duplicated
        Map<String, List<Long>> missingOffsets = new TreeMap<>();
        long inputCount = 0;
        for (var partition : inputs.entrySet()) {
            for (var input : partition.getValue().entrySet()) {
                inputCount++;
                long[] c = perSource.computeIfAbsent(input.getValue(), k -> new long[4]);
                int n = outcomeCount.getOrDefault(partition.getKey() + "@" + input.getKey(), 0);
                c[0]++;
                c[1] += n;
                if (n == 0) {
                    c[2]++;
                    missingOffsets
                            .computeIfAbsent(partition.getKey(), k -> new ArrayList<>())
                            .add(input.getKey());
                } else {
                    c[3] += n - 1;
                }
            }
        }
        Map<String, Verification.SourceCount> sources = new HashMap<>();
        perSource.forEach((source, c) -> sources.put(
                source, new Verification.SourceCount(c[0], c[1], c[2], c[3], outOfOrder.getOrDefault(source, 0L))));
        missingOffsets.values().forEach(Collections::sort);
        return new Verification(sources, inputCount, predictions[0], deadLetters[0], strays[0], missingOffsets);
    }

    @FunctionalInterface
    private interface RecordHandler {
        void handle(ConsumerRecord<byte[], byte[]> record);
    }

    /** Reads a topic from the beginning to its end offsets as of now, committed records only. */
    private static void readAll(Properties clientProps, String topic, RecordHandler handler) {
        Properties props = new Properties();
        props.putAll(clientProps);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "vision-verify-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // With read_committed, end offsets are the last stable offsets: what committed transactions hold.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read " + topic + " to its end offsets " + end + " in 5 min");
                }
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                        handler.handle(record);
                    }
                }
            }
        }
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
