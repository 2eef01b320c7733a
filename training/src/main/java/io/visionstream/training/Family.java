package io.visionstream.training;

import java.util.Locale;

/**
 * The backbone family a training run builds ({@code --family}), named as the inference registry names
 * its {@code BackboneFamily}: a plain ViT with a token sequence at one stride, or a Swin with four
 * stages at strides {@code P, 2P, 4P, 8P}. Both carry the same classifier and UPerNet head.
 */
public enum Family {
    /** timm's {@code VisionTransformer}: {@code --patch}, {@code --dim}, {@code --depth}, {@code --heads}. */
    VIT,
    /**
     * timm's {@code SwinTransformer} (v1): {@code --patch}, {@code --window}, {@code --depths} per stage,
     * {@code --dim} and {@code --heads} of the first stage, both doubling per stage as in every registered
     * Swin.
     */
    SWIN;

    /** The option value, {@code vit} or {@code swin}. */
    public String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @throws IllegalArgumentException naming the option and the accepted values
     */
    public static Family parse(String value) {
        for (Family f : values()) {
            if (f.optionName().equals(value)) {
                return f;
            }
        }
        throw new IllegalArgumentException("--family must be vit or swin, got '" + value + "'");
    }
}
