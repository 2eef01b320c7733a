package io.visionstream.inference.layers;

import static io.visionstream.inference.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.HybridFixtures;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Single layers against torch's functional ops (fixtures/hybrid/layers, from make_hybrid_fixtures.py),
 * on odd and even map sizes so that both symmetric and asymmetric SAME pads are exercised.
 */
class SameAndNormLayersTest {

    private static final double TOL = 1e-5;

    private NDManager manager;
    private Map<String, NDArray> ref;
    private ParameterStore ps;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager("PyTorch");
        ref = HybridFixtures.read(manager, "layers", "reference.safetensors");
        ps = new ParameterStore(manager, false);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private <B extends CheckpointBlock> B withWeights(B block, Shape input, Map<String, NDArray> weights) {
        block.initialize(manager, DataType.FLOAT32, input);
        HybridFixtures.copyInto(block.checkpointParameters(), weights);
        return block;
    }

    @ParameterizedTest(name = "k{0} s{1} {2}")
    @CsvSource({
        "7, 2, odd",
        "3, 2, odd",
        "1, 2, odd",
        "3, 1, odd",
        "7, 2, even",
        "3, 2, even",
        "1, 2, even",
        "3, 1, even"
    })
    void stdConv2dSameStandardisesTheWeightAndPadsLikeTensorFlow(int k, int s, String size) {
        NDArray x = ref.get("x_" + size);
        StdConv2dSame conv =
                withWeights(new StdConv2dSame(3, 4, k, s, 1e-8), x.getShape(), Map.of("weight", ref.get("w" + k)));

        NDArray y = conv.forward(ps, x, false);

        assertClose(
                "std_conv k" + k + " s" + s + " " + size, y, ref.get("std_conv.k" + k + "_s" + s + "." + size), TOL);
        assertThat(conv.getOutputShapes(new Shape[] {x.getShape()})[0]).isEqualTo(y.getShape());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"odd", "even"})
    void maxPool2dSamePadsWithMinusInfinity(String size) {
        NDArray x = ref.get("x_" + size);

        NDArray y = new MaxPool2dSame(3, 2).forward(ps, x, false);

        assertClose("max_pool " + size, y, ref.get("max_pool." + size), 0);
    }

    @Test
    void groupNormWithReluMatchesTorchGroupNorm() {
        NDArray x = ref.get("gn.x");
        GroupNormAct gn = withWeights(
                new GroupNormAct(8, 4, 1e-5, true),
                x.getShape(),
                Map.of("weight", ref.get("gn.weight"), "bias", ref.get("gn.bias")));

        assertClose("group_norm + relu", gn.forward(ps, x, false), ref.get("gn.out_act"), TOL);
    }

    @Test
    void groupNormWithoutActivationKeepsNegativeValues() {
        NDArray x = ref.get("gn.x");
        GroupNormAct gn = withWeights(
                new GroupNormAct(8, 4, 1e-5, false),
                x.getShape(),
                Map.of("weight", ref.get("gn.weight"), "bias", ref.get("gn.bias")));

        assertClose("group_norm", gn.forward(ps, x, false), ref.get("gn.out"), TOL);
    }

    @Test
    void groupNormRejectsGroupsThatDoNotDivideTheChannels() {
        assertThatThrownBy(() -> new GroupNormAct(48, 32, 1e-5, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("GroupNorm needs num_groups dividing num_channels, got num_groups=32 for num_channels=48");
    }

    private BatchNormAct2d batchNorm() {
        return withWeights(
                new BatchNormAct2d(6, true),
                ref.get("bn.x").getShape(),
                Map.of(
                        "weight", ref.get("bn.weight"),
                        "bias", ref.get("bn.bias"),
                        "running_mean", ref.get("bn.running_mean"),
                        "running_var", ref.get("bn.running_var")));
    }

    @Test
    void batchNormTrainingUsesBatchStatisticsAndUpdatesRunningOnesLikeTorch() {
        BatchNormAct2d bn = batchNorm();

        NDArray y = bn.forward(ps, ref.get("bn.x"), true);

        assertClose("bn train output", y, ref.get("bn.train_out_act"), TOL);
        var params = bn.checkpointParameters();
        assertClose("running_mean", params.get("running_mean").getArray(), ref.get("bn.train_running_mean"), 1e-6);
        assertClose("running_var", params.get("running_var").getArray(), ref.get("bn.train_running_var"), TOL);
    }

    @Test
    void batchNormInferenceUsesTheUpdatedRunningStatistics() {
        BatchNormAct2d bn = batchNorm();
        bn.forward(ps, ref.get("bn.x"), true);

        assertClose("bn eval output", bn.forward(ps, ref.get("bn.x"), false), ref.get("bn.eval_out_act"), TOL);
    }
}
