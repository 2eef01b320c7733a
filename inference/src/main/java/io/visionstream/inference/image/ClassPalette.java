package io.visionstream.inference.image;

import java.util.Arrays;

/**
 * One RGB colour per class index, for mask PNGs and overlays. Class 0 is background.
 *
 * <p>Immutable and thread-safe.
 */
public final class ClassPalette {

    /** Most classes a palette PNG can index. */
    public static final int MAX_CLASSES = 256;

    private final byte[] rgb;

    private ClassPalette(byte[] rgb) {
        this.rgb = rgb;
    }

    /**
     * A palette from explicit colours, {@code 0xRRGGBB} per class.
     *
     * @throws IllegalArgumentException if there are no colours or more than {@value #MAX_CLASSES}
     */
    public static ClassPalette of(int... colours) {
        if (colours == null || colours.length == 0 || colours.length > MAX_CLASSES) {
            throw new IllegalArgumentException(
                    "palette needs 1.." + MAX_CLASSES + " colours, got " + (colours == null ? "null" : colours.length));
        }
        byte[] rgb = new byte[colours.length * 3];
        for (int i = 0; i < colours.length; i++) {
            rgb[3 * i] = (byte) (colours[i] >> 16);
            rgb[3 * i + 1] = (byte) (colours[i] >> 8);
            rgb[3 * i + 2] = (byte) colours[i];
        }
        return new ClassPalette(rgb);
    }

    /**
     * The PASCAL VOC colour map for {@code classes} classes (class 0 black), which segmentation tools
     * and viewers recognise: bits of the index spread over the high bits of R, G and B.
     */
    public static ClassPalette voc(int classes) {
        if (classes < 1 || classes > MAX_CLASSES) {
            throw new IllegalArgumentException("palette.classes must be in 1.." + MAX_CLASSES + ", got " + classes);
        }
        int[] colours = new int[classes];
        for (int i = 0; i < classes; i++) {
            int r = 0;
            int g = 0;
            int b = 0;
            int c = i;
            for (int j = 0; j < 8; j++) {
                r |= ((c) & 1) << (7 - j);
                g |= ((c >> 1) & 1) << (7 - j);
                b |= ((c >> 2) & 1) << (7 - j);
                c >>= 3;
            }
            colours[i] = (r << 16) | (g << 8) | b;
        }
        return of(colours);
    }

    /** Number of classes. */
    public int size() {
        return rgb.length / 3;
    }

    /** Channel {@code c} (0 = R) of class {@code index}'s colour, 0..255. */
    public int channel(int index, int c) {
        return rgb[3 * index + c] & 0xFF;
    }

    /** The colour of class {@code index} as {@code 0xRRGGBB}. */
    public int colour(int index) {
        return (channel(index, 0) << 16) | (channel(index, 1) << 8) | channel(index, 2);
    }

    byte[] reds() {
        return component(0);
    }

    byte[] greens() {
        return component(1);
    }

    byte[] blues() {
        return component(2);
    }

    private byte[] component(int c) {
        byte[] out = new byte[size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rgb[3 * i + c];
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassPalette p && Arrays.equals(p.rgb, rgb);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(rgb);
    }
}
