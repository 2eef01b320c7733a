package io.visionstream.inference.image;

/**
 * Limits a frame must respect before any pixel memory is allocated for it.
 *
 * @param maxBytes largest accepted encoded frame, in bytes (default 8 MiB)
 * @param maxPixels largest accepted {@code width * height} (default 50 megapixels)
 * @param maxSide largest accepted width or height, in pixels (default 16384)
 */
public record DecodeLimits(int maxBytes, long maxPixels, int maxSide) {

    /** 8 MiB. */
    public static final int DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
    /** 50 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;
    /** 16384 pixels. */
    public static final int DEFAULT_MAX_SIDE = 16384;

    /**
     * Validates the limits.
     *
     * @throws IllegalArgumentException naming the key and value when a limit is not positive, or when
     *     {@code maxPixels} exceeds what a Java array of RGB bytes can hold
     */
    public DecodeLimits {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("decode.max-bytes must be at least 1, got " + maxBytes);
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("decode.max-pixels must be at least 1, got " + maxPixels);
        }
        // The decoded image is one byte[] of width*height*3 (and ImageIO may hold 4 bytes a pixel).
        long arrayCap = (Integer.MAX_VALUE - 8) / 4;
        if (maxPixels > arrayCap) {
            throw new IllegalArgumentException(
                    "decode.max-pixels must be at most " + arrayCap + " (one Java array), got " + maxPixels);
        }
        if (maxSide < 1) {
            throw new IllegalArgumentException("decode.max-side must be at least 1, got " + maxSide);
        }
    }

    /** The defaults: 8 MiB, 50 MP, 16384 px a side. */
    public static DecodeLimits defaults() {
        return new DecodeLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, DEFAULT_MAX_SIDE);
    }
}
