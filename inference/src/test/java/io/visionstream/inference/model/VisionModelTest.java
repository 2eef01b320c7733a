package io.visionstream.inference.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.heads.DenseHeadConfig;
import io.visionstream.inference.image.PreprocessConfig;
import io.visionstream.inference.vit.VitConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class VisionModelTest {

    private static final List<String> NAMES = List.of("background", "circle", "square");
    private static final PreprocessConfig PRE = PreprocessConfig.fromTimm(
            new int[] {3, 32, 32},
            new double[] {0.5, 0.5, 0.5},
            new double[] {0.25, 0.25, 0.25},
            1.0,
            "bilinear",
            "center");

    private static VisionModel model(DenseHeadConfig head) {
        return new VisionModel(VitConfig.of(32, 8, 32, 4, 2, 3), head, "vit_tiny_patch16_224", PRE, NAMES);
    }

    private static DenseHeadConfig head() {
        return new DenseHeadConfig(32, List.of(0, 1, 2, 3), 8, null, 3, NAMES);
    }

    @Test
    void classifierAndEmbeddingMatchTheBackboneAlone() {
        try (NDManager manager = NDManager.newBaseManager()) {
            VisionModel model = model(head());
            model.initialize(manager);
            NDArray x = manager.randomNormal(new Shape(2, 3, 32, 32));
            ParameterStore ps = new ParameterStore(manager, false);

            ModelOutputs joint = model.forward(ps, x, false);
            var alone = model.backbone().forwardOutputs(ps, x, false);

            assertThat(joint.logits().toFloatArray())
                    .containsExactly(alone.logits().toFloatArray(), within(1e-5f));
            assertThat(joint.embedding().toFloatArray())
                    .containsExactly(alone.embedding().toFloatArray(), within(1e-5f));
            assertThat(joint.denseLogits().getShape()).isEqualTo(new Shape(2, 3, 32, 32));
        }
    }

    @Test
    void trainingStepLeavesNothingOnTheParametersManager() {
        try (NDManager manager = NDManager.newBaseManager()) {
            VisionModel model = model(head());
            model.initialize(manager);
            int before = manager.getManagedArrays().size();
            for (int i = 0; i < 2; i++) {
                try (NDManager step = manager.newSubManager();
                        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray x = step.randomNormal(new Shape(2, 3, 32, 32));
                    ModelOutputs out = model.forward(new ParameterStore(step, false), x, true);
                    collector.backward(out.logits().sum().add(out.denseLogits().mean()));
                }
            }

            assertThat(manager.getManagedArrays()).hasSize(before);
        }
    }

    @Test
    void rejectsAHeadWiderThanTheBackbone() {
        DenseHeadConfig wrong = new DenseHeadConfig(64, List.of(0, 1, 2, 3), 8, null, 3, NAMES);

        assertThatThrownBy(() -> model(wrong))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dense_head.in_channels [64, 64, 64, 64] differ from the backbone's [32, 32, 32, 32]"
                        + " at feature_indices [0, 1, 2, 3]");
    }

    @Test
    void rejectsBlockIndicesBeyondTheDepth() {
        DenseHeadConfig deep = new DenseHeadConfig(32, List.of(1, 3, 5, 7), 8, null, 3, NAMES);

        assertThatThrownBy(() -> model(deep))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dense_head.feature_indices [1, 3, 5, 7] reach beyond the backbone's 4 feature maps"
                        + " (indices are 0-based)");
    }

    @Test
    void classMapResizesToTheFrameByNearestNeighbour() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray map = manager.create(new long[] {0, 1, 2, 3}, new Shape(1, 2, 2));

            NDArray frame = VisionModel.resizeClassMap(map, 4, 6);

            assertThat(frame.toLongArray())
                    .containsExactly(0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 2, 2, 2, 3, 3, 3);
        }
    }
}
