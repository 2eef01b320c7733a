package io.visionstream.inference.hybrid;

import io.visionstream.inference.layers.CheckpointBlock;
import io.visionstream.inference.resnetv2.ResNetV2;
import io.visionstream.inference.resnetv2.ResNetV2Config;
import io.visionstream.inference.vit.EmbedLayer;
import io.visionstream.inference.vit.VitConfig;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The embedding of timm's ResNetV2 hybrids: {@link HybridEmbed} over a {@link ResNetV2} (or its stem
 * alone), projected by a {@code patch_size} convolution on the backbone's map. Keys {@code
 * patch_embed.backbone.*}, {@code patch_embed.proj.*}.
 *
 * @param backbone the ResNetV2's shape; its {@code in_chans} must be the ViT's
 */
public record ResNetEmbed(ResNetV2Config backbone) implements EmbedLayer {

    /** Checks that the backbone is given. */
    public ResNetEmbed {
        Objects.requireNonNull(backbone, "backbone");
    }

    @Override
    public void validate(int inChans, int imgHeight, int imgWidth, int patchSize, int embedDim) {
        if (backbone.inChans() != inChans) {
            throw new IllegalArgumentException(
                    "backbone in_chans=" + backbone.inChans() + " differs from in_chans=" + inChans);
        }
        long h = backbone.featureSize(imgHeight);
        long w = backbone.featureSize(imgWidth);
        if (h % patchSize != 0 || w % patchSize != 0) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "img_size=%dx%d (HxW) gives a %dx%d backbone map, not a multiple of patch_size=%d",
                    imgHeight,
                    imgWidth,
                    h,
                    w,
                    patchSize));
        }
    }

    @Override
    public int[] grid(int imgHeight, int imgWidth, int patchSize) {
        return new int[] {
            Math.toIntExact(backbone.featureSize(imgHeight) / patchSize),
            Math.toIntExact(backbone.featureSize(imgWidth) / patchSize)
        };
    }

    @Override
    public int reduction(int patchSize) {
        return backbone.reduction() * patchSize;
    }

    @Override
    public CheckpointBlock newEmbed(VitConfig c) {
        return new HybridEmbed(
                ResNetV2.backbone(backbone), backbone.featureChannels(), c.patchSize(), c.embedDim(), true);
    }

    /**
     * Our extension {@code backbone_args}: {@code layers}, {@code channels}, {@code stem_chs} and {@code
     * bottle_ratio} of the ResNetV2 (timm fixes them per architecture name; a shrunk backbone needs them
     * written down).
     */
    @Override
    public Map<String, Object> modelArgs() {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("layers", backbone.layers());
        b.put("channels", backbone.channels());
        b.put("stem_chs", backbone.stemChannels());
        b.put("bottle_ratio", backbone.bottleRatio());
        return Map.of("backbone_args", b);
    }

    @Override
    public double flopsPerImage(VitConfig c) {
        double proj = 2.0 * c.numPatches() * c.embedDim() * backbone.featureChannels() * c.patchSize() * c.patchSize();
        return backbone.flopsPerImage(c.imgHeight(), c.imgWidth()) + proj;
    }

    @Override
    public String summary() {
        return "resnetv2 layers " + backbone.layers() + " channels "
                + backbone.channels().subList(0, backbone.layers().size()) + " stem " + backbone.stemChannels();
    }
}
