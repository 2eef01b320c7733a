package io.visionstream.inference.hybrid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.nn.Parameter;
import io.visionstream.inference.resnetv2.ResNetV2;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HybridArchitecturesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // name, map channels, map stride, patch on map, tokens per side, dim, depth, heads
        "vit_tiny_r_s16_p8_224, 64, 4, 8, 7, 192, 12, 3",
        "vit_tiny_r_s16_p8_384, 64, 4, 8, 12, 192, 12, 3",
        "vit_small_r26_s32_224, 2048, 32, 1, 7, 384, 12, 6",
        "vit_small_r26_s32_384, 2048, 32, 1, 12, 384, 12, 6",
        "vit_base_r50_s16_224, 1024, 16, 1, 14, 768, 12, 12",
        "vit_base_r50_s16_384, 1024, 16, 1, 24, 768, 12, 12",
        "vit_large_r50_s32_224, 2048, 32, 1, 7, 1024, 24, 16",
        "vit_large_r50_s32_384, 2048, 32, 1, 12, 1024, 24, 16"
    })
    void registeredHybridsHaveTimmsShapes(
            String name, int channels, int stride, int patch, int grid, int dim, int depth, int heads) {
        HybridArchitecture a = HybridArchitectures.get(name);

        assertThat(a.backbone().featureChannels()).isEqualTo(channels);
        assertThat(a.backbone().reduction()).isEqualTo(stride);
        assertThat(a.patchSize()).isEqualTo(patch);
        assertThat(a.gridSize()).isEqualTo(grid);
        assertThat(a.tokenStride()).isEqualTo(stride * patch);
        assertThat(new int[] {a.embedDim(), a.depth(), a.numHeads()}).containsExactly(dim, depth, heads);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // param_count (millions, 1000 classes) from timm's results/results-imagenet.csv
        "vit_tiny_r_s16_p8_224, 6.34",
        "vit_tiny_r_s16_p8_384, 6.36",
        "vit_small_r26_s32_224, 36.43",
        "vit_small_r26_s32_384, 36.47",
        "vit_base_r50_s16_384, 98.95",
        "vit_large_r50_s32_224, 328.99",
        "vit_large_r50_s32_384, 329.09"
    })
    void parameterCountMatchesTimmsPublishedCount(String name, double millions) {
        HybridArchitecture a = HybridArchitectures.get(name);
        long d = a.embedDim();
        long backbone = ResNetV2.backbone(a.backbone()).checkpointParameters().values().stream()
                .mapToLong(p -> p.getShape().size())
                .sum();
        long proj = a.backbone().featureChannels() * d * a.patchSize() * a.patchSize() + d;
        long tokens = d + (a.gridSize() * a.gridSize() + 1) * d; // cls_token, pos_embed
        long blocks = a.depth() * (12 * d * d + 13 * d); // norms, qkv, proj, fc1, fc2 with mlp ratio 4
        long head = 2 * d + 1000 * d + 1000; // final norm and the 1000-class head

        assertThat((backbone + proj + tokens + blocks + head) / 1e6).isCloseTo(millions, within(0.005));
    }

    private static org.assertj.core.data.Offset<Double> within(double v) {
        return org.assertj.core.data.Offset.offset(v);
    }

    @Test
    void pretrainedTagIsIgnored() {
        assertThat(HybridArchitectures.get("vit_base_r50_s16_384.orig_in21k_ft_in1k")
                        .name())
                .isEqualTo("vit_base_r50_s16_384");
        assertThat(HybridArchitectures.isHybrid("vit_small_r26_s32_224.augreg_in21k"))
                .isTrue();
        assertThat(HybridArchitectures.isHybrid("vit_small_patch16_224")).isFalse();
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        assertThatThrownBy(() -> HybridArchitectures.get("vit_base_r26_s32_224"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown hybrid architecture 'vit_base_r26_s32_224'; known hybrid architectures:"
                        + " vit_tiny_r_s16_p8_224, vit_tiny_r_s16_p8_384, vit_small_r26_s32_224,"
                        + " vit_small_r26_s32_384, vit_base_r50_s16_224, vit_base_r50_s16_384,"
                        + " vit_large_r50_s32_224, vit_large_r50_s32_384");
    }

    @Test
    void everyBackboneParameterHasAFixedShapeBeforeInitialisation() {
        for (String name : HybridArchitectures.names()) {
            for (Parameter p : ResNetV2.backbone(HybridArchitectures.get(name).backbone())
                    .checkpointParameters()
                    .values()) {
                assertThat(p.getShape()).as("%s %s", name, p.getName()).isNotNull();
            }
        }
    }
}
