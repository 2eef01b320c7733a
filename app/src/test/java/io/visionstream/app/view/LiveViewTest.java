package io.visionstream.app.view;

import static io.visionstream.app.view.ViewRecords.prediction;
import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.inference.image.ClassPalette;
import io.visionstream.schemas.avro.PredictionStatus;
import org.junit.jupiter.api.Test;

class LiveViewTest {

    private final LiveView view = new LiveView(ClassPalette.voc(256), 2);

    @Test
    void framesPerSecondAndLatencyAreTakenOverTheLastFiveSeconds() {
        // 10 predictions 500 ms apart, each 200 ms after its capture; then one slow one.
        for (int i = 0; i < 10; i++) {
            long arrival = 10_000 + i * 500L;
            view.prediction(prediction("cam-0", i, arrival - 200, PredictionStatus.OK), arrival);
        }
        view.prediction(prediction("cam-0", 10, 14_500 - 1_200, PredictionStatus.OK), 14_500);

        Snapshot.CameraView camera = view.snapshot(1, 15_000, 0, 0).cameras().get(0);

        // Window (10 000, 15 000]: arrivals 10 500 .. 14 500, that is 9 + the slow one.
        assertThat(camera.framesPerSecond()).isEqualTo(10 / 5.0);
        assertThat(camera.latencyMs()).isEqualTo((9 * 200 + 1_200) / 10.0);
    }

    @Test
    void aCameraSeenForLessThanTheWindowHasItsRateTakenOverTheTimeSeen() {
        view.prediction(prediction("cam-0", 0, 0, PredictionStatus.OK), 10_000);
        view.prediction(prediction("cam-0", 1, 0, PredictionStatus.OK), 10_500);
        view.prediction(prediction("cam-0", 2, 0, PredictionStatus.OK), 11_000);

        assertThat(view.snapshot(1, 12_000, 0, 0).cameras().get(0).framesPerSecond())
                .isEqualTo(3 / 2.0);
    }

    @Test
    void countersCountWhatCameAndSkippedPredictionsAreCountedAsSkipped() {
        view.frame();
        view.frame();
        view.deadLetter();
        view.undecodable();
        view.prediction(prediction("cam-0", 0, 0, PredictionStatus.OK), 0);
        view.prediction(prediction("cam-0", 1, 0, PredictionStatus.SKIPPED_STALE), 0);

        assertThat(view.snapshot(7, 0, 3, 4).counters()).isEqualTo(new Snapshot.Counters(2, 2, 1, 1, 1, 3, 4));
    }

    @Test
    void camerasPastTheLimitAreCountedButGetNoNumbersOfTheirOwn() {
        for (int i = 0; i < 3; i++) {
            view.prediction(prediction("cam-" + i, 0, 0, PredictionStatus.OK), 0);
        }

        Snapshot snapshot = view.snapshot(1, 0, 0, 0);
        assertThat(snapshot.cameras()).extracting(Snapshot.CameraView::id).containsExactly("cam-0", "cam-1");
        assertThat(snapshot.counters().predictions()).isEqualTo(3);
    }

    @Test
    void theLegendIsTheMasksClassesWithTheirColoursBackgroundLeftOut() {
        view.mask(ViewRecords.mask("cam-0", 0, 1));

        assertThat(view.snapshot(1, 0, 0, 0).legend())
                .containsExactly(
                        new Snapshot.LegendEntry(1, "circle", "#800000"),
                        new Snapshot.LegendEntry(2, "square", "#008000"));
    }

    @Test
    void aShownPictureCarriesItsTopLabelOrItsSkipReason() {
        view.shown("cam-0", 3, prediction("cam-0", 5), 0);
        Snapshot.CameraView ok = view.snapshot(1, 0, 0, 0).cameras().get(0);
        assertThat(ok).isEqualTo(new Snapshot.CameraView("cam-0", 3, 5, "OK", "circle", 0.875f, 0, 0));

        view.shown("cam-0", 4, prediction("cam-0", 6, 0, PredictionStatus.SKIPPED_OVERLOAD), 0);
        Snapshot.CameraView skipped = view.snapshot(2, 0, 0, 0).cameras().get(0);
        assertThat(skipped.status()).isEqualTo("SKIPPED_OVERLOAD");
        assertThat(skipped.label()).isNull();
    }
}
