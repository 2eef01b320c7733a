package io.visionstream.inference.engine;

import java.util.Locale;
import java.util.Objects;

/**
 * Engine settings.
 *
 * @param topK predictions reported per image (capped at the number of classes), at least 1
 * @param precision parameter and activation type; FP16 and BF16 need a GPU
 * @param device "auto" (GPU when DJL sees one, else CPU), "cpu" or "gpu"
 */
public record EngineOptions(int topK, Precision precision, String device) {

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
        device = device == null ? "" : device.toLowerCase(Locale.ROOT);
        if (!device.equals("auto") && !device.equals("cpu") && !device.equals("gpu")) {
            throw new IllegalArgumentException("device='" + device + "' must be auto, cpu or gpu");
        }
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
