package io.visionstream.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    private final LearningRateSchedule schedule = new LearningRateSchedule(1e-3, 1e-5, 10, 110);

    @Test
    void warmsUpLinearlyToThePeak() {
        assertThat(schedule.at(0)).isCloseTo(1e-4, within(1e-12));
        assertThat(schedule.at(4)).isCloseTo(5e-4, within(1e-12));
        assertThat(schedule.at(9)).isCloseTo(1e-3, within(1e-12));
    }

    @Test
    void cosineStartsAtThePeakPassesTheMidpointAndEndsAtTheFloor() {
        assertThat(schedule.at(10)).isCloseTo(1e-3, within(1e-12));
        // t = 49.5/99 = 0.5: halfway between peak and floor
        assertThat((schedule.at(59) + schedule.at(60)) / 2).isCloseTo((1e-3 + 1e-5) / 2, within(1e-7));
        assertThat(schedule.at(109)).isCloseTo(1e-5, within(1e-12));
    }

    @Test
    void rejectsWarmupLongerThanTheRun() {
        assertThatThrownBy(() -> new LearningRateSchedule(1e-3, 0, 20, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("warmup-steps must be in 0..10, got 20");
    }
}
