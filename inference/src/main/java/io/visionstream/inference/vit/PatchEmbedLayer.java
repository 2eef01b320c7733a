package io.visionstream.inference.vit;

import io.visionstream.inference.layers.CheckpointBlock;
import java.util.Locale;
import java.util.Map;

/** {@link EmbedLayer#PATCH}: timm's {@code PatchEmbed}. */
enum PatchEmbedLayer implements EmbedLayer {
    INSTANCE;

    @Override
    public void validate(int inChans, int imgHeight, int imgWidth, int patchSize, int embedDim) {
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
        return new int[] {imgHeight / patchSize, imgWidth / patchSize};
    }

    @Override
    public int reduction(int patchSize) {
        return patchSize;
    }

    @Override
    public CheckpointBlock newEmbed(VitConfig c) {
        return new PatchEmbed(c.patchSize(), c.inChans(), c.embedDim());
    }

    @Override
    public Map<String, Object> modelArgs() {
        return Map.of();
    }

    @Override
    public double flopsPerImage(VitConfig c) {
        return 2.0 * c.numPatches() * c.inChans() * c.patchSize() * c.patchSize() * c.embedDim();
    }

    @Override
    public String summary() {
        return "";
    }
}
