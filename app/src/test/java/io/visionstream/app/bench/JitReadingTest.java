package io.visionstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JitReadingTest {

    @Test
    void compileTimeOverWallTimeIsTheCoresTheCompilersUsed() {
        Machine.JitReading start = new Machine.JitReading(1_000, 5_000_000_000L);
        Machine.JitReading end = new Machine.JitReading(1_500, 7_000_000_000L);

        assertThat(end.coresSince(start)).isEqualTo(0.25);
    }

    @Test
    void aJvmThatDoesNotReportCompilationTimeGivesNaN() {
        Machine.JitReading start = new Machine.JitReading(-1, 0);
        Machine.JitReading end = new Machine.JitReading(-1, 1_000_000_000L);

        assertThat(end.coresSince(start)).isNaN();
    }

    @Test
    void noTimeBetweenReadingsGivesNaNRatherThanInfinity() {
        Machine.JitReading reading = new Machine.JitReading(10, 1_000);

        assertThat(reading.coresSince(reading)).isNaN();
    }

    @Test
    void thisJvmsReadingsMoveForward() {
        Machine.JitReading first = Machine.JitReading.now();
        Machine.JitReading second = Machine.JitReading.now();

        assertThat(second.nanos()).isGreaterThanOrEqualTo(first.nanos());
        assertThat(second.compileMillis()).isGreaterThanOrEqualTo(first.compileMillis());
    }
}
