package io.visionstream.inference.engine;

import java.util.OptionalLong;

/**
 * Runs a model over batches of preprocessed images.
 *
 * <p>Input layout: {@code batchSize} images back to back, each {@code C x H x W} float32 in CHW order,
 * already resized, cropped and normalised as {@link ModelInfo#preprocess()} says. Implementations must
 * state their thread-safety and free per-batch native memory before {@code infer} returns.
 */
public interface InferenceEngine extends AutoCloseable {

    /**
     * Runs one batch.
     *
     * @param chwBatch {@code batchSize * C * H * W} floats
     * @param batchSize number of images, at least 1
     * @return one result per image, in input order
     * @throws IllegalArgumentException when {@code batchSize <= 0} or the array length is not {@code
     *     batchSize * C * H * W}; the message gives expected and actual
     * @throws IllegalStateException after {@link #close()}
     */
    BatchResult infer(float[] chwBatch, int batchSize);

    /** What the engine runs and expects. */
    ModelInfo info();

    /**
     * Bytes of memory in use on the GPU the model runs on, as the device's driver reports it (every
     * process's allocations, as {@code nvidia-smi} shows them). Empty on a CPU, or when the driver cannot
     * be asked. Safe to call from any thread, e.g. a metrics scrape.
     */
    default OptionalLong deviceMemoryUsedBytes() {
        return OptionalLong.empty();
    }

    /** Frees the model's native memory; idempotent. */
    @Override
    void close();
}
