package io.visionstream.inference.image;

import java.util.Arrays;

/**
 * timm's eval transform parameters, as found in a model's {@code pretrained_cfg}.
 *
 * @param height model input height in pixels ({@code input_size[1]})
 * @param width model input width in pixels ({@code input_size[2]})
 * @param cropPct {@code crop_pct}: the image is first resized to {@code floor(size / cropPct)}
 * @param interpolation the resize filter
 * @param mean per-channel mean, R, G, B, on the 0..1 scale; copied
 * @param std per-channel standard deviation, R, G, B, positive; copied
 */
public record PreprocessConfig(
        int height, int width, double cropPct, Interpolation interpolation, double[] mean, double[] std) {

    /** timm's {@code DEFAULT_CROP_PCT}, used when a {@code pretrained_cfg} has no {@code crop_pct}. */
    public static final double DEFAULT_CROP_PCT = 0.875;

    /** Largest accepted input side; ViTs run at 224..518. */
    public static final int MAX_INPUT_SIDE = 4096;

    /**
     * Validates every field.
     *
     * @throws IllegalArgumentException naming the key and value of the first bad field
     */
    public PreprocessConfig {
        if (height < 1 || height > MAX_INPUT_SIDE) {
            throw new IllegalArgumentException("preprocess.height must be in 1.." + MAX_INPUT_SIDE + ", got " + height);
        }
        if (width < 1 || width > MAX_INPUT_SIDE) {
            throw new IllegalArgumentException("preprocess.width must be in 1.." + MAX_INPUT_SIDE + ", got " + width);
        }
        if (!(cropPct > 0) || !Double.isFinite(cropPct) || cropPct > 4) {
            throw new IllegalArgumentException("preprocess.crop-pct must be in (0, 4], got " + cropPct);
        }
        if (Math.floor(Math.min(height, width) / cropPct) < 1) {
            throw new IllegalArgumentException("preprocess.crop-pct " + cropPct + " scales a " + height + "x" + width
                    + " input to less than 1 pixel");
        }
        if (interpolation == null) {
            throw new IllegalArgumentException("preprocess.interpolation must not be null");
        }
        mean = checkTriple("preprocess.mean", mean, false);
        std = checkTriple("preprocess.std", std, true);
    }

    private static double[] checkTriple(String key, double[] values, boolean positive) {
        if (values == null || values.length != 3) {
            throw new IllegalArgumentException(
                    key + " must have 3 values (R, G, B), got " + (values == null ? "null" : Arrays.toString(values)));
        }
        for (double v : values) {
            if (!Double.isFinite(v) || (positive && !(v > 0))) {
                throw new IllegalArgumentException(key + " values must be finite" + (positive ? " and positive" : "")
                        + ", got " + Arrays.toString(values));
            }
        }
        return values.clone();
    }

    /**
     * Builds a config from timm's {@code pretrained_cfg} fields.
     *
     * @param inputSize {@code input_size}: [3, H, W]
     * @param interpolation "bicubic", "bilinear" or "nearest"
     * @throws IllegalArgumentException naming the key and value of the first bad field
     */
    public static PreprocessConfig fromTimm(
            int[] inputSize, double[] mean, double[] std, double cropPct, String interpolation) {
        if (inputSize == null || inputSize.length != 3 || inputSize[0] != 3) {
            throw new IllegalArgumentException("pretrained_cfg.input_size must be [3, H, W], got "
                    + (inputSize == null ? "null" : Arrays.toString(inputSize)));
        }
        return new PreprocessConfig(
                inputSize[1], inputSize[2], cropPct, Interpolation.fromTimmName(interpolation), mean, std);
    }

    /**
     * As {@link #fromTimm(int[], double[], double[], double, String)}, also checking {@code crop_mode}:
     * only timm's default center crop is implemented.
     *
     * @param cropPct {@code crop_pct}, or null for {@link #DEFAULT_CROP_PCT}
     * @param cropMode {@code crop_mode}: null or "center"
     * @throws IllegalArgumentException naming the key and value of the first bad field, including a
     *     crop mode of "squash" or "border"
     */
    public static PreprocessConfig fromTimm(
            int[] inputSize, double[] mean, double[] std, Double cropPct, String interpolation, String cropMode) {
        if (cropMode != null && !"center".equals(cropMode)) {
            throw new IllegalArgumentException(
                    "pretrained_cfg.crop_mode '" + cropMode + "' is not supported, only 'center'");
        }
        return fromTimm(inputSize, mean, std, cropPct == null ? DEFAULT_CROP_PCT : cropPct, interpolation);
    }

    /** Mean as returned: a copy. */
    @Override
    public double[] mean() {
        return mean.clone();
    }

    /** Std as returned: a copy. */
    @Override
    public double[] std() {
        return std.clone();
    }

    /** Floats one preprocessed image occupies: {@code 3 * height * width}. */
    public int floatsPerImage() {
        return 3 * height * width;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PreprocessConfig c
                && c.height == height
                && c.width == width
                && Double.compare(c.cropPct, cropPct) == 0
                && c.interpolation == interpolation
                && Arrays.equals(c.mean, mean)
                && Arrays.equals(c.std, std);
    }

    @Override
    public int hashCode() {
        return ((31 * height + width) * 31 + Double.hashCode(cropPct)) * 31
                + interpolation.hashCode()
                + 7 * Arrays.hashCode(mean)
                + 11 * Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "PreprocessConfig[" + height + "x" + width + ", cropPct=" + cropPct + ", " + interpolation.timmName()
                + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
