package io.visionstream.inference.resnetv2;

import static io.visionstream.inference.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.Fixtures;
import io.visionstream.inference.HybridFixtures;
import io.visionstream.inference.layers.CheckpointBlock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hybrid ResNetV2 backbone against timm's maths composed from torch functional ops
 * (make_hybrid_fixtures.py): feature maps within 1e-4, weights loaded under timm's keys.
 */
class ResNetV2ReferenceTest {

    private static final double TOL = 1e-4;
    private static final String BACKBONE = "patch_embed.backbone.";

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

    private CheckpointBlock loadBackbone(String fixture, ResNetV2Config config, Shape input) {
        CheckpointBlock backbone = ResNetV2.backbone(config);
        backbone.initialize(manager, DataType.FLOAT32, input);
        Map<String, NDArray> weights = HybridFixtures.read(manager, fixture, "model.safetensors");
        HybridFixtures.copyInto(backbone.checkpointParameters(), HybridFixtures.under(weights, BACKBONE));
        return backbone;
    }

    @Test
    void stemOnlyBackboneHasTimmsBareStemKeys() {
        CheckpointBlock stem = ResNetV2.backbone(new ResNetV2Config(List.of(), List.of(), 32, 0.25, 3));

        assertThat(stem).isInstanceOf(ResNetStem.class);
        assertThat(stem.checkpointParameters()).containsOnlyKeys("conv.weight", "norm.weight", "norm.bias");
    }

    @Test
    void stemOnlyBackboneMatchesReferenceOnEvenSizes() {
        Map<String, NDArray> ref = HybridFixtures.read(manager, "tiny_r_s16_p8", "reference.safetensors");
        NDArray x = ref.get("input");
        CheckpointBlock stem =
                loadBackbone("tiny_r_s16_p8", new ResNetV2Config(List.of(), List.of(), 32, 0.25, 3), x.getShape());

        assertClose("stem features", stem.forward(ps, x, false), ref.get("features"), TOL);
    }

    @Test
    void twoStageBackboneMatchesReferenceThroughOddMapSizes() {
        Map<String, NDArray> ref = HybridFixtures.read(manager, "small_r26_s32", "reference.safetensors");
        NDArray x = ref.get("input"); // 44 -> 22 -> 11 -> 6: the stride-2 stage pads 1 on each side
        ResNetV2 backbone = (ResNetV2) loadBackbone(
                "small_r26_s32", new ResNetV2Config(List.of(2, 1), List.of(128, 128), 32, 0.25, 3), x.getShape());

        NDList inter = backbone.forwardIntermediates(ps, x, false);

        assertClose("intermediates.0[:, :8]", inter.get(0).get(":, 0:8"), ref.get("intermediates.0.c0_8"), TOL);
        assertClose("intermediates.1", inter.get(1), ref.get("intermediates.1"), TOL);
        assertClose("features", inter.get(2), ref.get("features"), TOL);
        assertClose("forward", backbone.forward(ps, x, false), ref.get("features"), TOL);
    }

    @Test
    void vitSmallR26BackboneAt224MatchesReferenceAtFullWidth() {
        // timm's vit_small_r26_s32_224 backbone, weights rebuilt from the script's value rule
        Map<String, NDArray> ref = HybridFixtures.read(manager, "r26_s32_224", "reference.safetensors");
        ResNetV2 backbone = new ResNetV2(ResNetV2Config.hybrid(2, 2, 2, 2));
        Shape input = new Shape(1, 3, 224, 224);
        backbone.initialize(manager, DataType.FLOAT32, input);
        Map<String, NDArray> weights = new LinkedHashMap<>();
        backbone.checkpointParameters()
                .forEach((k, p) -> weights.put(k, HybridFixtures.value(manager, BACKBONE + k, p.getShape())));
        HybridFixtures.copyInto(backbone.checkpointParameters(), weights);

        NDList inter = backbone.forwardIntermediates(ps, Fixtures.input(manager, input), false);

        int[] channels = {1, 2, 8, 8, 8};
        for (int i = 0; i < channels.length; i++) {
            String key = "intermediates." + i + ".c0_" + channels[i];
            assertClose(key, inter.get(i).get(":, 0:" + channels[i]), ref.get(key), TOL);
        }
        assertClose("features[:, :64]", inter.get(4).get(":, 0:64"), ref.get("features.c0_64"), TOL);
        assertThat(inter.get(4).getShape()).isEqualTo(new Shape(1, 2048, 7, 7));
    }

    @Test
    void intermediatesComeWithTimmsReductions() {
        ResNetV2 backbone = new ResNetV2(ResNetV2Config.hybrid(3, 4, 9));

        assertThat(backbone.intermediateReductions()).containsExactly(2, 4, 8, 16);
    }
}
