package io.visionstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyTailTest {

    /** 98 quick frames of batch 2 and two slow frames of batch 16, the first of which overlaps a pause. */
    private static List<LatencyTail.Sample> samples() {
        List<LatencyTail.Sample> out = new ArrayList<>();
        for (int i = 0; i < 98; i++) {
            // 10 ms queue, 20 ms inference, 10 ms rest; captured every 100 ms from t=0.
            out.add(new LatencyTail.Sample(i * 100L, 40, 60, 10, 20, 2));
        }
        // Captured at 10,000 and 20,000: 50 queue, 100 inference, 250 rest.
        out.add(new LatencyTail.Sample(10_000L, 400, 420, 50, 100, 16));
        out.add(new LatencyTail.Sample(20_000L, 400, 420, 50, 100, 16));
        return out;
    }

    @Test
    void splitsTheTailIntoItsComponentsAndFindsThePauseItOverlaps() {
        List<LatencyTail.Pause> pauses = List.of(
                new LatencyTail.Pause("G1 Young Generation", "G1 Evacuation Pause", 10_100, 120),
                // Between frames 5 and 6 (captured at 500 and 600, each alive 40 ms): overlaps none.
                new LatencyTail.Pause("G1 Young Generation", "G1 Evacuation Pause", 550, 30));
        LatencyTail.Split s = LatencyTail.of(samples(), pauses, 10.4, 0.05);

        assertThat(s.frames()).isEqualTo(100);
        assertThat(s.endToEnd()).containsExactly(40, 400);
        assertThat(s.seen()).containsExactly(60, 420);
        assertThat(s.queue()).containsExactly(10, 50);
        assertThat(s.inference()).containsExactly(20, 100);
        assertThat(s.rest()).containsExactly(10, 250);
        assertThat(s.tailRatio()).isEqualTo(10.0);
        // Nearest rank: the 99th of 100 values is the first slow frame, so both slow frames are the tail.
        assertThat(s.tailFrames()).isEqualTo(2);
        assertThat(s.tailMeans()).containsExactly(400, 50, 100, 250, 16);
        assertThat(s.allMeans()[0]).isCloseTo((98 * 40 + 2 * 400) / 100.0, within(1e-9));
        assertThat(s.allMeans()[4]).isCloseTo((98 * 2 + 2 * 16) / 100.0, within(1e-9));
        assertThat(s.pauses()).isEqualTo(2);
        assertThat(s.pauseTotalMs()).isEqualTo(150);
        assertThat(s.pauseMaxMs()).isEqualTo(120);
        assertThat(s.pausesOverlappingTail()).isEqualTo(1);
        assertThat(s.pausesOverlappingAll()).isEqualTo(1);

        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        LatencyTail.print(s, new PrintStream(buffer, true, StandardCharsets.UTF_8));
        assertThat(buffer.toString(StandardCharsets.UTF_8))
                .contains("latency split over 100 predictions in 10 s")
                .contains("rest (Kafka in, decode, worker wait, forward)")
                .contains("10 ms / 250 ms")
                .contains("2, 150 ms in all, longest 120 ms; overlapping 1 of 2 tail frames, 1 of 100 frames");
    }

    @Test
    void frameWithoutInferenceCountsItsWholeLatencyOutsideTheModel() {
        LatencyTail.Sample skipped = new LatencyTail.Sample(0, 30, 35, 5, Double.NaN, 0);
        assertThat(skipped.restMs()).isEqualTo(25);
        LatencyTail.Split s = LatencyTail.of(List.of(skipped), List.of(), 1, Double.NaN);
        assertThat(s.inference()).containsExactly(Double.NaN, Double.NaN);
        assertThatThrownBy(() -> LatencyTail.of(List.of(), List.of(), 1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no predictions");
    }

    @Test
    void recordsTheCollectionsOfThisJvm() throws Exception {
        try (LatencyTail.Pauses pauses = new LatencyTail.Pauses()) {
            long before = System.currentTimeMillis();
            System.gc();
            // The collector beans announce a collection on their own thread, shortly after it ends.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (pauses.snapshot().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(pauses.snapshot()).isNotEmpty().allSatisfy(p -> {
                assertThat(p.collector()).isNotBlank();
                assertThat(p.durationMs()).isNotNegative();
                // Start times come from the JVM's uptime clock; allow its millisecond rounding.
                assertThat(p.startMs()).isGreaterThanOrEqualTo(before - 1_000);
            });
            assertThat(pauses.snapshot()).anyMatch(p -> p.cause().equals("System.gc()"));
        }
    }
}
