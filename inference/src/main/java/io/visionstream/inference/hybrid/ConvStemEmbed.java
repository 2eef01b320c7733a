package io.visionstream.inference.hybrid;

import io.visionstream.inference.layers.CheckpointBlock;
import io.visionstream.inference.vit.EmbedLayer;
import io.visionstream.inference.vit.VitConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Xiao et al.'s convolutional stem in place of the patch embedding: {@link HybridEmbed} over a {@link
 * ConvStem} without projection (its last 1x1 convolution gives the embedding width). Its stride {@code
 * 2^n} for {@code n} stem layers is the ViT's {@code patch_size}. Keys {@code
 * patch_embed.backbone.{i}.conv.*}, {@code patch_embed.backbone.{i}.bn.*}.
 *
 * @param stemChannels widths of the stride-2 3x3 layers, at least one, each positive
 */
public record ConvStemEmbed(List<Integer> stemChannels) implements EmbedLayer {

    /**
     * @throws IllegalArgumentException for an empty or non-positive width
     */
    public ConvStemEmbed {
        if (stemChannels == null
                || stemChannels.isEmpty()
                || stemChannels.stream().anyMatch(c -> c == null || c < 1)) {
            throw new IllegalArgumentException(
                    "stem_channels must list one or more positive widths, got " + stemChannels);
        }
        stemChannels = List.copyOf(stemChannels);
    }

    /** The stem's total stride, {@code 2^n}. */
    public int stride() {
        return 1 << stemChannels.size();
    }

    @Override
    public void validate(int inChans, int imgHeight, int imgWidth, int patchSize, int embedDim) {
        if (patchSize != stride()) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "patch_size=%d differs from the conv stem's stride %d (2^%d for stem_channels %s)",
                    patchSize,
                    stride(),
                    stemChannels.size(),
                    stemChannels));
        }
        if (imgHeight % patchSize != 0 || imgWidth % patchSize != 0) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "img_size=%dx%d (HxW) is not a multiple of patch_size=%d",
                    imgHeight,
                    imgWidth,
                    patchSize));
        }
    }

    @Override
    public int[] grid(int imgHeight, int imgWidth, int patchSize) {
        return new int[] {imgHeight / stride(), imgWidth / stride()};
    }

    @Override
    public int reduction(int patchSize) {
        return stride();
    }

    @Override
    public CheckpointBlock newEmbed(VitConfig c) {
        return new HybridEmbed(
                new ConvStem(c.inChans(), stemChannels, c.embedDim()), c.embedDim(), 1, c.embedDim(), false);
    }

    /** Our extension: {@code stem: "conv"} and {@code stem_channels}. */
    @Override
    public Map<String, Object> modelArgs() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("stem", "conv");
        args.put("stem_channels", stemChannels);
        return args;
    }

    @Override
    public double flopsPerImage(VitConfig c) {
        double macs = 0;
        long h = c.imgHeight();
        long w = c.imgWidth();
        int prev = c.inChans();
        for (int ch : stemChannels) {
            h = (h + 1) / 2; // 3x3, stride 2, padding 1
            w = (w + 1) / 2;
            macs += (double) h * w * ch * prev * 9;
            prev = ch;
        }
        macs += (double) h * w * c.embedDim() * prev; // the closing 1x1
        return 2 * macs;
    }

    @Override
    public String summary() {
        return "conv stem " + stemChannels;
    }
}
