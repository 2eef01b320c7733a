package io.visionstream.app.view;

import static io.visionstream.app.view.ViewRecords.frame;
import static io.visionstream.app.view.ViewRecords.mask;
import static io.visionstream.app.view.ViewRecords.prediction;
import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.schemas.avro.PredictionStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameJoinTest {

    private final FrameJoin join = new FrameJoin(4, 8, 1 << 20, 1_000, 2_000, true);

    private static List<Long> sequences(List<FrameJoin.Joined> joined) {
        return joined.stream().map(j -> j.frame().getSequence()).toList();
    }

    @Test
    void aFrameWithItsPredictionAndMaskIsReadyInWhateverOrderTheyArrive() {
        join.mask(mask("cam-0", 1, 1), 0);
        join.prediction(prediction("cam-0", 1), 0);
        assertThat(join.takeReady(0)).isEmpty();
        join.frame(frame("cam-0", 1));

        List<FrameJoin.Joined> ready = join.takeReady(0);

        assertThat(sequences(ready)).containsExactly(1L);
        assertThat(ready.get(0).mask()).isNotNull();
        assertThat(join.held("cam-0")).isEmpty();
        assertThat(join.unmatchedPredictions()).isZero();
    }

    @Test
    void aFramePromisedAMaskWaitsForItUntilTheMaskWaitRunsOut() {
        join.frame(frame("cam-0", 1));
        join.prediction(prediction("cam-0", 1), 5_000);

        assertThat(join.takeReady(5_999)).isEmpty();
        List<FrameJoin.Joined> ready = join.takeReady(6_000);
        assertThat(sequences(ready)).containsExactly(1L);
        assertThat(ready.get(0).mask()).isNull();
    }

    @Test
    void withMasksDisabledAFrameIsReadyWithItsPredictionAlone() {
        FrameJoin noMasks = new FrameJoin(4, 8, 1 << 20, 1_000, 2_000, false);
        noMasks.frame(frame("cam-0", 1));
        noMasks.prediction(prediction("cam-0", 1), 0);

        assertThat(sequences(noMasks.takeReady(0))).containsExactly(1L);
    }

    @Test
    void aSkippedFrameIsReadyWithoutAMask() {
        join.frame(frame("cam-0", 1));
        join.prediction(prediction("cam-0", 1, 0, PredictionStatus.SKIPPED_OVERLOAD), 0);

        List<FrameJoin.Joined> ready = join.takeReady(0);
        assertThat(sequences(ready)).containsExactly(1L);
        assertThat(ready.get(0).prediction().getStatus()).isEqualTo(PredictionStatus.SKIPPED_OVERLOAD);
    }

    @Test
    void theNewestReadyFrameOfEachCameraWinsAndEverythingOlderIsForgotten() {
        for (long s = 1; s <= 4; s++) {
            join.frame(frame("cam-0", s));
        }
        join.frame(frame("cam-1", 7));
        for (long s = 1; s <= 3; s++) {
            join.prediction(prediction("cam-0", s), 0);
            join.mask(mask("cam-0", s, 1), 0);
        }
        join.prediction(prediction("cam-1", 7), 0);
        join.mask(mask("cam-1", 7, 2), 0);

        List<FrameJoin.Joined> ready = join.takeReady(0);

        assertThat(ready)
                .extracting(j -> j.frame().getSourceId() + "#" + j.frame().getSequence())
                .containsExactlyInAnyOrder("cam-0#3", "cam-1#7");
        assertThat(join.held("cam-0")).containsExactly(4L);
        assertThat(join.held("cam-1")).isEmpty();
        assertThat(join.unmatchedPredictions()).isZero();
    }

    @Test
    void aPredictionForAFrameBeforeTheLastOneSeenButNotHeldIsCountedAndDropped() {
        join.frame(frame("cam-0", 10));

        join.prediction(prediction("cam-0", 9), 0);

        assertThat(join.unmatchedPredictions()).isEqualTo(1);
        assertThat(join.held("cam-0")).containsExactly(10L);
    }

    @Test
    void predictionsWaitingForAFrameAreCountedOnceANewerFrameShowsTheirsNeverCame() {
        // The viewer started after frames 5 and 6 were read: their outcomes come, their frames never will.
        join.prediction(prediction("cam-0", 5), 0);
        join.prediction(prediction("cam-0", 6), 0);
        assertThat(join.unmatchedPredictions()).isZero();

        join.frame(frame("cam-0", 7));

        assertThat(join.unmatchedPredictions()).isEqualTo(2);
        assertThat(join.held("cam-0")).containsExactly(7L);
    }

    @Test
    void outcomesWhoseFrameDoesNotComeWithinTheWaitAreCountedAndDropped() {
        join.prediction(prediction("ghost", 3), 1_000);
        join.mask(mask("ghost", 3, 1), 1_500);

        assertThat(join.takeReady(2_999)).isEmpty();
        assertThat(join.unmatchedPredictions()).isZero();
        join.takeReady(3_000);
        assertThat(join.unmatchedPredictions()).isEqualTo(1);
        assertThat(join.held("ghost")).isEmpty();
    }

    @Test
    void theRingKeepsTheNewestFramesAndEvictsTheOldest() {
        for (long s = 1; s <= 12; s++) {
            join.frame(frame("cam-0", s));
        }

        assertThat(join.held("cam-0")).containsExactly(5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
        // The prediction of an evicted frame has nothing left to join.
        join.prediction(prediction("cam-0", 2), 0);
        assertThat(join.unmatchedPredictions()).isEqualTo(1);
    }

    @Test
    void theRingKeepsWithinItsByteBudgetButAlwaysItsNewestFrame() {
        int frameBytes = frame("cam-0", 0).getImage().remaining();
        FrameJoin small = new FrameJoin(4, 8, frameBytes * 2L, 1_000, 2_000, true);
        for (long s = 1; s <= 5; s++) {
            small.frame(frame("cam-0", s));
        }
        assertThat(small.held("cam-0")).containsExactly(4L, 5L);

        FrameJoin tiny = new FrameJoin(4, 8, 1, 1_000, 2_000, true);
        tiny.frame(frame("cam-0", 1));
        tiny.frame(frame("cam-0", 2));
        assertThat(tiny.held("cam-0")).containsExactly(2L);
    }

    @Test
    void camerasPastTheLimitAreIgnoredAndCounted() {
        FrameJoin two = new FrameJoin(2, 8, 1 << 20, 1_000, 2_000, true);
        two.frame(frame("cam-0", 1));
        two.frame(frame("cam-1", 1));
        two.frame(frame("cam-2", 1));
        two.prediction(prediction("cam-2", 1), 0);

        assertThat(two.ignoredRecords()).isEqualTo(2);
        assertThat(two.held("cam-2")).isEmpty();
    }

    @Test
    void aCameraWhoseSequenceGoesBackStartsOver() {
        join.frame(frame("cam-0", 100));
        join.prediction(prediction("cam-0", 100), 0);
        join.mask(mask("cam-0", 100, 1), 0);
        assertThat(sequences(join.takeReady(0))).containsExactly(100L);

        join.frame(frame("cam-0", 0));
        join.prediction(prediction("cam-0", 0), 0);
        join.mask(mask("cam-0", 0, 1), 0);

        assertThat(sequences(join.takeReady(0))).containsExactly(0L);
    }

    @Test
    void aRepeatedOutcomeOfAFrameAlreadyShownIsIgnored() {
        join.frame(frame("cam-0", 1));
        join.prediction(prediction("cam-0", 1), 0);
        join.mask(mask("cam-0", 1, 1), 0);
        join.takeReady(0);

        join.prediction(prediction("cam-0", 1), 0);

        assertThat(join.held("cam-0")).isEmpty();
        assertThat(join.unmatchedPredictions()).isZero();
        assertThat(join.takeReady(10_000)).isEmpty();
    }
}
