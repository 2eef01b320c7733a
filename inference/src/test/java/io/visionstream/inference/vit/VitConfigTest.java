package io.visionstream.inference.vit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class VitConfigTest {

    @Test
    void flopCountsMatchPublishedFigures() {
        // DeiT paper, table 1 (FLOPs there are multiply-adds): ViT-B/16 17.6 G, DeiT-Ti 1.3 G, DeiT-S 4.6 G
        assertThat(VitArchitectures.get("vit_base_patch16_224").flopsPerImage() / 2e9)
                .isCloseTo(17.6, within(0.1));
        assertThat(VitArchitectures.get("vit_tiny_patch16_224").flopsPerImage() / 2e9)
                .isCloseTo(1.3, within(0.05));
        assertThat(VitArchitectures.get("vit_small_patch16_224").flopsPerImage() / 2e9)
                .isCloseTo(4.6, within(0.05));
    }

    @Test
    void namedArchitecturesHaveTimmSizes() {
        assertThat(VitArchitectures.get("vit_tiny_patch16_224"))
                .extracting(VitConfig::embedDim, VitConfig::depth, VitConfig::numHeads, VitConfig::patchSize)
                .containsExactly(192, 12, 3, 16);
        assertThat(VitArchitectures.get("vit_small_patch8_224"))
                .extracting(VitConfig::embedDim, VitConfig::depth, VitConfig::numHeads, VitConfig::patchSize)
                .containsExactly(384, 12, 6, 8);
        assertThat(VitArchitectures.get("vit_base_patch32_224"))
                .extracting(VitConfig::embedDim, VitConfig::depth, VitConfig::numHeads, VitConfig::patchSize)
                .containsExactly(768, 12, 12, 32);
        assertThat(VitArchitectures.get("vit_large_patch14_224"))
                .extracting(VitConfig::embedDim, VitConfig::depth, VitConfig::numHeads, VitConfig::patchSize)
                .containsExactly(1024, 24, 16, 14);
        assertThat(VitArchitectures.get("vit_huge_patch14_224"))
                .extracting(VitConfig::embedDim, VitConfig::depth, VitConfig::numHeads, VitConfig::mlpHiddenDim)
                .containsExactly(1280, 32, 16, 5120);
        assertThat(VitArchitectures.get("deit_tiny_distilled_patch16_224").numPrefixTokens())
                .isEqualTo(2);
    }

    @Test
    void pretrainedTagAfterDotIsIgnored() {
        assertThat(VitArchitectures.get("vit_base_patch16_224.augreg2_in21k_ft_in1k"))
                .isEqualTo(VitArchitectures.get("vit_base_patch16_224"));
    }

    @Test
    void unknownArchitectureListsTheKnownOnes() {
        assertThatThrownBy(() -> VitArchitectures.get("resnet50"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown architecture 'resnet50'")
                .hasMessageContaining("vit_base_patch16_224")
                .hasMessageContaining("deit_tiny_distilled_patch16_224");
    }

    @Test
    void headsMustDivideWidth() {
        assertThatThrownBy(() -> VitConfig.of(224, 16, 100, 2, 3, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("embed_dim=100 is not divisible by num_heads=3");
    }

    @Test
    void imageMustBeAMultipleOfThePatch() {
        assertThatThrownBy(() -> VitConfig.of(32, 8, 32, 2, 2, 10).withImageSize(30, 32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("img_size=30x32 (HxW) is not a multiple of patch_size=8");
    }

    @Test
    void negativeClassCountIsRejected() {
        assertThatThrownBy(() -> VitConfig.of(32, 8, 32, 2, 2, -1)).hasMessage("num_classes=-1 must be >= 0");
    }

    @Test
    void nonSquareModelGivesNonSquareFeatureMapsAndNoHeadGivesFeatures() {
        VitConfig c = VitConfig.of(32, 8, 32, 3, 2, 0).withImageSize(24, 40);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            VisionTransformer vit = new VisionTransformer(c);
            vit.initialize(manager, DataType.FLOAT32);
            ParameterStore ps = new ParameterStore(manager, false);
            var x = manager.randomNormal(new Shape(2, 3, 24, 40));
            NDList maps = vit.forwardIntermediates(ps, x, false, false, 0, -1);
            assertThat(maps.get(0).getShape()).isEqualTo(new Shape(2, 32, 3, 5));
            assertThat(maps.get(1).getShape()).isEqualTo(new Shape(2, 32, 3, 5));
            assertThat(vit.forward(ps, new NDList(x), false).singletonOrThrow().getShape())
                    .isEqualTo(new Shape(2, 32));
            assertThat(vit.getOutputShapes(new Shape[] {new Shape(2, 3, 24, 40)})[0])
                    .isEqualTo(new Shape(2, 32));
        }
    }

    @Test
    void wrongInputSizeIsRejectedNamingBoth() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            VisionTransformer vit = new VisionTransformer(VitConfig.of(32, 8, 32, 1, 2, 10));
            vit.initialize(manager, DataType.FLOAT32);
            var x = manager.zeros(new Shape(1, 3, 16, 32));
            assertThatThrownBy(() -> vit.forward(new ParameterStore(manager, false), new NDList(x), false))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("input shape (1, 3, 16, 32) does not match the model's [B, C, 32, 32]");
        }
    }

    @Test
    void blockIndexOutOfRangeIsRejected() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            VisionTransformer vit = new VisionTransformer(VitConfig.of(32, 8, 32, 2, 2, 10));
            vit.initialize(manager, DataType.FLOAT32);
            var x = manager.zeros(new Shape(1, 3, 32, 32));
            assertThatThrownBy(() -> vit.forwardIntermediates(new ParameterStore(manager, false), x, false, false, 2))
                    .hasMessage("block index 2 is outside [-2, 2)");
        }
    }

    @Test
    void timmParameterNamesFollowTimm() {
        VisionTransformer vit = new VisionTransformer(VitConfig.distilled(32, 8, 32, 1, 2, 10));
        assertThat(vit.checkpointParameters().keySet())
                .containsExactly(
                        "cls_token",
                        "dist_token",
                        "pos_embed",
                        "patch_embed.proj.weight",
                        "patch_embed.proj.bias",
                        "blocks.0.norm1.weight",
                        "blocks.0.norm1.bias",
                        "blocks.0.attn.qkv.weight",
                        "blocks.0.attn.qkv.bias",
                        "blocks.0.attn.proj.weight",
                        "blocks.0.attn.proj.bias",
                        "blocks.0.norm2.weight",
                        "blocks.0.norm2.bias",
                        "blocks.0.mlp.fc1.weight",
                        "blocks.0.mlp.fc1.bias",
                        "blocks.0.mlp.fc2.weight",
                        "blocks.0.mlp.fc2.bias",
                        "norm.weight",
                        "norm.bias",
                        "head.weight",
                        "head.bias",
                        "head_dist.weight",
                        "head_dist.bias");
    }

    @Test
    void forwardLeavesNothingInTheModelsManager() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            VisionTransformer vit = new VisionTransformer(VitConfig.distilled(32, 8, 32, 2, 2, 10));
            vit.initialize(manager, DataType.FLOAT32);
            int before = manager.getManagedArrays().size();
            try (NDManager batch = manager.newSubManager()) {
                var x = batch.randomNormal(new Shape(2, 3, 32, 32));
                ParameterStore ps = new ParameterStore(batch, false);
                vit.forwardOutputs(ps, x, false);
                vit.forwardIntermediates(ps, x, false, true, 0, 1);
            }
            assertThat(manager.getManagedArrays()).hasSize(before);
        }
    }
}
