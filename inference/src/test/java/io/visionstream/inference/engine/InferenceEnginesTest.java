package io.visionstream.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InferenceEnginesTest {

    @Test
    void intraOpThreadsCanBeSetAtRuntimeAndReadBack() {
        int before = InferenceEngines.intraOpThreads();
        try {
            InferenceEngines.setIntraOpThreads(1);
            assertThat(InferenceEngines.intraOpThreads()).isEqualTo(1);
            InferenceEngines.setIntraOpThreads(3);
            assertThat(InferenceEngines.intraOpThreads()).isEqualTo(3);
        } finally {
            InferenceEngines.setIntraOpThreads(before);
        }
    }

    @Test
    void fewerThanOneThreadIsRefusedWithTheSettingName() {
        assertThatThrownBy(() -> InferenceEngines.setIntraOpThreads(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inference.threads must be at least 1, got 0");
    }
}
