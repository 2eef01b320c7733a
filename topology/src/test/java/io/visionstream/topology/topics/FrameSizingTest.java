package io.visionstream.topology.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FrameSizingTest {

    private final FrameSizing sizing = new FrameSizing(8 << 20);

    @Test
    void theInputTopicHoldsAFrameWithRoomForKeyAndHeaders() {
        assertThat(sizing.inputTopicMessageBytes()).isEqualTo((8 << 20) + 65_536);
        assertThat(sizing.frameTopicConfig()).containsExactly(Map.entry("max.message.bytes", "8454144"));
    }

    @Test
    void theDeadLetterTopicHoldsAnythingTheInputTopicHoldsPlusTheDeadLetterFields() {
        assertThat(FrameSizing.deadLetterTopicMessageBytes(1_000_000)).isEqualTo(1_065_536);
    }

    @Test
    void streamsClientsCanSendAndFetchTheLargestDeadLetter() {
        int largest = (8 << 20) + 2 * 65_536;
        assertThat(sizing.streamsClientOverrides())
                .containsEntry("producer.max.request.size", largest)
                .containsEntry("consumer.max.partition.fetch.bytes", largest)
                .containsEntry("consumer.fetch.max.bytes", Math.max(largest, 52_428_800));
    }

    @Test
    void aNonPositiveLimitIsRefused() {
        assertThatThrownBy(() -> new FrameSizing(0)).hasMessage("max.frame.bytes must be positive, got 0");
    }
}
