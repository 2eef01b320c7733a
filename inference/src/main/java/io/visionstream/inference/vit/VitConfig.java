package io.visionstream.inference.vit;

import io.visionstream.inference.backbone.BackboneConfig;
import io.visionstream.inference.backbone.FeatureInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Hyper-parameters of a {@link VisionTransformer}, named after timm's {@code VisionTransformer}
 * constructor arguments; the ViT and hybrid families' {@link BackboneConfig}.
 *
 * <p>Images may be non-square: {@code imgHeight} and {@code imgWidth} are separate and the embedding
 * must tile each (for the plain patch embedding, a multiple of {@code patchSize}). {@code fcNorm} is the resolved form of timm's {@code fc_norm=None}
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
 * @param embedLayer what turns pixels into tokens: {@link EmbedLayer#PATCH}, or a hybrid's backbone; for
 *     a hybrid {@code patchSize} is the projection's patch on the backbone's map (timm's meaning)
 * @param dropPathRate stochastic depth at the last block ({@code drop_path_rate}), rising linearly from 0 at
 *     the first ({@code torch.linspace(0, drop_path_rate, depth)}); only matters in training; in [0, 1)
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
        double layerNormEps,
        EmbedLayer embedLayer,
        double dropPathRate)
        implements BackboneConfig {

    /** timm's LayerNorm epsilon for ViT ({@code partial(nn.LayerNorm, eps=1e-6)}). */
    public static final double TIMM_LAYER_NORM_EPS = 1e-6;

    /**
     * Validates every field.
     *
     * @throws IllegalArgumentException naming the offending field and value
     */
    public VitConfig {
        Objects.requireNonNull(globalPool, "globalPool");
        Objects.requireNonNull(embedLayer, "embedLayer");
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
        embedLayer.validate(inChans, imgHeight, imgWidth, patchSize, embedDim);
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
        if (!(dropPathRate >= 0 && dropPathRate < 1)) {
            throw invalid("drop_path_rate", dropPathRate, "must be in [0, 1)");
        }
        if (distilled && (globalPool != GlobalPool.TOKEN || fcNorm)) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "a distilled model needs global_pool='token' without fc_norm, got global_pool='%s' fc_norm=%s",
                    globalPool.timmName(),
                    fcNorm));
        }
    }

    /** Without stochastic depth (timm's default {@code drop_path_rate=0}). */
    public VitConfig(
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
            double layerNormEps,
            EmbedLayer embedLayer) {
        this(
                imgHeight,
                imgWidth,
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
                layerNormEps,
                embedLayer,
                0.0);
    }

    /**
     * The plain patch embedding's configuration, as every constructor of timm's {@code
     * VisionTransformer} without {@code embed_layer}.
     */
    public VitConfig(
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
        this(
                imgHeight,
                imgWidth,
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
                layerNormEps,
                EmbedLayer.PATCH);
    }

    /** Token rows ({@code imgHeight / patchSize} for the plain patch embedding). */
    public int gridHeight() {
        return embedLayer.grid(imgHeight, imgWidth, patchSize)[0];
    }

    /** Token columns ({@code imgWidth / patchSize} for the plain patch embedding). */
    public int gridWidth() {
        return embedLayer.grid(imgHeight, imgWidth, patchSize)[1];
    }

    /** Input pixels per token along each axis ({@code patchSize} for the plain patch embedding). */
    public int tokenStride() {
        return embedLayer.reduction(patchSize);
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
    @Override
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
                layerNormEps,
                embedLayer,
                dropPathRate);
    }

    /** A copy with another number of classes (0: no head). */
    @Override
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
                layerNormEps,
                embedLayer,
                dropPathRate);
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
                layerNormEps,
                embedLayer,
                dropPathRate);
    }

    /** A copy with another embedding ({@link EmbedLayer#PATCH} or a hybrid backbone). */
    public VitConfig withEmbedLayer(EmbedLayer embed) {
        return new VitConfig(
                imgHeight,
                imgWidth,
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
                layerNormEps,
                embed,
                dropPathRate);
    }

    /** A copy with or without DeiT's distillation token and head. */
    public VitConfig withDistilled(boolean enable) {
        return new VitConfig(
                imgHeight,
                imgWidth,
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
                enable,
                layerNormEps,
                embedLayer,
                dropPathRate);
    }

    /** A copy with another stochastic-depth rate at the last block ({@code drop_path_rate}). */
    public VitConfig withDropPathRate(double rate) {
        return new VitConfig(
                imgHeight,
                imgWidth,
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
                layerNormEps,
                embedLayer,
                rate);
    }

    /**
     * Block {@code i}'s stochastic-depth rate: {@code dpr = [x.item() for x in torch.linspace(0,
     * drop_path_rate, depth)]}.
     */
    public double dropPath(int i) {
        return depth <= 1 ? 0.0 : dropPathRate * i / (depth - 1);
    }

    /** The embedding width D. */
    @Override
    public int numFeatures() {
        return embedDim;
    }

    /** One map per block, {@code blocks.i}: D channels at the token stride. */
    @Override
    public List<FeatureInfo> featureInfo() {
        List<FeatureInfo> out = new ArrayList<>(depth);
        for (int i = 0; i < depth; i++) {
            out.add(new FeatureInfo("blocks." + i, embedDim, tokenStride()));
        }
        return List.copyOf(out);
    }

    @Override
    public VisionTransformer newBackbone() {
        return new VisionTransformer(this);
    }

    /**
     * timm's keyword arguments ({@code img_size}, {@code patch_size}, {@code in_chans}, {@code
     * embed_dim}, {@code depth}, {@code num_heads}, {@code mlp_ratio}, {@code qkv_bias}, {@code
     * global_pool}, {@code fc_norm}), the embedding's ({@link EmbedLayer#modelArgs()}) and {@code
     * drop_path_rate} when non-zero. The LayerNorm
     * epsilon and the distillation are not arguments: they come with the architecture.
     */
    @Override
    public Map<String, Object> modelArgs() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("img_size", List.of(imgHeight, imgWidth));
        args.put("patch_size", patchSize);
        args.put("in_chans", inChans);
        args.put("embed_dim", embedDim);
        args.put("depth", depth);
        args.put("num_heads", numHeads);
        args.put("mlp_ratio", mlpRatio);
        args.put("qkv_bias", qkvBias);
        args.put("global_pool", globalPool.timmName());
        args.put("fc_norm", fcNorm);
        args.putAll(embedLayer.modelArgs());
        if (dropPathRate > 0) {
            args.put("drop_path_rate", dropPathRate); // training-only, kept so the file describes the run
        }
        return args;
    }

    /**
     * The embedding, then per block qkv, attention scores, attention-weighted values, output projection
     * and MLP, then the classifier(s).
     */
    @Override
    public double flopsPerImage() {
        double d = embedDim;
        double t = numPatches() + numPrefixTokens();
        double linear = 2.0 * t * (3 * d * d + d * d + 2 * d * mlpHiddenDim());
        double attention = 2.0 * 2 * t * t * d;
        double head = 2.0 * d * numClasses * (distilled ? 2 : 1);
        return embedLayer.flopsPerImage(this) + depth * (linear + attention) + head;
    }

    @Override
    public String summary() {
        String embed = embedLayer.summary();
        return String.format(
                Locale.ROOT,
                "%dx%d patch %d, dim %d, depth %d, heads %d, classes %d, pool %s%s%s",
                imgHeight,
                imgWidth,
                patchSize,
                embedDim,
                depth,
                numHeads,
                numClasses,
                globalPool.timmName(),
                distilled ? ", distilled" : "",
                embed.isEmpty() ? "" : ", " + embed);
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
