package io.visionstream.inference.hybrid;

import io.visionstream.inference.resnetv2.ResNetV2Config;
import io.visionstream.inference.vit.GlobalPool;
import io.visionstream.inference.vit.VitConfig;

/**
 * One registered timm ResNetV2 hybrid: its backbone and the ViT on top (global pool {@code token},
 * class token, MLP ratio 4, LayerNorm eps 1e-6, as timm's {@code VisionTransformer} defaults).
 *
 * @param name timm's architecture name
 * @param backbone the ResNetV2 backbone
 * @param imgSize default square input size
 * @param patchSize {@code HybridEmbed.proj}'s kernel and stride on the backbone's map
 * @param embedDim ViT width D
 * @param depth ViT blocks
 * @param numHeads attention heads
 */
public record HybridArchitecture(
        String name, ResNetV2Config backbone, int imgSize, int patchSize, int embedDim, int depth, int numHeads) {

    /**
     * The whole model with timm's defaults (1000 classes, token pooling, MLP ratio 4, qkv bias, LayerNorm
     * eps 1e-6, RGB), as {@code create_model(name)} builds it.
     */
    public VitConfig defaults() {
        return new VitConfig(
                imgSize,
                imgSize,
                patchSize,
                backbone.inChans(),
                1000,
                GlobalPool.TOKEN,
                embedDim,
                depth,
                numHeads,
                4.0,
                true,
                false,
                false,
                VitConfig.TIMM_LAYER_NORM_EPS,
                new ResNetEmbed(backbone));
    }

    /** Side of the backbone's output map at the default input size. */
    public long featureSize() {
        return backbone.featureSize(imgSize);
    }

    /** Side of the token grid: {@link #featureSize()} / patch size. */
    public long gridSize() {
        return featureSize() / patchSize;
    }

    /** Total stride from pixels to tokens: the backbone's reduction times the patch size. */
    public int tokenStride() {
        return backbone.reduction() * patchSize;
    }
}
