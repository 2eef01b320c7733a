package io.visionstream.topology.processing;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Reads pending frames back from the input topic with a consumer configured as Kafka Streams configures
 * its restore consumer (the application's connection and security settings, no group, no committed
 * offsets) and made by the application's {@link org.apache.kafka.streams.KafkaClientSupplier} ({@code
 * default.client.supplier}), so a custom supplier makes this consumer too. One per stream thread (see
 * {@link ThreadFrameSource}). It reads uncommitted records too: an offset names one record whatever the
 * isolation level, and the offsets asked for were read once already, so this cannot return a record the
 * task did not see, and it never waits behind an open transaction.
 *
 * <p>Each read has one deadline: the consumer's {@code default.api.timeout.ms}, capped at half of {@code
 * max.poll.interval.ms} and, under exactly-once, half of the producer's {@code transaction.timeout.ms}, so a
 * read on the stream thread can neither cost the thread its group membership nor let its open transaction
 * time out. A read that misses its deadline throws Kafka's retriable {@link TimeoutException}; the frame
 * processor tries again until {@code task.timeout.ms} has passed. An offset at or past the partition's end
 * is not taken for gone: the end can lag briefly after a leader change, so it is asked again until the
 * deadline.
 */
final class KafkaPendingFrameSource implements PendingFrameSource {

    private final Consumer<byte[], byte[]> consumer;
    private final Duration timeout;

    private KafkaPendingFrameSource(Consumer<byte[], byte[]> consumer, Duration timeout) {
        this.consumer = consumer;
        this.timeout = timeout;
    }

    static PendingFrameSource open(Map<String, Object> appConfigs, String clientId) {
        StreamsConfig streams = new QuietStreamsConfig(appConfigs);
        Map<String, Object> props = new HashMap<>(streams.getRestoreConsumerConfigs(clientId));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Duration timeout = readTimeout(streams, props);
        return new KafkaPendingFrameSource(streams.getKafkaClientSupplier().getRestoreConsumer(props), timeout);
    }

    /** The deadline of one read (see the class comment). */
    static Duration readTimeout(StreamsConfig streams, Map<String, Object> consumerProps) {
        long timeoutMs = millis(consumerProps.get(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG), 60_000L);
        Object maxPoll =
                streams.getMainConsumerConfigs("unused", "unused", 0).get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG);
        timeoutMs = Math.min(timeoutMs, millis(maxPoll, 300_000L) / 2);
        if (!StreamsConfig.AT_LEAST_ONCE.equals(streams.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))) {
            Object txTimeout = streams.getProducerConfigs("unused").get(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
            timeoutMs = Math.min(timeoutMs, millis(txTimeout, 60_000L) / 2);
        }
        return Duration.ofMillis(Math.max(1, timeoutMs));
    }

    private static long millis(Object value, long absent) {
        return value == null ? absent : Long.parseLong(value.toString());
    }

    /** Kafka Streams' configuration without its INFO dump of every value, which it logged once already. */
    private static final class QuietStreamsConfig extends StreamsConfig {
        QuietStreamsConfig(Map<String, Object> props) {
            super(props, false);
        }
    }

    @Override
    public Map<Long, InputRecord> read(String topic, int partition, SortedSet<Long> offsets) {
        Map<Long, InputRecord> found = new HashMap<>();
        if (offsets.isEmpty()) {
            return found;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        TopicPartition tp = new TopicPartition(topic, partition);
        consumer.assign(List.of(tp));
        TreeSet<Long> wanted = new TreeSet<>(offsets);
        awaitEndPast(tp, wanted.last(), deadline);
        dropDeleted(tp, wanted, deadline);
        if (!wanted.isEmpty()) {
            consumer.seek(tp, wanted.first());
        }
        while (!wanted.isEmpty() && consumer.position(tp, remaining(deadline, tp, wanted)) <= wanted.last()) {
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
                dropDeleted(tp, wanted, deadline);
                if (!wanted.isEmpty()) {
                    consumer.seek(tp, wanted.first());
                }
            }
            // An offset passed over without a record is not in the log (compacted away or never written).
            long position = consumer.position(tp, remaining(deadline, tp, wanted));
            wanted.headSet(position).clear();
        }
        return found;
    }

    /** Waits until the partition's end is past {@code last}: it can lag briefly after a leader change. */
    private void awaitEndPast(TopicPartition tp, long last, long deadline) {
        long pause = Duration.ofMillis(200).toNanos();
        long end =
                consumer.endOffsets(List.of(tp), remaining(deadline, tp, null)).get(tp);
        while (end <= last) {
            if (System.nanoTime() + pause > deadline) {
                throw new TimeoutException("pending frame at offset " + last + " of " + tp + " is at or past the"
                        + " partition's end (" + end + ") after " + timeout.toMillis() + " ms"
                        + ": was the input topic deleted and created again?");
            }
            try {
                Thread.sleep(Duration.ofNanos(pause).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading back pending frames of " + tp, e);
            }
            end = consumer.endOffsets(List.of(tp), remaining(deadline, tp, null))
                    .get(tp);
        }
    }

    /** Forgets the wanted offsets below the partition's log start: those records are gone. */
    private void dropDeleted(TopicPartition tp, TreeSet<Long> wanted, long deadline) {
        long start = consumer.beginningOffsets(List.of(tp), remaining(deadline, tp, wanted))
                .get(tp);
        wanted.headSet(start).clear();
    }

    /** What is left of the read's deadline; a {@link TimeoutException} once it has passed. */
    private Duration remaining(long deadline, TopicPartition tp, TreeSet<Long> wanted) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new TimeoutException("could not read back " + (wanted == null ? "" : wanted.size() + " ")
                    + "pending frame(s) of " + tp + " within " + timeout.toMillis() + " ms");
        }
        return Duration.ofNanos(left);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
