package io.visionstream.app.reliability;

import io.visionstream.schemas.avro.DeadLetter;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.topology.config.VisionConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the processor's predictions and dead letters as they are committed (read_committed), on a
 * thread of its own, so a test can wait for outcomes and look at them while the processor runs.
 *
 * <p>Thread-safe. Duplicates are kept in the counts; the verifier is what judges them.
 */
final class OutcomeCollector implements AutoCloseable {

    /** A dead letter as published: the record's key (the input record's key) and its value. */
    record Letter(byte[] key, DeadLetter value) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final VisionConfig.Topics topics;
    private final Deserializer<Prediction> predictionReader;
    private final Deserializer<DeadLetter> letterReader;
    private final Set<String> predicted = ConcurrentHashMap.newKeySet();
    private final AtomicLong predictions = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private final List<Letter> letters = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile Throwable failure;

    /** Subscribes to the predictions and dead-letter topics of {@code topics}, from the beginning. */
    OutcomeCollector(String bootstrapServers, Map<String, ?> registry, VisionConfig.Topics topics) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "outcomes-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topics = topics;
        this.predictionReader =
                AvroSerdes.specific(Prediction.class, registry, false).deserializer();
        this.letterReader = AvroSerdes.deadLetter(registry).deserializer();
        consumer.subscribe(List.of(topics.predictions(), topics.deadLetters()));
        this.thread = new Thread(this::run, "outcome-collector");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!closed) {
                for (var record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.topic().equals(topics.predictions())) {
                        Prediction p = predictionReader.deserialize(record.topic(), record.value());
                        predicted.add(id(p.getSourceId(), p.getSequence()));
                        predictions.incrementAndGet();
                    } else {
                        DeadLetter d = letterReader.deserialize(record.topic(), record.value());
                        synchronized (letters) {
                            letters.add(new Letter(record.key(), d));
                        }
                        deadLetters.incrementAndGet();
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private static String id(String source, long sequence) {
        return source + "/" + sequence;
    }

    /** Whether a prediction for frame {@code sequence} of {@code source} has been committed. */
    boolean predicted(String source, long sequence) {
        return predicted.contains(id(source, sequence));
    }

    /** Predictions plus dead letters read so far, duplicates included. */
    long outcomes() {
        return predictions.get() + deadLetters.get();
    }

    long predictions() {
        return predictions.get();
    }

    /** The dead letters read so far (since the last {@link #forgetDeadLetters()}), in the order read. */
    List<Letter> deadLetters() {
        synchronized (letters) {
            return List.copyOf(letters);
        }
    }

    /** Drops the dead letters kept so far (their original bytes), keeping the counts. */
    void forgetDeadLetters() {
        synchronized (letters) {
            letters.clear();
        }
    }

    /**
     * Waits until at least {@code n} outcomes have been read.
     *
     * @throws AssertionError naming the counts if they do not arrive in time, or if reading failed
     */
    void awaitOutcomes(long n, Duration timeout) throws InterruptedException {
        Await.until(
                "at least " + n + " outcomes are committed",
                timeout,
                () -> {
                    if (failure != null) {
                        throw new AssertionError("reading outcomes failed", failure);
                    }
                    return outcomes() >= n;
                },
                () -> "read " + predictions() + " predictions and " + deadLetters.get() + " dead letters");
    }

    /** The error that stopped reading, if any. */
    Throwable failure() {
        return failure;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        consumer.wakeup();
        thread.join(10_000);
    }
}
