package io.visionstream.inference.resnetv2;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.Fixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Autograd through weight standardisation, SAME pads, GroupNorm and the -inf max-pool pad. */
class ResNetV2TrainingTest {

    @Test
    void everyBackboneParameterGetsAFiniteNonZeroGradient() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            ResNetV2 backbone = new ResNetV2(new ResNetV2Config(List.of(2, 1), List.of(64, 128), 32, 0.5, 3));
            Shape input = new Shape(2, 3, 30, 30);
            backbone.initialize(manager, DataType.FLOAT32, input);
            NDArray x = Fixtures.input(manager, input);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray y = backbone.forward(new ParameterStore(manager, false), x, true);
                // a loss that is not a constant under GroupNorm's normalisation
                collector.backward(y.mul(y.get(":, :, 0:1, 0:1")).mean());
            }
            Map<String, Parameter> params = backbone.checkpointParameters();
            assertThat(params).hasSize(3 + 3 * 9 + 2 * 3); // stem, three blocks, two projection shortcuts
            params.forEach((k, p) -> {
                NDArray g = p.getArray().getGradient();
                assertThat(g.isInfinite().any().getBoolean() || g.isNaN().any().getBoolean())
                        .as("non-finite gradient of %s", k)
                        .isFalse();
                assertThat(g.abs().max().getFloat()).as("gradient of %s", k).isGreaterThan(0f);
            });
        }
    }
}
