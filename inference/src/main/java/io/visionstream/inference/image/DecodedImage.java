package io.visionstream.inference.image;

/**
 * An 8-bit RGB image in interleaved HWC layout: the byte at {@code (y * width + x) * 3 + c} is channel
 * {@code c} (0 = R, 1 = G, 2 = B) of the pixel in column {@code x}, row {@code y}, row 0 at the top.
 *
 * <p>The pixel array is not copied, in either direction, because frames are large and travel through a
 * hot path: whoever builds a {@code DecodedImage} hands the array over, and readers of {@link #rgb()}
 * must not modify it. Instances are immutable under that rule and then safe to share between threads.
 */
public final class DecodedImage {
    private final int width;
    private final int height;
    private final byte[] rgb;

    /**
     * @param width pixels per row, at least 1
     * @param height rows, at least 1
     * @param rgb exactly {@code width * height * 3} bytes, HWC, owned by this image from now on
     * @throws IllegalArgumentException if a size is not positive or the array length does not match
     */
    public DecodedImage(int width, int height, byte[] rgb) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException(
                    "image width and height must be at least 1, got " + width + "x" + height);
        }
        if (rgb == null) {
            throw new IllegalArgumentException("rgb must not be null");
        }
        long expected = (long) width * height * 3;
        if (rgb.length != expected) {
            throw new IllegalArgumentException(
                    "rgb has " + rgb.length + " bytes, a " + width + "x" + height + " RGB image needs " + expected);
        }
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    /** Width in pixels. */
    public int width() {
        return width;
    }

    /** Height in pixels. */
    public int height() {
        return height;
    }

    /** The pixels, HWC interleaved RGB; the live array, not a copy: do not modify. */
    public byte[] rgb() {
        return rgb;
    }

    /** Channel {@code c} (0 = R) of pixel ({@code x}, {@code y}) as 0..255. */
    public int sample(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    @Override
    public String toString() {
        return "DecodedImage[" + width + "x" + height + " RGB]";
    }
}
