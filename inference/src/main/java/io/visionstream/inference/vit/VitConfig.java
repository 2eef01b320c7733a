package io.visionstream.inference.vit;

import java.util.Locale;
import java.util.Objects;

/**
 * Hyper-parameters of a {@link VisionTransformer}, named after timm's {@code VisionTransformer}
 * constructor arguments.
 *
 * <p>Images may be non-square: {@code imgHeight} and {@code imgWidth} are separate and each must be a
 * multiple of {@code patchSize}. {@code fcNorm} is the resolved form of timm's {@code fc_norm=None}
 * rule: when true the final LayerNorm is applied after pooling ({@code fc_norm}) and {@code norm} is
 * the identity, as timm does for {@code global_pool='avg'}.
 *
 * @param imgHeight input height in pixels
 * @param imgWidth input width in pixels
 * @param patchSize patch edge P; the patch grid is {@code imgHeight/P x imgWidth/P}
 * @param inChans input channels (3 for RGB)
 * @param numClasses classifier outputs; 0 means no head (the model returns pooled features)
 * @param globalPool how tokens are pooled before the head
 * @param embedDim token width D
 * @param depth number of transformer blocks
 * @param numHeads attention heads; must divide {@code embedDim}
 * @param mlpRatio MLP hidden width as a multiple of D (timm truncates {@code D * mlpRatio} to int)
 * @param qkvBias whether {@code attn.qkv} has a bias
 * @param fcNorm whether the final norm sits after pooling ({@code fc_norm}) instead of before it
 * @param distilled DeiT distillation: adds {@code dist_token} and {@code head_dist}
 * @param layerNormEps epsilon of every LayerNorm (timm 1e-6)
 */
public record VitConfig(
        int imgHeight,
        int imgWidth,
        int patchSize,
        int inChans,
        int numClasses,
        GlobalPool globalPool,
        int embedDim,
        int depth,
        int numHeads,
        double mlpRatio,
        boolean qkvBias,
        boolean fcNorm,
        boolean distilled,
        double layerNormEps) {

    /** timm's LayerNorm epsilon for ViT ({@code partial(nn.LayerNorm, eps=1e-6)}). */
    public static final double TIMM_LAYER_NORM_EPS = 1e-6;

    /**
     * Validates every field.
     *
     * @throws IllegalArgumentException naming the offending field and value
     */
    public VitConfig {
        Objects.requireNonNull(globalPool, "globalPool");
        positive("img_size (height)", imgHeight);
        positive("img_size (width)", imgWidth);
        positive("patch_size", patchSize);
        positive("in_chans", inChans);
        positive("embed_dim", embedDim);
        positive("depth", depth);
        positive("num_heads", numHeads);
        if (numClasses < 0) {
            throw invalid("num_classes", numClasses, "must be >= 0");
        }
        if (imgHeight % patchSize != 0 || imgWidth % patchSize != 0) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "img_size=%dx%d (HxW) is not a multiple of patch_size=%d",
                    imgHeight,
                    imgWidth,
                    patchSize));
        }
        if (embedDim % numHeads != 0) {
            throw new IllegalArgumentException(
                    String.format(Locale.ROOT, "embed_dim=%d is not divisible by num_heads=%d", embedDim, numHeads));
        }
        if (!(mlpRatio > 0) || (int) (embedDim * mlpRatio) < 1) {
            throw invalid("mlp_ratio", mlpRatio, "must give an MLP width >= 1");
        }
        if (!(layerNormEps > 0)) {
            throw invalid("layer_norm_eps", layerNormEps, "must be > 0");
        }
        if (distilled && (globalPool != GlobalPool.TOKEN || fcNorm)) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "a distilled model needs global_pool='token' without fc_norm, got global_pool='%s' fc_norm=%s",
                    globalPool.timmName(),
                    fcNorm));
        }
    }

    /** Patch rows, {@code imgHeight / patchSize}. */
    public int gridHeight() {
        return imgHeight / patchSize;
    }

    /** Patch columns, {@code imgWidth / patchSize}. */
    public int gridWidth() {
        return imgWidth / patchSize;
    }

    /** Number of patch tokens N. */
    public int numPatches() {
        return gridHeight() * gridWidth();
    }

    /** Tokens before the patches: 1 ([CLS]) or 2 ([CLS], [DIST]). */
    public int numPrefixTokens() {
        return distilled ? 2 : 1;
    }

    /** MLP hidden width, {@code int(embed_dim * mlp_ratio)} as timm computes it. */
    public int mlpHiddenDim() {
        return (int) (embedDim * mlpRatio);
    }

    /** A copy at another input size (the position grid is resampled when weights are loaded). */
    public VitConfig withImageSize(int height, int width) {
        return new VitConfig(
                height,
                width,
                patchSize,
                inChans,
                numClasses,
                globalPool,
                embedDim,
                depth,
                numHeads,
                mlpRatio,
                qkvBias,
                fcNorm,
                distilled,
                layerNormEps);
    }

    /** A copy with another number of classes (0: no head). */
    public VitConfig withNumClasses(int classes) {
        return new VitConfig(
                imgHeight,
                imgWidth,
                patchSize,
                inChans,
                classes,
                globalPool,
                embedDim,
                depth,
                numHeads,
                mlpRatio,
                qkvBias,
                fcNorm,
                distilled,
                layerNormEps);
    }

    /**
     * A copy with another pooling; {@code fcNorm == null} applies timm's rule ({@code fc_norm} iff
     * {@code global_pool='avg'}).
     */
    public VitConfig withGlobalPool(GlobalPool pool, Boolean fcNormOrNull) {
        boolean resolved = fcNormOrNull != null ? fcNormOrNull : pool == GlobalPool.AVG;
        return new VitConfig(
                imgHeight,
                imgWidth,
                patchSize,
                inChans,
                numClasses,
                pool,
                embedDim,
                depth,
                numHeads,
                mlpRatio,
                qkvBias,
                resolved,
                distilled,
                layerNormEps);
    }

    /**
     * A plain ViT with timm's defaults (token pooling, mlp ratio 4, qkv bias, eps 1e-6, 3 channels).
     */
    public static VitConfig of(int imgSize, int patchSize, int embedDim, int depth, int numHeads, int numClasses) {
        return new VitConfig(
                imgSize,
                imgSize,
                patchSize,
                3,
                numClasses,
                GlobalPool.TOKEN,
                embedDim,
                depth,
                numHeads,
                4.0,
                true,
                false,
                false,
                TIMM_LAYER_NORM_EPS);
    }

    /** The DeiT distilled variant of {@link #of}. */
    public static VitConfig distilled(
            int imgSize, int patchSize, int embedDim, int depth, int numHeads, int numClasses) {
        return new VitConfig(
                imgSize,
                imgSize,
                patchSize,
                3,
                numClasses,
                GlobalPool.TOKEN,
                embedDim,
                depth,
                numHeads,
                4.0,
                true,
                false,
                true,
                TIMM_LAYER_NORM_EPS);
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw invalid(key, value, "must be > 0");
        }
    }

    private static IllegalArgumentException invalid(String key, Object value, String why) {
        return new IllegalArgumentException(String.format(Locale.ROOT, "%s=%s %s", key, value, why));
    }
}
