package io.visionstream.inference.image;

import java.util.Locale;

/** Resampling filters of the eval transform, named as timm's {@code pretrained_cfg} names them. */
public enum Interpolation {
    /** PIL {@code BICUBIC}: cubic convolution, a = -0.5, support 2, antialiased when shrinking. */
    BICUBIC("bicubic"),
    /** PIL {@code BILINEAR}: triangle filter, support 1, antialiased when shrinking. */
    BILINEAR("bilinear"),
    /** PIL {@code NEAREST}: PIL's affine nearest-neighbour sampling. */
    NEAREST("nearest");

    private final String timmName;

    Interpolation(String timmName) {
        this.timmName = timmName;
    }

    /** The name timm uses: "bicubic", "bilinear" or "nearest". */
    public String timmName() {
        return timmName;
    }

    /**
     * Parses timm's interpolation string (case-insensitive).
     *
     * @throws IllegalArgumentException naming the key and value for anything else
     */
    public static Interpolation fromTimmName(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            for (Interpolation i : values()) {
                if (i.timmName.equals(n)) {
                    return i;
                }
            }
        }
        throw new IllegalArgumentException(
                "interpolation must be one of bicubic, bilinear, nearest, got '" + name + "'");
    }
}
