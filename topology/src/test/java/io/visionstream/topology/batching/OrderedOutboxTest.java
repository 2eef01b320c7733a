package io.visionstream.topology.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderedOutboxTest {

    private final OrderedOutbox<String> outbox = new OrderedOutbox<>();
    private final List<String> released = new ArrayList<>();

    private int drain() {
        return outbox.drain((position, outcome) -> released.add(position + ":" + outcome));
    }

    @Test
    void anOutcomeKnownAtOnceWaitsBehindAnEarlierUnfinishedPosition() {
        outbox.reserve(5);
        outbox.reserve(6);
        outbox.complete(6, "dead-letter");
        assertThat(drain()).isZero();
        assertThat(released).isEmpty();

        outbox.complete(5, "prediction");
        assertThat(drain()).isEqualTo(2);
        assertThat(released).containsExactly("5:prediction", "6:dead-letter");
        assertThat(outbox.size()).isZero();
    }

    @Test
    void drainStopsAtTheFirstWaitingPosition() {
        for (long p = 1; p <= 4; p++) {
            outbox.reserve(p);
        }
        outbox.complete(1, "a");
        outbox.complete(2, "b");
        outbox.complete(4, "d");
        assertThat(drain()).isEqualTo(2);
        assertThat(released).containsExactly("1:a", "2:b");
        assertThat(outbox.size()).isEqualTo(2);
    }

    @Test
    void positionsMustIncrease() {
        outbox.reserve(10);
        assertThatThrownBy(() -> outbox.reserve(10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("positions must increase: 10 after 10");
        assertThatThrownBy(() -> outbox.reserve(9))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("positions must increase: 9 after 10");
    }

    @Test
    void aPositionStillWaitingCannotBeReservedLateAgain() {
        outbox.reserve(10);
        assertThatThrownBy(() -> outbox.reserveLate(10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("position 10 is already reserved");
        assertThat(outbox.isReserved(10)).isTrue();
        assertThat(outbox.isReserved(11)).isFalse();
    }

    @Test
    void aLatePositionIsReleasedBeforeTheLaterOnesStillWaiting() {
        outbox.reserve(87);
        outbox.reserve(90);
        outbox.reserveLate(88); // redelivered after a restore, between two resumed frames
        outbox.complete(90, "c");
        outbox.complete(87, "a");
        assertThat(drain()).isEqualTo(1);
        outbox.complete(88, "b");
        assertThat(drain()).isEqualTo(2);
        assertThat(released).containsExactly("87:a", "88:b", "90:c");
    }

    @Test
    void completingAnUnreservedPositionIsRefused() {
        assertThatThrownBy(() -> outbox.complete(3, "x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("position 3 was never reserved or was already released");
    }

    @Test
    void completingTwiceIsRefused() {
        outbox.reserve(3);
        outbox.complete(3, "x");
        assertThatThrownBy(() -> outbox.complete(3, "y"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("position 3 already has an outcome");
    }

    @Test
    void clearForgetsEverythingAndAcceptsPositionsFromTheStartAgain() {
        outbox.reserve(8);
        outbox.complete(8, "x");
        outbox.clear();
        assertThat(drain()).isZero();
        outbox.reserve(1);
        assertThat(outbox.size()).isEqualTo(1);
    }
}
