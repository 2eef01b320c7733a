package io.visionstream.inference.swin;

import io.visionstream.inference.backbone.BackboneConfig;
import io.visionstream.inference.backbone.FeatureInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Hyper-parameters of a {@link SwinTransformer}, named after timm's {@code SwinTransformer} constructor
 * arguments ({@code img_size}, {@code patch_size}, {@code window_size}, {@code embed_dim}, {@code
 * depths}, {@code num_heads}, ...). Stage {@code i} has width {@code embed_dim * 2^i} and stride {@code
 * patch_size * 2^i}; every stage after the first starts with a 2x2 patch merging.
 *
 * <p>Fixed as timm fixes them for the registered Swin v1 models: qkv bias on, LayerNorm eps {@link
 * #LAYER_NORM_EPS}, exact GELU, average pooling, no dropout. {@code dropPathRate} only matters in
 * training (timm's default for training is 0.1, for inference it has no effect).
 *
 * <p>Refused, with a message naming the key and value: non-positive sizes, {@code num_heads} that do
 * not divide their stage's width, an image that is not a multiple of {@code patch_size}, and a map that
 * is odd when a patch merging has to halve it. For the last one timm pads the map but plans its
 * windows and masks for the floor-halved size, so the tensor and the plan disagree (a shifted block
 * then fails on the mask's shape); requiring {@code img_size} to be a multiple of {@code patch_size *
 * 2^(stages - 1)} keeps every merge exact. A map that is not a multiple of the window is accepted: it
 * is padded (see {@link WindowShift}).
 *
 * @param imgHeight input height in pixels
 * @param imgWidth input width in pixels
 * @param patchSize patch edge P of the patch embedding
 * @param inChans input channels (3 for RGB)
 * @param numClasses classifier outputs; 0 means no head (the model returns pooled features)
 * @param embedDim width of stage 0
 * @param depths blocks per stage, one entry per stage
 * @param numHeads attention heads per stage; each must divide its stage's width
 * @param windowSize window edge before timm's shrink rule
 * @param mlpRatio MLP hidden width as a multiple of the stage width (truncated to int as timm does)
 * @param dropPathRate stochastic depth at the last block, rising linearly from 0 at the first; in [0, 1)
 */
public record SwinConfig(
        int imgHeight,
        int imgWidth,
        int patchSize,
        int inChans,
        int numClasses,
        int embedDim,
        List<Integer> depths,
        List<Integer> numHeads,
        int windowSize,
        double mlpRatio,
        double dropPathRate)
        implements BackboneConfig {

    /** LayerNorm epsilon of every Swin norm ({@code nn.LayerNorm} default, timm and torchvision). */
    public static final double LAYER_NORM_EPS = 1e-5;

    /**
     * Validates every field.
     *
     * @throws IllegalArgumentException naming the offending key and value
     */
    public SwinConfig {
        positive("img_size (height)", imgHeight);
        positive("img_size (width)", imgWidth);
        positive("patch_size", patchSize);
        positive("in_chans", inChans);
        positive("embed_dim", embedDim);
        positive("window_size", windowSize);
        if (numClasses < 0) {
            throw invalid("num_classes", numClasses, "must be >= 0");
        }
        if (depths == null || depths.isEmpty() || depths.stream().anyMatch(d -> d == null || d < 1)) {
            throw invalid("depths", depths, "must list one positive block count per stage");
        }
        depths = List.copyOf(depths);
        if (numHeads == null || numHeads.size() != depths.size()) {
            throw invalid("num_heads", numHeads, "must give one head count per stage of depths=" + depths);
        }
        numHeads = List.copyOf(numHeads);
        for (int i = 0; i < depths.size(); i++) {
            int heads = numHeads.get(i);
            int width = embedDim << i;
            if (heads < 1 || width % heads != 0) {
                throw new IllegalArgumentException(String.format(
                        Locale.ROOT,
                        "num_heads[%d]=%d does not divide the width %d of stage %d (embed_dim=%d * 2^%d)",
                        i,
                        heads,
                        width,
                        i,
                        embedDim,
                        i));
            }
            if (!(mlpRatio > 0) || (int) (width * mlpRatio) < 1) {
                throw invalid("mlp_ratio", mlpRatio, "must give an MLP width >= 1");
            }
        }
        if (!(dropPathRate >= 0 && dropPathRate < 1)) {
            throw invalid("drop_path_rate", dropPathRate, "must be in [0, 1)");
        }
        if (imgHeight % patchSize != 0 || imgWidth % patchSize != 0) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "img_size=%dx%d (HxW) is not a multiple of patch_size=%d",
                    imgHeight,
                    imgWidth,
                    patchSize));
        }
        int h = imgHeight / patchSize;
        int w = imgWidth / patchSize;
        for (int i = 1; i < depths.size(); i++) {
            if (h % 2 != 0 || w % 2 != 0) {
                throw new IllegalArgumentException(String.format(
                        Locale.ROOT,
                        "img_size=%dx%d (HxW) gives an odd %dx%d map where stage %d's patch merging halves it;"
                                + " img_size must be a multiple of patch_size * 2^(stages - 1) = %d",
                        imgHeight,
                        imgWidth,
                        h,
                        w,
                        i,
                        patchSize << (depths.size() - 1)));
            }
            h /= 2;
            w /= 2;
        }
    }

    /** Number of stages, {@code depths.size()}. */
    public int numStages() {
        return depths.size();
    }

    /** Width (channels) of stage {@code i}: {@code embed_dim * 2^i}. */
    public int stageDim(int i) {
        return embedDim << i;
    }

    /** Width of the last stage, timm's {@code num_features}: what the head and the embedding see. */
    public int numFeatures() {
        return stageDim(numStages() - 1);
    }

    /** Map height of stage {@code i}: {@code img_height / (patch_size * 2^i)}. */
    public int stageHeight(int i) {
        return imgHeight / patchSize >> i;
    }

    /** Map width of stage {@code i}: {@code img_width / (patch_size * 2^i)}. */
    public int stageWidth(int i) {
        return imgWidth / patchSize >> i;
    }

    /** Stride of stage {@code i}'s map relative to the input: {@code patch_size * 2^i}. */
    public int stageStride(int i) {
        return patchSize << i;
    }

    /** MLP hidden width of stage {@code i}, {@code int(dim * mlp_ratio)}. */
    public int mlpHiddenDim(int i) {
        return (int) (stageDim(i) * mlpRatio);
    }

    /** Window and shift of block {@code j} of stage {@code i} (odd blocks shift), after timm's rule. */
    public WindowShift windowShift(int i, int j) {
        return WindowShift.of(stageHeight(i), stageWidth(i), windowSize, j % 2 == 1);
    }

    /**
     * Drop-path rate of block {@code j} of stage {@code i}: timm's {@code calculate_drop_path_rates},
     * {@code linspace(0, drop_path_rate, sum(depths))} split by stage.
     */
    public double dropPath(int i, int j) {
        int total = depths.stream().mapToInt(Integer::intValue).sum();
        int index = j;
        for (int s = 0; s < i; s++) {
            index += depths.get(s);
        }
        return total <= 1 ? 0.0 : dropPathRate * index / (total - 1);
    }

    /** One map per stage: module {@code layers.i}, width {@code embed_dim * 2^i}, stride {@code P * 2^i}. */
    @Override
    public List<FeatureInfo> featureInfo() {
        List<FeatureInfo> out = new ArrayList<>(numStages());
        for (int i = 0; i < numStages(); i++) {
            out.add(new FeatureInfo("layers." + i, stageDim(i), stageStride(i)));
        }
        return List.copyOf(out);
    }

    /** timm's module tree, without mmsegmentation's stage norms. */
    @Override
    public SwinTransformer newBackbone() {
        return new SwinTransformer(this);
    }

    /** With mmsegmentation's stage norms {@code norm0 ..}, so a dense head sees normed stage maps. */
    @Override
    public SwinTransformer newDenseBackbone() {
        return new SwinTransformer(this, true);
    }

    /**
     * timm's keyword arguments {@code img_size}, {@code patch_size}, {@code in_chans}, {@code embed_dim},
     * {@code depths}, {@code num_heads}, {@code window_size}, {@code mlp_ratio}, {@code drop_path_rate}.
     */
    @Override
    public Map<String, Object> modelArgs() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("img_size", List.of(imgHeight, imgWidth));
        args.put("patch_size", patchSize);
        args.put("in_chans", inChans);
        args.put("embed_dim", embedDim);
        args.put("depths", depths);
        args.put("num_heads", numHeads);
        args.put("window_size", windowSize);
        args.put("mlp_ratio", mlpRatio);
        args.put("drop_path_rate", dropPathRate);
        return args;
    }

    /**
     * The patch embedding, then per block qkv, {@code q k^T} and {@code attn v} inside each window
     * (padded windows counted as computed), output projection and MLP, each patch merging's
     * reduction, and the classifier. Multiply-adds times two, as {@link BackboneConfig#flopsPerImage()}.
     */
    @Override
    public double flopsPerImage() {
        double flops =
                2.0 * (imgHeight / patchSize) * (imgWidth / patchSize) * embedDim * inChans * patchSize * patchSize;
        for (int i = 0; i < numStages(); i++) {
            double d = stageDim(i);
            if (i > 0) {
                // layers.i.downsample.reduction: Linear(4 * d_prev, d) on every merged cell
                flops += 2.0 * stageHeight(i) * stageWidth(i) * (2 * d) * d;
            }
            for (int j = 0; j < depths.get(i); j++) {
                WindowShift ws = windowShift(i, j);
                int wh = ws.windowH();
                int ww = ws.windowW();
                double padded =
                        Math.ceil(stageHeight(i) / (double) wh) * wh * Math.ceil(stageWidth(i) / (double) ww) * ww;
                double tokens = stageHeight(i) * (double) stageWidth(i);
                double linear = 2.0 * (padded * 4 * d * d + tokens * 2 * d * mlpHiddenDim(i));
                double attention = 2.0 * 2 * padded * wh * ww * d;
                flops += linear + attention;
            }
        }
        return flops + 2.0 * numFeatures() * numClasses;
    }

    @Override
    public String summary() {
        return String.format(
                Locale.ROOT,
                "%dx%d patch %d, window %d, dim %d, depths %s, heads %s, classes %d",
                imgHeight,
                imgWidth,
                patchSize,
                windowSize,
                embedDim,
                depths,
                numHeads,
                numClasses);
    }

    /** A copy at another input size (checked like any other configuration). */
    @Override
    public SwinConfig withImageSize(int height, int width) {
        return new SwinConfig(
                height,
                width,
                patchSize,
                inChans,
                numClasses,
                embedDim,
                depths,
                numHeads,
                windowSize,
                mlpRatio,
                dropPathRate);
    }

    /** A copy with another number of classes (0: no head). */
    @Override
    public SwinConfig withNumClasses(int classes) {
        return new SwinConfig(
                imgHeight,
                imgWidth,
                patchSize,
                inChans,
                classes,
                embedDim,
                depths,
                numHeads,
                windowSize,
                mlpRatio,
                dropPathRate);
    }

    /** A copy with another stochastic depth rate. */
    public SwinConfig withDropPathRate(double rate) {
        return new SwinConfig(
                imgHeight,
                imgWidth,
                patchSize,
                inChans,
                numClasses,
                embedDim,
                depths,
                numHeads,
                windowSize,
                mlpRatio,
                rate);
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
