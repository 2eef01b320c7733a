package io.visionstream.training.synthetic;

/**
 * How synthetic scenes are drawn.
 *
 * @param width image width in pixels, 16..4096
 * @param height image height in pixels, 16..4096
 * @param numClasses K, the number of shape classes used (the first K of {@link ShapeClass}), 1..6
 * @param minDistractors fewest smaller shapes drawn besides the main one, 0..16
 * @param maxDistractors most smaller shapes drawn besides the main one, {@code minDistractors}..16
 * @param noiseAmplitude per-pixel noise, uniform in {@code [-a, a]} levels per channel, 0..64
 */
public record SceneConfig(
        int width, int height, int numClasses, int minDistractors, int maxDistractors, int noiseAmplitude) {

    /** Default number of classes. */
    public static final int DEFAULT_CLASSES = 5;

    /**
     * Validates every field.
     *
     * @throws IllegalArgumentException naming the key and value of the first bad field
     */
    public SceneConfig {
        check("synthetic.width", width, 16, 4096);
        check("synthetic.height", height, 16, 4096);
        check("synthetic.num-classes", numClasses, 1, ShapeClass.values().length);
        check("synthetic.min-distractors", minDistractors, 0, 16);
        check("synthetic.max-distractors", maxDistractors, minDistractors, 16);
        check("synthetic.noise-amplitude", noiseAmplitude, 0, 64);
    }

    private static void check(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be in " + min + ".." + max + ", got " + value);
        }
    }

    /** {@link #DEFAULT_CLASSES} classes, 1 to 3 distractors, noise amplitude 10. */
    public static SceneConfig defaults(int width, int height) {
        return new SceneConfig(width, height, DEFAULT_CLASSES, 1, 3, 10);
    }
}
