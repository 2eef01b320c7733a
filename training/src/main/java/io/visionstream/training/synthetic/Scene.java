package io.visionstream.training.synthetic;

import io.visionstream.inference.image.DecodedImage;

/**
 * One rendered scene or camera frame.
 *
 * <p>{@link #rgb()} is HWC interleaved 8-bit RGB; {@link #mask()} holds one class value per pixel,
 * row-major: 0 background, 1..K the shape class ({@link ShapeClass#maskValue()}). The {@link #label()}
 * is the class with the most pixels in the mask, occlusion included, ties to the lower class value; 0
 * only when no shape pixel is visible. Arrays are handed over, not copied: do not modify them.
 * Immutable under that rule.
 */
public final class Scene {
    private final int width;
    private final int height;
    private final byte[] rgb;
    private final byte[] mask;
    private final int[] classPixels;
    private final int label;

    Scene(int width, int height, byte[] rgb, byte[] mask, int numClasses) {
        this.width = width;
        this.height = height;
        this.rgb = rgb;
        this.mask = mask;
        this.classPixels = new int[numClasses + 1];
        for (byte m : mask) {
            classPixels[m]++;
        }
        int best = 0;
        for (int c = 1; c <= numClasses; c++) {
            if (classPixels[c] > 0 && (best == 0 || classPixels[c] > classPixels[best])) {
                best = c;
            }
        }
        this.label = best;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Pixels, HWC RGB; the live array. */
    public byte[] rgb() {
        return rgb;
    }

    /** Class value per pixel, row-major; the live array. */
    public byte[] mask() {
        return mask;
    }

    /** The image-level label, 1..K (0 only if no shape is visible). */
    public int label() {
        return label;
    }

    /** Pixels of class {@code c} (0 = background) in the mask. */
    public int classPixels(int c) {
        return classPixels[c];
    }

    /** The image, sharing this scene's pixel array. */
    public DecodedImage image() {
        return new DecodedImage(width, height, rgb);
    }
}
