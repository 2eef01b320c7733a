package io.visionstream.topology.processing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.metrics.VisionMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The meters move exactly with what the topology does, under a clock the test drives. */
class FrameMetricsTest {

    private static final long START_MS = 1_700_000_000_000L;
    private static InferenceEngine engine;

    private final AtomicLong clock = new AtomicLong(START_MS);
    private final Map<String, Object> registryUrl =
            Map.of("schema.registry.url", "mock://frame-metrics-" + UUID.randomUUID());
    private final TestFrames frames = new TestFrames(registryUrl);
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> input;

    @BeforeAll
    static void loadModel() {
        engine = TestFrames.tinyEngine();
    }

    @AfterAll
    static void closeModel() {
        engine.close();
    }

    @BeforeEach
    void start() {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", "unused:9092");
        settings.put("schema.registry.url", (String) registryUrl.get("schema.registry.url"));
        settings.put("model.dir", "tiny-test");
        settings.put("max.batch.size", "4");
        settings.put("max.batch.delay.ms", "40");
        settings.put("max.frame.age.ms", "1000");
        VisionConfig config = VisionConfig.from(settings);
        Properties props = StreamsProperties.of(config);
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/ttd-" + UUID.randomUUID());
        VisionMetrics metrics = new VisionMetrics(meters, true, 100);
        driver = new TopologyTestDriver(
                VisionTopology.build(
                        config, engine, new ModelIdentity("tiny-test", "v1"), clock::get, Runnable::run, metrics),
                props,
                Instant.ofEpochMilli(START_MS));
        input = driver.createInputTopic("frames", new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    private void send(String source, long sequence, long captureMs) {
        input.pipeInput(
                TestFrames.key(source),
                frames.serialize("frames", frames.frame(source, sequence, captureMs)),
                clock.get());
    }

    private void advance(long ms) {
        clock.addAndGet(ms);
        driver.advanceWallClockTime(Duration.ofMillis(ms));
    }

    private double count(String name, String tag, String value) {
        return meters.get(name).tag(tag, value).counter().count();
    }

    private double gauge(String name) {
        return meters.get(name).gauge().value();
    }

    @Test
    void eachRecordCountsOnceAsReceivedAndOnceUnderItsOutcome() {
        for (int i = 0; i < 4; i++) {
            send("cam-a", i, clock.get());
        }
        send("cam-b", 0, clock.get());
        assertThat(gauge("visionstream.pending.frames")).isEqualTo(1);
        advance(40);
        input.pipeInput(TestFrames.key("cam-a"), new byte[] {0, 0, 0, 0x7f, 0x7f, 1, 2, 3}, clock.get());
        input.pipeInput(null, frames.serialize("frames", frames.frame("cam-a", 9, clock.get())), clock.get());
        send("cam-c", 0, clock.get() - 5_000);

        assertThat(meters.get("visionstream.frames.received").counter().count()).isEqualTo(8);
        assertThat(count("visionstream.outcomes", "outcome", "ok")).isEqualTo(5);
        assertThat(count("visionstream.outcomes", "outcome", "dead_letter")).isEqualTo(2);
        assertThat(count("visionstream.outcomes", "outcome", "skipped_stale")).isEqualTo(1);
        assertThat(count("visionstream.dead.letters", "stage", "deserialize")).isEqualTo(1);
        assertThat(count("visionstream.dead.letters", "stage", "validate")).isEqualTo(1);
        assertThat(count("visionstream.dead.letters", "stage", "decode")).isZero();
        assertThat(count("visionstream.camera.frames", "camera", "cam-a")).isEqualTo(4);
        assertThat(count("visionstream.camera.frames", "camera", "cam-b")).isEqualTo(1);
        assertThat(count("visionstream.camera.frames", "camera", "cam-c")).isEqualTo(1);
        assertThat(meters.get("visionstream.camera.last.frame.timestamp")
                        .tag("camera", "cam-b")
                        .gauge()
                        .value())
                .isEqualTo(START_MS / 1000.0);
        assertThat(gauge("visionstream.pending.frames")).isZero();
        assertThat(gauge("visionstream.inflight.batches")).isZero();
    }

    @Test
    void batchesCountByTriggerWithTheirSizesAndTheDelayedFramesQueueTime() {
        for (int i = 0; i < 4; i++) {
            send("cam-a", i, clock.get());
        }
        send("cam-b", 0, clock.get());
        advance(40);

        assertThat(count("visionstream.batches", "trigger", "size")).isEqualTo(1);
        assertThat(count("visionstream.batches", "trigger", "delay")).isEqualTo(1);
        var sizes = meters.get("visionstream.batch.size").summary();
        assertThat(sizes.count()).isEqualTo(2);
        assertThat(sizes.totalAmount()).isEqualTo(5);
        var queue = meters.get("visionstream.frame.queue").timer();
        assertThat(queue.count()).isEqualTo(5);
        assertThat(queue.max(TimeUnit.MILLISECONDS)).isEqualTo(40);
        assertThat(meters.get("visionstream.batch.inference").timer().count()).isEqualTo(2);
        var endToEnd = meters.get("visionstream.end.to.end").timer();
        assertThat(endToEnd.count()).isEqualTo(5);
        assertThat(endToEnd.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(40);
    }
}
