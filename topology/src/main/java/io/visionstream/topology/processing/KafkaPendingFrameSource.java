package io.visionstream.topology.processing;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Reads pending frames back from the input topic with a consumer configured as Kafka Streams configures
 * its restore consumer: the application's connection and security settings, the main consumer's
 * isolation level (read_committed under exactly-once, so a frame is read back exactly as the task first
 * read it), no group and no committed offsets. One consumer per restored task, closed after its read.
 */
final class KafkaPendingFrameSource implements PendingFrameSource {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration timeout;

    private KafkaPendingFrameSource(KafkaConsumer<byte[], byte[]> consumer, Duration timeout) {
        this.consumer = consumer;
        this.timeout = timeout;
    }

    static PendingFrameSource open(Map<String, Object> appConfigs, String clientId) {
        StreamsConfig streams = new StreamsConfig(appConfigs);
        Map<String, Object> props = new HashMap<>(streams.getRestoreConsumerConfigs(clientId));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        // The consumer's own default.api.timeout.ms (60 s unless configured) bounds each look-up and the read.
        Object configured = props.get(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
        long timeoutMs = configured == null ? 60_000L : Long.parseLong(configured.toString());
        return new KafkaPendingFrameSource(consumer, Duration.ofMillis(timeoutMs));
    }

    @Override
    public Map<Long, InputRecord> read(String topic, int partition, SortedSet<Long> offsets) {
        Map<Long, InputRecord> found = new HashMap<>();
        if (offsets.isEmpty()) {
            return found;
        }
        TopicPartition tp = new TopicPartition(topic, partition);
        consumer.assign(List.of(tp));
        long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
        TreeSet<Long> wanted = new TreeSet<>(offsets.headSet(end));
        long deadline = System.nanoTime() + timeout.toNanos();
        dropDeleted(tp, wanted);
        if (!wanted.isEmpty()) {
            consumer.seek(tp, wanted.first());
        }
        while (!wanted.isEmpty() && consumer.position(tp, timeout) <= wanted.last()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read back " + wanted.size() + " pending frame(s) of " + tp
                        + " within " + timeout.toMillis() + " ms (default.api.timeout.ms)");
            }
            try {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (wanted.remove(r.offset())) {
                        found.put(
                                r.offset(),
                                new InputRecord(topic, partition, r.offset(), r.key(), r.value(), r.timestamp()));
                    }
                }
            } catch (OffsetOutOfRangeException e) {
                // Retention removed the start of what is wanted between the look-up and the fetch.
                dropDeleted(tp, wanted);
                if (!wanted.isEmpty()) {
                    consumer.seek(tp, wanted.first());
                }
            }
            // Offsets passed over without a record (none are expected below the read position) are gone.
            long position = consumer.position(tp, timeout);
            wanted.headSet(position).clear();
        }
        return found;
    }

    /** Forgets the wanted offsets below the partition's log start: those records are gone. */
    private void dropDeleted(TopicPartition tp, TreeSet<Long> wanted) {
        long start = consumer.beginningOffsets(List.of(tp), timeout).get(tp);
        wanted.headSet(start).clear();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
