package io.visionstream.training.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.visionstream.inference.model.VisionModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightDecayGroupsTest {

    /** The weights of every linear and convolution layer of the tiny model, listed by hand. */
    private static List<String> linearAndConvWeights() {
        List<String> names = new ArrayList<>(List.of("patch_embed.proj.weight"));
        for (int i = 0; i < TinyModels.DEPTH; i++) {
            for (String layer : List.of("attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2")) {
                names.add("blocks." + i + "." + layer + ".weight");
            }
        }
        names.add("head.weight");
        names.addAll(List.of(
                "decode_head.neck.upsample_4x.0.weight",
                "decode_head.neck.upsample_4x.3.weight",
                "decode_head.neck.upsample_2x.0.weight",
                "decode_head.psp_modules.0.1.conv.weight",
                "decode_head.psp_modules.1.1.conv.weight",
                "decode_head.psp_modules.2.1.conv.weight",
                "decode_head.psp_modules.3.1.conv.weight",
                "decode_head.bottleneck.conv.weight",
                "decode_head.lateral_convs.0.conv.weight",
                "decode_head.lateral_convs.1.conv.weight",
                "decode_head.lateral_convs.2.conv.weight",
                "decode_head.fpn_convs.0.conv.weight",
                "decode_head.fpn_convs.1.conv.weight",
                "decode_head.fpn_convs.2.conv.weight",
                "decode_head.fpn_bottleneck.conv.weight",
                "decode_head.conv_seg.weight"));
        return names;
    }

    @Test
    void onAVisionModelOnlyLinearAndConvWeightsDecay() {
        try (NDManager manager = NDManager.newBaseManager()) {
            VisionModel model = TinyModels.vit();
            model.initialize(manager);

            WeightDecayGroups groups = WeightDecayGroups.of(model.checkpointParameters());

            assertThat(groups.decay()).containsExactlyInAnyOrderElementsOf(linearAndConvWeights());
        }
    }

    @Test
    void onAVisionModelBiasesNormsTokensAndPositionsAreUndecayed() {
        try (NDManager manager = NDManager.newBaseManager()) {
            VisionModel model = TinyModels.vit();
            model.initialize(manager);
            Map<String, Parameter> params = model.checkpointParameters();

            WeightDecayGroups groups = WeightDecayGroups.of(params);

            assertThat(groups.noDecay())
                    .contains(
                            "cls_token",
                            "pos_embed",
                            "patch_embed.proj.bias",
                            "blocks.0.norm1.weight",
                            "blocks.0.norm1.bias",
                            "blocks.3.norm2.weight",
                            "blocks.2.attn.qkv.bias",
                            "norm.weight",
                            "head.bias",
                            "decode_head.neck.upsample_4x.1.weight",
                            "decode_head.bottleneck.bn.weight",
                            "decode_head.conv_seg.bias");
            // every trainable tensor is in exactly one group; running statistics are in none
            List<String> trainable = params.entrySet().stream()
                    .filter(e -> e.getValue().requiresGradient())
                    .map(Map.Entry::getKey)
                    .toList();
            assertThat(groups.noDecay()).doesNotContainAnyElementsOf(groups.decay());
            assertThat(groups.decay().size() + groups.noDecay().size()).isEqualTo(trainable.size());
            assertThat(groups.noDecay()).noneMatch(n -> n.contains("running_"));
            assertThat(groups.decay()).noneMatch(n -> n.contains("running_"));
        }
    }

    @Test
    void theDistillationTokenIsUndecayedAndItsHeadDecays() {
        try (NDManager manager = NDManager.newBaseManager()) {
            VisionModel model = TinyModels.distilled();
            model.initialize(manager);

            WeightDecayGroups groups = WeightDecayGroups.of(model.checkpointParameters());

            assertThat(groups.noDecay()).contains("dist_token", "cls_token", "pos_embed", "head_dist.bias");
            assertThat(groups.decay()).contains("head_dist.weight").doesNotContain("dist_token");
        }
    }

    @Test
    void timmNoWeightDecayNamesAreMatchedAtTheEndOfNestedNames() {
        // Swin's tables are 2-D and its absolute position embedding 3-D: only the name rule excludes them
        assertThat(WeightDecayGroups.decays("layers.0.blocks.1.attn.relative_position_bias_table", new Shape(49, 3)))
                .isFalse();
        assertThat(WeightDecayGroups.decays("absolute_pos_embed", new Shape(1, 196, 96)))
                .isFalse();
        assertThat(WeightDecayGroups.decays("reg_token", new Shape(1, 4, 192))).isFalse();
        assertThat(WeightDecayGroups.decays("layers.0.downsample.reduction.weight", new Shape(192, 384)))
                .isTrue();
        // a suffix of a segment is not the name
        assertThat(WeightDecayGroups.decays("blocks.0.my_pos_embed", new Shape(1, 4, 8)))
                .isTrue();
    }

    @Test
    void aBiasNeverDecaysWhateverItsShape() {
        assertThat(WeightDecayGroups.decays("blocks.0.attn.qkv.bias", new Shape(3, 16)))
                .isFalse();
        assertThat(WeightDecayGroups.decays("blocks.0.mlp.fc1.weight", new Shape(64, 16)))
                .isTrue();
        assertThat(WeightDecayGroups.decays("blocks.0.ls1.gamma", new Shape(16)))
                .isFalse();
    }

    @Test
    void thePredicateAnswersMembershipOfTheDecayGroup() {
        WeightDecayGroups groups = new WeightDecayGroups(List.of("a.weight"), List.of("a.bias"));

        assertThat(groups.predicate().test("a.weight")).isTrue();
        assertThat(groups.predicate().test("a.bias")).isFalse();
    }

    @Test
    void anUninitialisedParameterIsReportedByName() {
        Map<String, Parameter> params = new LinkedHashMap<>();
        params.put(
                "w",
                Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build());

        assertThatThrownBy(() -> WeightDecayGroups.of(params))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("parameter w has no shape; initialise the model first");
    }
}
