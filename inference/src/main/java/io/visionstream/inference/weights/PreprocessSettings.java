package io.visionstream.inference.weights;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How images must be prepared for a checkpoint, from timm's {@code pretrained_cfg}. With {@code
 * cropMode} "center" (timm's default): resize the shorter side to {@code floor(size / cropPct)} with
 * {@code interpolation}, centre-crop to {@code height x width}; with "squash": resize both sides to
 * {@code floor(size / cropPct)} ignoring aspect, then centre-crop (Hugging Face's ViTImageProcessor
 * is "squash" with cropPct 1). Then scale to [0, 1] and {@code (x - mean) / std} per channel, CHW.
 *
 * @param channels C of {@code input_size}
 * @param height H the model runs at (the loaded size, which may differ from the checkpoint's)
 * @param width W the model runs at
 * @param mean per-channel mean, one value per channel
 * @param std per-channel standard deviation, one positive value per channel
 * @param cropPct timm's {@code crop_pct}, in (0, 1]
 * @param interpolation timm's interpolation name as written ({@code "bicubic"}, {@code "bilinear"}, ...)
 * @param cropMode timm's {@code crop_mode}: "center", "squash" or "border"
 */
public record PreprocessSettings(
        int channels,
        int height,
        int width,
        List<Double> mean,
        List<Double> std,
        double cropPct,
        String interpolation,
        String cropMode) {

    /** timm's crop modes. */
    public static final List<String> CROP_MODES = List.of("center", "squash", "border");

    /**
     * Validates and copies the lists.
     *
     * @throws IllegalArgumentException naming the offending key and value
     */
    public PreprocessSettings {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException(
                    String.format(Locale.ROOT, "input_size=[%d, %d, %d] must be positive", channels, height, width));
        }
        mean = List.copyOf(Objects.requireNonNull(mean, "mean"));
        std = List.copyOf(Objects.requireNonNull(std, "std"));
        if (mean.size() != channels) {
            throw new IllegalArgumentException("mean=" + mean + " needs " + channels + " values (input_size C)");
        }
        if (std.size() != channels) {
            throw new IllegalArgumentException("std=" + std + " needs " + channels + " values (input_size C)");
        }
        if (std.stream().anyMatch(s -> !(s > 0))) {
            throw new IllegalArgumentException("std=" + std + " must be positive");
        }
        if (!(cropPct > 0 && cropPct <= 1)) {
            throw new IllegalArgumentException("crop_pct=" + cropPct + " must be in (0, 1]");
        }
        if (interpolation == null || interpolation.isBlank()) {
            throw new IllegalArgumentException("interpolation='" + interpolation + "' must be a name");
        }
        if (!CROP_MODES.contains(cropMode)) {
            throw new IllegalArgumentException("crop_mode='" + cropMode + "' is not one of " + CROP_MODES);
        }
    }

    /** The same settings for a model run at another size. */
    /**
     * The image preprocessor's config for these settings, {@code crop_mode} included: the one place a
     * checkpoint's {@code pretrained_cfg} becomes the eval transform that serving and training apply.
     *
     * @throws IllegalArgumentException for settings the preprocessor does not implement, e.g. crop_mode
     *     "squash" or "border", naming the key and value
     */
    public io.visionstream.inference.image.PreprocessConfig toPreprocessConfig() {
        return io.visionstream.inference.image.PreprocessConfig.fromTimm(
                new int[] {channels, height, width},
                mean.stream().mapToDouble(Double::doubleValue).toArray(),
                std.stream().mapToDouble(Double::doubleValue).toArray(),
                cropPct,
                interpolation,
                cropMode);
    }

    public PreprocessSettings withSize(int newHeight, int newWidth) {
        return new PreprocessSettings(channels, newHeight, newWidth, mean, std, cropPct, interpolation, cropMode);
    }

    /** {@link #mean()} as floats. */
    public float[] meanArray() {
        return toFloats(mean);
    }

    /** {@link #std()} as floats. */
    public float[] stdArray() {
        return toFloats(std);
    }

    private static float[] toFloats(List<Double> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).floatValue();
        }
        return out;
    }
}
