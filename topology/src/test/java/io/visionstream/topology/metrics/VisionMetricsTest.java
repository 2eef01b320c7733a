package io.visionstream.topology.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.visionstream.schemas.avro.FailureStage;
import io.visionstream.schemas.avro.PredictionStatus;
import io.visionstream.topology.batching.BatchInfo;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class VisionMetricsTest {

    private final MeterRegistry registry = new SimpleMeterRegistry();

    private double cameraFrames(String camera) {
        Counter counter = registry.find("visionstream.camera.frames")
                .tag("camera", camera)
                .counter();
        return counter == null ? -1 : counter.count();
    }

    private double lastFrameSeconds(String camera) {
        return registry.get("visionstream.camera.last.frame.timestamp")
                .tag("camera", camera)
                .gauge()
                .value();
    }

    @Test
    void everyFixedLabelValueIsRegisteredAtZeroBeforeAnythingHappens() {
        new VisionMetrics(registry, true, 10);
        assertThat(registry.get("visionstream.outcomes").counters())
                .extracting(c -> c.getId().getTag("outcome"))
                .containsExactlyInAnyOrder("ok", "dead_letter", "skipped_stale", "skipped_overload");
        assertThat(registry.get("visionstream.dead.letters").counters())
                .extracting(c -> c.getId().getTag("stage"))
                .containsExactlyInAnyOrder("unknown", "deserialize", "decode", "validate", "infer", "produce");
        assertThat(registry.get("visionstream.batches").counters())
                .extracting(c -> c.getId().getTag("trigger"))
                .containsExactlyInAnyOrder("size", "delay", "close");
        assertThat(registry.get("visionstream.outcomes").counters())
                .allSatisfy(c -> assertThat(c.count()).isZero());
    }

    @Test
    void camerasPastTheCapCountUnderOther() {
        VisionMetrics metrics = new VisionMetrics(registry, true, 2);
        metrics.inferred("cam-a", 1_000, 5, 10);
        metrics.inferred("cam-b", 2_000, 5, 10);
        metrics.inferred("cam-c", 3_000, 5, 10);
        metrics.skipped(PredictionStatus.SKIPPED_STALE, "cam-d", 4_500);
        metrics.inferred("cam-a", 5_000, 5, 10);

        assertThat(cameraFrames("cam-a")).isEqualTo(2);
        assertThat(cameraFrames("cam-b")).isEqualTo(1);
        assertThat(cameraFrames("cam-c")).isEqualTo(-1);
        assertThat(cameraFrames("cam-d")).isEqualTo(-1);
        assertThat(cameraFrames(VisionMetrics.OTHER_CAMERA)).isEqualTo(2);
        assertThat(lastFrameSeconds("cam-a")).isEqualTo(5.0);
        assertThat(lastFrameSeconds(VisionMetrics.OTHER_CAMERA)).isEqualTo(4.5);
    }

    @Test
    void camerasCanBeLeftUncounted() {
        VisionMetrics metrics = new VisionMetrics(registry, false, 100);
        metrics.inferred("cam-a", 1_000, 5, 10);
        assertThat(registry.find("visionstream.camera.frames").counters()).isEmpty();
        assertThat(registry.get("visionstream.outcomes")
                        .tag("outcome", "ok")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void aDeadLetterCountsAsAnOutcomeAndUnderItsStage() {
        VisionMetrics metrics = new VisionMetrics(registry, true, 10);
        metrics.deadLetter(FailureStage.DECODE);
        metrics.deadLetter(FailureStage.DECODE);
        metrics.deadLetter(FailureStage.VALIDATE);
        assertThat(registry.get("visionstream.outcomes")
                        .tag("outcome", "dead_letter")
                        .counter()
                        .count())
                .isEqualTo(3);
        assertThat(registry.get("visionstream.dead.letters")
                        .tag("stage", "decode")
                        .counter()
                        .count())
                .isEqualTo(2);
        assertThat(registry.get("visionstream.dead.letters")
                        .tag("stage", "validate")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void latenciesAreRecordedInTheirTimersAndAFutureCaptureTimeIsLeftOut() {
        VisionMetrics metrics = new VisionMetrics(registry, true, 10);
        metrics.inferred("cam-a", 1_000, 40, 120);
        metrics.inferred("cam-a", 1_000, 10, -5);
        var queue = registry.get("visionstream.frame.queue").timer();
        var endToEnd = registry.get("visionstream.end.to.end").timer();
        assertThat(queue.count()).isEqualTo(2);
        assertThat(queue.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(50);
        assertThat(endToEnd.count()).isEqualTo(1);
        assertThat(endToEnd.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS))
                .isEqualTo(120);
    }

    @Test
    void batchesAreCountedByTriggerWithTheirSizeAndInFlightUntilTheyLeave() {
        VisionMetrics metrics = new VisionMetrics(registry, true, 10);
        metrics.batchClosed(BatchInfo.Trigger.SIZE, 8);
        metrics.batchClosed(BatchInfo.Trigger.FORCED, 3);
        assertThat(registry.get("visionstream.inflight.batches").gauge().value())
                .isEqualTo(2);
        metrics.batchLeft();
        assertThat(registry.get("visionstream.inflight.batches").gauge().value())
                .isEqualTo(1);
        assertThat(registry.get("visionstream.batches")
                        .tag("trigger", "close")
                        .counter()
                        .count())
                .isEqualTo(1);
        var sizes = registry.get("visionstream.batch.size").summary();
        assertThat(sizes.count()).isEqualTo(2);
        assertThat(sizes.totalAmount()).isEqualTo(11);
    }

    @Test
    void theModelIsNamedByAGaugeOfOne() {
        new VisionMetrics(registry, true, 10).model("tiny", "sha256:abc", "vit_tiny", "cpu()", "fp32");
        var info = registry.get("visionstream.model.info")
                .tag("model_name", "tiny")
                .tag("model_version", "sha256:abc")
                .tag("architecture", "vit_tiny")
                .tag("device", "cpu()")
                .tag("precision", "fp32")
                .gauge();
        assertThat(info.value()).isEqualTo(1);
    }

    @Test
    void deviceMemoryReadsTheEngineAtEachScrapeAndNaNWhenItCannotSay() {
        VisionMetrics metrics = new VisionMetrics(registry, true, 10);
        OptionalLong[] used = {OptionalLong.of(1 << 30)};
        metrics.deviceMemory("gpu(0)", () -> used[0]);
        var gauge = registry.get("visionstream.device.memory.used").gauge();
        assertThat(gauge.value()).isEqualTo(1 << 30);
        used[0] = OptionalLong.empty();
        assertThat(gauge.value()).isNaN();
    }

    @Test
    void aCapBelowOneIsRefused() {
        assertThatThrownBy(() -> new VisionMetrics(registry, true, 0))
                .hasMessage("metrics.cameras.max must be at least 1, got 0");
    }
}
