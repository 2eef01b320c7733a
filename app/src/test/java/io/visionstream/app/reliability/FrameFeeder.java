package io.visionstream.app.reliability;

import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.processing.TestFrames;
import io.visionstream.topology.topics.FrameSizing;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends frames from {@value #SOURCES} cameras in turn, one about every 20 ms, each acknowledged (acks=all)
 * before the next: frame {@code i} is frame {@code i / SOURCES} of camera {@code i % SOURCES}.
 */
final class FrameFeeder implements AutoCloseable {
    /** Cameras cam-0 .. cam-3. */
    static final int SOURCES = 4;

    private final KafkaProducer<byte[], byte[]> producer;
    private final TestFrames frames;
    private final String topic;
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final Thread thread = new Thread(this::run, "frame-feeder");
    private volatile boolean stopping;
    private volatile Throwable failure;

    FrameFeeder(String bootstrapServers, Map<String, Object> registry, VisionConfig config) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putAll(new FrameSizing(config.maxFrameBytes()).frameProducerOverrides());
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.frames = new TestFrames(registry);
        this.topic = config.topics().input();
        thread.setDaemon(true);
    }

    static String source(long i) {
        return "cam-" + (i % SOURCES);
    }

    static long sequence(long i) {
        return i / SOURCES;
    }

    void start() {
        thread.start();
    }

    private void run() {
        try {
            while (!stopping) {
                long i = started.getAndIncrement();
                String source = source(i);
                var frame = frames.frame(source, sequence(i), System.currentTimeMillis());
                producer.send(new ProducerRecord<>(topic, TestFrames.key(source), frames.serialize(topic, frame)))
                        .get();
                sent.incrementAndGet();
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failure = e;
        }
    }

    /** Frames whose send has begun. */
    long started() {
        return started.get();
    }

    /** Frames acknowledged by the cluster; frames 0 .. sent()-1. */
    long sent() {
        return sent.get();
    }

    Throwable failure() {
        return failure;
    }

    /** Stops after the frame in flight is acknowledged. */
    void stop() throws InterruptedException {
        stopping = true;
        thread.join(150_000);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        producer.close(Duration.ofSeconds(10));
    }
}
