package io.visionstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's mechanics on a tiny model; what it measures is not asserted (shared machines). */
class PipelineBenchmarkIT {

    @Test
    void measuresEveryFigureAndAccountsForEveryBacklogFrame() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PipelineBenchmark.Report report = PipelineBenchmark.run(
                new PipelineBenchmark.Options(
                        Path.of("../inference/src/test/resources/fixtures/vit/tiny"),
                        8,
                        20,
                        96,
                        48,
                        40,
                        2,
                        4,
                        Duration.ofSeconds(3),
                        2,
                        // More than the backlog: its frames are sent again in turn.
                        150),
                new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String text = buffer.toString(StandardCharsets.UTF_8);

        assertThat(report.pipelinePredictions()).as(text).isEqualTo(96);
        assertThat(report.batchSizes().values().stream()
                        .mapToInt(Integer::intValue)
                        .sum())
                .isEqualTo(96);
        assertThat(report.batchSizes().keySet())
                .allSatisfy(size -> assertThat(size).isBetween(1, 8));
        assertThat(report.engineBeforeFramesPerSecond()).isPositive();
        assertThat(report.engineAfterFramesPerSecond()).isPositive();
        assertThat(report.engineFramesPerSecond())
                .isEqualTo((report.engineBeforeFramesPerSecond() + report.engineAfterFramesPerSecond()) / 2);
        assertThat(report.pipelineFramesPerSecond()).isPositive();
        // HotSpot reports compilation time, so every timed phase has a figure (zero or more cores).
        assertThat(List.of(report.engineBeforeJitCores(), report.pipelineJitCores(), report.engineAfterJitCores()))
                .allSatisfy(cores -> assertThat(cores).isNotNaN().isGreaterThanOrEqualTo(0));
        assertThat(report.decodeFramesPerSecond()).isPositive();
        assertThat(report.decodeAndPreprocessFramesPerSecond()).isPositive();
        assertThat(report.latencyP99Ms()).isGreaterThanOrEqualTo(report.latencyP50Ms()); // by definition
        // A frame's queue and its batch's inference are parts of its end-to-end latency.
        assertThat(report.queueP50Ms()).isNotNaN().isBetween(0.0, report.latencyP50Ms());
        assertThat(report.batchInferenceP50Ms()).isPositive().isLessThanOrEqualTo(report.latencyP50Ms());
        assertThat(report.batchInferenceP99Ms()).isGreaterThanOrEqualTo(report.batchInferenceP50Ms());
        // Every frame is at least written to the store once as a tombstone.
        assertThat(report.changelogBytesPerFrame()).isPositive();
        // The tail split covers the frames after the settling quarter (0.75 s of the 3 s run).
        LatencyTail.Split tail = report.latencyTail();
        assertThat(tail).as(text).isNotNull();
        assertThat(tail.frames()).isPositive();
        assertThat(tail.endToEnd()[1]).isGreaterThanOrEqualTo(tail.endToEnd()[0]);
        assertThat(tail.tailFrames()).isBetween(1, tail.frames());
        // A read_committed consumer sees each prediction no earlier than it was published.
        assertThat(tail.seen()[0]).isGreaterThanOrEqualTo(tail.endToEnd()[0] - 1);
        assertThat(tail.jitCores()).isNotNaN().isNotNegative();
        assertThat(text)
                .contains("CPU vector flags: ")
                .contains("latency split over ")
                .contains("GC pauses in the window")
                .contains("pipeline warm-up, 150 frames")
                .contains("JIT compilers during (a) before / (b) / (a) after")
                .contains("of it: queue to batch start, p50 / p99")
                .contains("ratio (b)/(a)")
                .contains("machine: ")
                .contains("load average at end");
    }
}
