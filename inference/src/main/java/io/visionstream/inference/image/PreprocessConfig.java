package io.visionstream.inference.image;

import java.util.Arrays;

/**
 * How images are prepared for a model: timm's eval transform from a checkpoint's {@code pretrained_cfg}
 * (or the equivalent Hugging Face preprocessor settings), at the size the model runs. The one
 * description of preprocessing: checkpoints are read into it, saved from it, and the {@link Preprocessor}
 * applies it.
 *
 * @param height model input height in pixels ({@code input_size[1]})
 * @param width model input width in pixels ({@code input_size[2]})
 * @param cropPct {@code crop_pct}: the image is first resized to {@code floor(size / cropPct)}
 * @param interpolation the resize filter
 * @param mean per-channel mean, R, G, B, on the 0..1 scale; copied
 * @param std per-channel standard deviation, R, G, B, positive; copied
 * @param cropMode timm's {@code crop_mode}; the {@link Preprocessor} implements {@link CropMode#CENTER}
 *     alone and refuses the others
 */
public record PreprocessConfig(
        int height,
        int width,
        double cropPct,
        Interpolation interpolation,
        double[] mean,
        double[] std,
        CropMode cropMode) {

    /** timm's {@code crop_mode} values. */
    public enum CropMode {
        /** Resize the shorter side, then center-crop (timm's default). */
        CENTER("center"),
        /** Resize both sides ignoring the aspect ratio, then center-crop (Hugging Face's ViTImageProcessor). */
        SQUASH("squash"),
        /** Resize to fit inside, then pad (timm's "border"). */
        BORDER("border");

        private final String timmName;

        CropMode(String timmName) {
            this.timmName = timmName;
        }

        /** The name timm writes in {@code pretrained_cfg.crop_mode}. */
        public String timmName() {
            return timmName;
        }

        /**
         * The mode timm calls {@code name}; null means timm's default, center.
         *
         * @throws IllegalArgumentException for a name timm does not have
         */
        public static CropMode fromTimmName(String name) {
            if (name == null) {
                return CENTER;
            }
            for (CropMode m : values()) {
                if (m.timmName.equals(name)) {
                    return m;
                }
            }
            throw new IllegalArgumentException(
                    "pretrained_cfg.crop_mode '" + name + "' is not one of center, squash, border");
        }
    }

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
        if (cropMode == null) {
            throw new IllegalArgumentException("preprocess.crop-mode must not be null");
        }
    }

    /** timm's default center crop. */
    public PreprocessConfig(
            int height, int width, double cropPct, Interpolation interpolation, double[] mean, double[] std) {
        this(height, width, cropPct, interpolation, mean, std, CropMode.CENTER);
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

    /** The same preparation for a model run at another size. */
    public PreprocessConfig withSize(int newHeight, int newWidth) {
        return new PreprocessConfig(newHeight, newWidth, cropPct, interpolation, mean, std, cropMode);
    }

    /**
     * As {@link #fromTimm(int[], double[], double[], double, String)}, with {@code crop_pct} and {@code
     * crop_mode} optional as in timm.
     *
     * @param cropPct {@code crop_pct}, or null for {@link #DEFAULT_CROP_PCT}
     * @param cropMode {@code crop_mode}: null (center), "center", "squash" or "border"
     * @throws IllegalArgumentException naming the key and value of the first bad field
     */
    public static PreprocessConfig fromTimm(
            int[] inputSize, double[] mean, double[] std, Double cropPct, String interpolation, String cropMode) {
        PreprocessConfig base =
                fromTimm(inputSize, mean, std, cropPct == null ? DEFAULT_CROP_PCT : cropPct, interpolation);
        return new PreprocessConfig(
                base.height, base.width, base.cropPct, base.interpolation, mean, std, CropMode.fromTimmName(cropMode));
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
                && Arrays.equals(c.std, std)
                && c.cropMode == cropMode;
    }

    @Override
    public int hashCode() {
        return ((31 * height + width) * 31 + Double.hashCode(cropPct)) * 31
                + interpolation.hashCode()
                + 7 * Arrays.hashCode(mean)
                + 11 * Arrays.hashCode(std)
                + 13 * cropMode.hashCode();
    }

    @Override
    public String toString() {
        return "PreprocessConfig[" + height + "x" + width + ", cropPct=" + cropPct + ", " + interpolation.timmName()
                + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ", crop_mode="
                + cropMode.timmName()
                + "]";
    }
}
