package io.visionstream.inference.engine;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Engine settings.
 *
 * @param topK predictions reported per image (capped at the number of classes), at least 1
 * @param precision parameter and activation type; FP16 and BF16 need a GPU
 * @param device "auto" (GPU 0 when DJL sees a GPU, else CPU), "cpu", "gpu" (GPU 0, which must exist) or
 *     "gpu:N" (GPU N of several, which must exist: one processor per GPU is how a host of several scales)
 */
public record EngineOptions(int topK, Precision precision, String device) {

    /** What a device setting may be, as the end of an error message. */
    public static final String DEVICES = "must be auto, cpu, gpu or gpu:N (N the index of one GPU, from 0)";

    private static final Pattern GPU_INDEX = Pattern.compile("gpu:(0|[1-9][0-9]{0,3})");

    /**
     * Validates every field.
     *
     * @throws IllegalArgumentException naming the offending field and value
     */
    public EngineOptions {
        Objects.requireNonNull(precision, "precision");
        if (topK < 1) {
            throw new IllegalArgumentException("topK=" + topK + " must be >= 1");
        }
        device = device == null ? "" : device.trim().toLowerCase(Locale.ROOT);
        if (!isDevice(device)) {
            throw new IllegalArgumentException("device='" + device + "' " + DEVICES);
        }
    }

    /**
     * Whether {@code device} is a well-formed device setting: {@code auto}, {@code cpu}, {@code gpu} or
     * {@code gpu:N} with N from 0 to 9999 and no leading zero (lower case; whether GPU N exists is only
     * known when the engine opens).
     */
    public static boolean isDevice(String device) {
        return device.equals("auto")
                || device.equals("cpu")
                || device.equals("gpu")
                || GPU_INDEX.matcher(device).matches();
    }

    /** The GPU index a {@code gpu:N} setting names, or -1 for any other setting. */
    public int gpuIndex() {
        return device.startsWith("gpu:") ? Integer.parseInt(device.substring(4)) : -1;
    }

    /** Top-5, FP32, best device. */
    public static EngineOptions defaults() {
        return new EngineOptions(5, Precision.FP32, "auto");
    }

    /** A copy with another precision. */
    public EngineOptions withPrecision(Precision p) {
        return new EngineOptions(topK, p, device);
    }

    /** A copy with another top-k. */
    public EngineOptions withTopK(int k) {
        return new EngineOptions(k, precision, device);
    }

    /** A copy with another device choice. */
    public EngineOptions withDevice(String d) {
        return new EngineOptions(topK, precision, d);
    }
}
