package io.visionstream.inference.vit;

import io.visionstream.inference.layers.CheckpointBlock;
import java.util.Map;

/**
 * What turns pixels into a ViT's tokens: timm's {@code embed_layer} argument of {@code
 * VisionTransformer}. {@link #PATCH} is the plain patch embedding; the hybrid family adds a
 * convolutional backbone under {@code patch_embed.backbone} (timm's {@code HybridEmbed}). The block it
 * builds is the ViT's {@code patch_embed}: {@code [B, C, H, W] -> [B, rows * cols, D]}, row-major.
 *
 * <p>Implementations are immutable values (records or enum constants), compared by value as part of
 * {@link VitConfig}.
 */
public interface EmbedLayer {

    /** timm's {@code PatchEmbed}: a P x P convolution with stride P. */
    EmbedLayer PATCH = PatchEmbedLayer.INSTANCE;

    /**
     * Checks that the embedding fits the ViT's sizes.
     *
     * @throws IllegalArgumentException naming the offending keys and values
     */
    void validate(int inChans, int imgHeight, int imgWidth, int patchSize, int embedDim);

    /** Token rows and columns for an input of {@code imgHeight x imgWidth}: {@code {rows, cols}}. */
    int[] grid(int imgHeight, int imgWidth, int patchSize);

    /** Input pixels per token along each axis. */
    int reduction(int patchSize);

    /** A new, uninitialised {@code patch_embed} block for {@code config}. */
    CheckpointBlock newEmbed(VitConfig config);

    /** The {@code model_args} keys that select this embedding (none for {@link #PATCH}). */
    Map<String, Object> modelArgs();

    /** Multiply-adds times two of the embedding for one image. */
    double flopsPerImage(VitConfig config);

    /** What it is, for messages; empty for {@link #PATCH}. */
    String summary();
}
