package io.visionstream.app.reliability;

import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.serde.AvroSerdes;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Follows the predictions topic in the background with {@code read_committed}, as a downstream reader
 * would, and keeps who published what: every prediction names the batch it ran in, and a batch id
 * begins with the stream thread's name, which begins with the instance's {@code client.id}. So the tail
 * can tell which processor JVM published an outcome and which input partition it came from. It is for
 * pacing a scenario and for checking that instances really did work; the verdict is the {@link
 * io.visionstream.app.verify.Verifier}'s.
 *
 * <p>Thread-safe.
 */
final class OutputTail implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Deserializer<Prediction> predictions;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /** Outcomes per instance and input partition. */
    private final Map<String, Map<Integer, Long>> published = new HashMap<>();
    /** The instance that published the latest outcome of each input partition. */
    private final Map<Integer, String> latestPublisher = new TreeMap<>();
    /** Distinct input records with an outcome, as "partition@offset". */
    private final Set<String> distinct = new HashSet<>();
    /** When the tail last read an outcome of each instance, System.nanoTime(). */
    private final Map<String, Long> lastSeenNanos = new HashMap<>();

    OutputTail(String bootstrapServers, String registryUrl, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "reliability-tail-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        predictions = AvroSerdes.specific(Prediction.class, Map.of("schema.registry.url", registryUrl), false)
                .deserializer();
        consumer.subscribe(List.of(topic));
        thread = new Thread(this::follow, "output-tail-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void follow() {
        try {
            while (running.get()) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    Prediction p = predictions.deserialize(record.topic(), record.value());
                    add(
                            instanceOf(p.getLineage().getBatchId()),
                            p.getLineage().getInputPartition(),
                            p.getLineage().getInputOffset());
                }
            }
        } catch (WakeupException e) {
            // close() stops the tail
        } catch (RuntimeException e) {
            failure.set(e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** The {@code client.id} that begins a batch id {@code <client.id>-StreamThread-<n>-<batch>}. */
    static String instanceOf(String batchId) {
        if (batchId == null) {
            return "(no batch)";
        }
        int end = batchId.indexOf("-StreamThread-");
        return end < 0 ? batchId : batchId.substring(0, end);
    }

    private synchronized void add(String instance, int partition, long offset) {
        published.computeIfAbsent(instance, k -> new TreeMap<>()).merge(partition, 1L, Long::sum);
        latestPublisher.put(partition, instance);
        distinct.add(partition + "@" + offset);
        lastSeenNanos.put(instance, System.nanoTime());
    }

    /**
     * Milliseconds since the tail last read an outcome of {@code instance}; {@code Long.MAX_VALUE} if
     * never. Right after a batch is published this is small; frames that arrived since wait in the next.
     */
    synchronized long millisSinceLastOutcomeOf(String instance) {
        Long seen = lastSeenNanos.get(instance);
        return seen == null ? Long.MAX_VALUE : (System.nanoTime() - seen) / 1_000_000;
    }

    /** Outcomes {@code instance} published, all partitions together. */
    synchronized long outcomesFrom(String instance) {
        return published.getOrDefault(instance, Map.of()).values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }

    /** Outcomes {@code instance} published per input partition. */
    synchronized Map<Integer, Long> outcomesByPartition(String instance) {
        return Map.copyOf(published.getOrDefault(instance, Map.of()));
    }

    /** Input partitions whose latest outcome {@code instance} published: those it owns, as far as seen. */
    synchronized Set<Integer> partitionsLatestPublishedBy(String instance) {
        Set<Integer> out = new java.util.TreeSet<>();
        latestPublisher.forEach((partition, publisher) -> {
            if (publisher.equals(instance)) {
                out.add(partition);
            }
        });
        return out;
    }

    /** Distinct input records that have at least one outcome. */
    synchronized int distinctOutcomes() {
        return distinct.size();
    }

    /** Who published how much, for failure messages. */
    synchronized String summary() {
        return "outcomes per instance and input partition " + published + ", latest publisher per partition "
                + latestPublisher + ", distinct input records with an outcome " + distinct.size();
    }

    /**
     * Polls {@code condition} until it holds.
     *
     * @throws AssertionError naming {@code what}, with the tail's summary and {@code context}, if it does
     *     not hold within {@code timeout} or the tail failed
     */
    void await(String what, BooleanSupplier condition, Duration timeout, Supplier<String> context)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (failure.get() != null) {
                throw new AssertionError("the output tail failed while waiting for " + what, failure.get());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "\n" + summary() + "\n"
                        + context.get());
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        consumer.wakeup();
        thread.join(10_000);
    }
}
