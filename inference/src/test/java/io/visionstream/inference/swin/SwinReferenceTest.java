package io.visionstream.inference.swin;

import static io.visionstream.inference.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Swin against torchvision's SwinTransformer (make_swin_fixtures.py): logits, pooled embedding and
 * every stage map within 1e-4, with weights loaded under timm's keys.
 */
class SwinReferenceTest {

    private static final double TOL = 1e-4;

    private NDManager manager;
    private ParameterStore ps;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager("PyTorch");
        ps = new ParameterStore(manager, false);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private void assertMatches(SwinTransformer model, Map<String, NDArray> ref) {
        NDArray x = ref.get("input");
        SwinOutputs out = model.forwardOutputs(ps, x, false);
        assertClose("logits", out.logits(), ref.get("logits"), TOL);
        assertClose("embedding", out.embedding(), ref.get("embedding"), TOL);
        assertThat(out.featureMaps()).hasSize(model.config().numStages());
        for (int i = 0; i < model.config().numStages(); i++) {
            assertClose("stage" + i, out.featureMaps().get(i), ref.get("stage" + i), TOL);
        }
        assertClose("forward", model.forward(ps, x, false), ref.get("logits"), TOL);
    }

    @Test
    void nativeSizeMatchesTorchvision() {
        SwinTransformer model = SwinFixtures.load(manager, "native_128", false);

        assertMatches(model, SwinFixtures.read(manager, "native_128", "reference.safetensors"));
        assertThat(model.featureStrides()).containsExactly(4, 8, 16, 32);
        assertThat(model.featureChannels()).containsExactly(8, 16, 32, 64);
    }

    @Test
    void windowShrinksToSmallMapsAsTimmDoes() {
        SwinTransformer model = SwinFixtures.load(manager, "shrink_64", false);

        assertThat(model.windowShifts().get(2))
                .containsExactly(new WindowShift(4, 4, 0, 0), new WindowShift(4, 4, 0, 0));
        assertThat(model.windowShifts().get(3))
                .containsExactly(new WindowShift(2, 2, 0, 0), new WindowShift(2, 2, 0, 0));
        assertThat(model.checkpointParameters()
                        .get("layers.3.blocks.1.attn.relative_position_bias_table")
                        .getShape())
                .isEqualTo(new Shape(9, 4));
        assertMatches(model, SwinFixtures.read(manager, "shrink_64", "reference.safetensors"));
    }

    @Test
    void nonSquareMapsArePaddedBeforeTheShift() {
        SwinTransformer model = SwinFixtures.load(manager, "pad_80x48", false);

        assertThat(model.windowShifts().get(0).get(1)).isEqualTo(new WindowShift(5, 5, 2, 2)); // 20x12 padded to 20x15
        assertThat(model.windowShifts().get(2).get(1)).isEqualTo(new WindowShift(5, 3, 0, 0)); // 5x3 map
        assertMatches(model, SwinFixtures.read(manager, "pad_80x48", "reference.safetensors"));
    }

    @Test
    void stageNormsGiveMmsegStylePyramid() {
        SwinTransformer model = SwinFixtures.load(manager, "native_128", true);
        Map<String, NDArray> ref = SwinFixtures.read(manager, "native_128", "reference.safetensors");
        Map<String, NDArray> normed = SwinFixtures.read(manager, "native_128", "stage_norms.safetensors");

        SwinOutputs out = model.forwardOutputs(ps, ref.get("input"), false);

        for (int i = 0; i < 4; i++) {
            assertClose(
                    "stage" + i + "_normed", out.normedFeatureMaps().get(i), normed.get("stage" + i + "_normed"), TOL);
        }
        assertClose("logits", out.logits(), ref.get("logits"), TOL);
    }

    @Test
    void oldCheckpointLayoutWithBuffersLoadsToTheSameNumbers() {
        Map<String, NDArray> old = SwinFixtures.read(manager, "legacy_128", "model.safetensors");
        assertThat(old)
                .containsKeys(
                        "layers.0.downsample.reduction.weight",
                        "head.weight",
                        "layers.0.blocks.0.attn.relative_position_index",
                        "layers.0.blocks.1.attn_mask");
        assertThat(old.get("layers.0.blocks.0.attn.relative_position_index").getDataType())
                .isEqualTo(DataType.INT64);

        SwinTransformer model = SwinFixtures.load(manager, "legacy_128", false);

        assertMatches(model, SwinFixtures.read(manager, "native_128", "reference.safetensors"));
    }

    @Test
    void filterRenumbersOldDownsamplesAndHeadOnly() {
        Map<String, NDArray> old = new LinkedHashMap<>();
        for (String k : List.of(
                "layers.0.downsample.norm.weight",
                "layers.2.downsample.reduction.weight",
                "layers.1.blocks.0.attn.relative_position_index",
                "layers.1.blocks.1.attn_mask",
                "layers.1.blocks.1.attn.qkv.weight",
                "head.weight",
                "norm.weight")) {
            old.put(k, manager.zeros(new Shape(1)));
        }
        assertThat(SwinWeights.filterTimmKeys(old).keySet())
                .containsExactly(
                        "layers.1.downsample.norm.weight",
                        "layers.3.downsample.reduction.weight",
                        "layers.1.blocks.1.attn.qkv.weight",
                        "head.fc.weight",
                        "norm.weight");

        Map<String, NDArray> current = new LinkedHashMap<>();
        current.put("layers.1.downsample.norm.weight", manager.zeros(new Shape(1)));
        assertThat(SwinWeights.filterTimmKeys(current).keySet()).containsExactly("layers.1.downsample.norm.weight");
    }

    @Test
    void misfitCheckpointIsReportedInOneMessageNamingEveryProblem() {
        SwinTransformer model = new SwinTransformer(SwinFixtures.config("shrink_64"));
        model.initialize(manager, DataType.FLOAT32);
        // native_128's weights: stage 3's tables are 7x7 offsets there, 3x3 at 64x64
        Map<String, NDArray> weights = SwinFixtures.read(manager, "native_128", "model.safetensors");
        weights.remove("norm.bias");
        weights.put("head.fc.extra", manager.zeros(new Shape(1)));

        assertThatThrownBy(() -> SwinWeights.copyInto(model, weights))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 missing [norm.bias]")
                .hasMessageContaining("1 unexpected [head.fc.extra]")
                .hasMessageContaining("2 wrongly shaped [layers.3.blocks.0.attn.relative_position_bias_table"
                        + " checkpoint (49, 4) vs model (9, 4), layers.3.blocks.1.attn.relative_position_bias_table"
                        + " checkpoint (49, 4) vs model (9, 4)]");
    }

    @Test
    void inputOfAnotherSizeIsRefused() {
        SwinTransformer model = SwinFixtures.load(manager, "shrink_64", false);

        assertThatThrownBy(() -> model.forward(ps, manager.zeros(new Shape(1, 3, 128, 128)), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Swin built for img_size=64x64 (HxW) with in_chans=3 expects [B, 3, 64, 64], got (1, 3, 128, 128)");
    }
}
