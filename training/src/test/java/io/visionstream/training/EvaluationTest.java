package io.visionstream.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import io.visionstream.inference.heads.DenseHeadConfig;
import io.visionstream.inference.image.PreprocessConfig;
import io.visionstream.inference.model.VisionModel;
import io.visionstream.inference.vit.VitConfig;
import io.visionstream.training.synthetic.SceneConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluationTest {

    @Test
    void classIouIsIntersectionOverUnionOfTheConfusionMatrix() {
        // rows: truth, columns: prediction
        long[][] confusion = {
            {8, 2, 0},
            {1, 3, 0},
            {0, 0, 0}
        };

        double[] iou = Evaluation.classIou(confusion);

        assertThat(iou[0]).isCloseTo(8.0 / (8 + 2 + 1), within(1e-12));
        assertThat(iou[1]).isCloseTo(3.0 / (3 + 1 + 2), within(1e-12));
        assertThat(iou[2]).isNaN();
    }

    @Test
    void refusesScenesThatPreprocessingWouldCrop() {
        List<String> names = List.of("background", "circle", "square", "triangle", "star", "cross");
        VisionModel model = new VisionModel(
                VitConfig.of(32, 8, 32, 4, 2, 6),
                new DenseHeadConfig(32, List.of(0, 1, 2, 3), 8, null, 6, names),
                "vit_tiny_patch16_224",
                PreprocessConfig.fromTimm(
                        new int[] {3, 32, 32},
                        new double[] {0.5, 0.5, 0.5},
                        new double[] {0.5, 0.5, 0.5},
                        1.0,
                        "bilinear",
                        "center"),
                names);
        try (NDManager manager = NDManager.newBaseManager()) {
            model.initialize(manager);

            assertThatThrownBy(() -> Evaluation.run(model, SceneConfig.defaults(48, 32), 1, 4))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("scenes of 48x32 would be resized to 48x32 and cropped to 32x32");
        }
    }
}
