package io.visionstream.inference.hybrid;

import static io.visionstream.inference.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.HybridFixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Xiao et al.'s conv stem against torchvision's VisionTransformer(conv_stem_configs=...) with the same
 * weights under timm's ConvStem keys (fixtures/hybrid/conv_stem).
 */
class ConvStemReferenceTest {

    private static final double TOL = 1e-4;

    private NDManager manager;
    private Map<String, NDArray> ref;
    private ConvStem stem;
    private ParameterStore ps;

    @BeforeEach
    void load() {
        manager = NDManager.newBaseManager("PyTorch");
        ref = HybridFixtures.read(manager, "conv_stem", "reference.safetensors");
        stem = new ConvStem(3, List.of(8, 16, 32), 32);
        stem.initialize(manager, DataType.FLOAT32, ref.get("input").getShape());
        Map<String, NDArray> weights = HybridFixtures.read(manager, "conv_stem", "model.safetensors");
        HybridFixtures.copyInto(stem.checkpointParameters(), HybridFixtures.under(weights, "patch_embed.backbone."));
        ps = new ParameterStore(manager, false);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void keysAreTimmsConvStemKeys() {
        assertThat(stem.checkpointParameters().keySet())
                .contains("0.conv.weight", "0.bn.running_var", "2.bn.weight", "3.conv.weight", "3.conv.bias")
                .doesNotContain("0.conv.bias", "3.bn.weight")
                .hasSize(3 * 5 + 2);
        assertThat(stem.reduction()).isEqualTo(8);
    }

    @Test
    void inferenceUsesRunningStatisticsLikeTorchvision() {
        assertClose("stem", stem.forward(ps, ref.get("input"), false), ref.get("features"), TOL);
    }

    @Test
    void trainingUsesBatchStatisticsAndUpdatesRunningOnesLikeTorchvision() {
        NDArray y = stem.forward(ps, ref.get("input"), true);

        assertClose("stem in training mode", y, ref.get("train.features"), TOL);
        Map<String, Parameter> params = stem.checkpointParameters();
        for (int i = 0; i < 3; i++) {
            for (String s : List.of("running_mean", "running_var")) {
                String key = i + ".bn." + s;
                assertClose(key, params.get(key).getArray(), ref.get("train." + key), 1e-5);
            }
        }
    }

    @Test
    void everyTrainableParameterGetsAFiniteNonZeroGradient() {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray y = stem.forward(ps, ref.get("input"), true);
            collector.backward(y.square().mean());
        }
        stem.checkpointParameters().forEach((k, p) -> {
            if (p.requiresGradient()) {
                NDArray g = p.getArray().getGradient();
                assertThat(g.isNaN().any().getBoolean())
                        .as("NaN gradient of %s", k)
                        .isFalse();
                assertThat(g.abs().max().getFloat()).as("gradient of %s", k).isGreaterThan(0f);
            }
        });
    }

    @Test
    void emptyStemIsRejected() {
        assertThatThrownBy(() -> new ConvStem(3, List.of(), 32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stem_channels must list one or more positive widths, got []");
    }
}
