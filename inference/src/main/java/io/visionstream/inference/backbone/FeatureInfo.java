package io.visionstream.inference.backbone;

import java.util.Objects;

/**
 * One feature map a backbone can hand to a dense head, as an entry of timm's {@code feature_info}: the
 * module whose output it is, its channels and its stride in input pixels. A map is {@code [B, channels,
 * ceil(H / reduction), ceil(W / reduction)]} for an {@code H x W} input.
 *
 * @param module the module's checkpoint name, e.g. {@code blocks.5} (a ViT block) or {@code layers.2}
 *     (a hierarchical stage)
 * @param channels channels C of the map (timm's {@code num_chs})
 * @param reduction input pixels per map cell along each axis (timm's {@code reduction})
 */
public record FeatureInfo(String module, int channels, int reduction) {

    /**
     * @throws IllegalArgumentException for a non-positive width or stride
     */
    public FeatureInfo {
        Objects.requireNonNull(module, "module");
        if (channels < 1 || reduction < 1) {
            throw new IllegalArgumentException("feature map " + module + " needs positive channels and reduction, got "
                    + channels + ", " + reduction);
        }
    }
}
