package io.visionstream.inference.engine;

import java.util.OptionalLong;

/**
 * Runs a model over batches of preprocessed images.
 *
 * <p>Input layout: {@code batchSize} images back to back, in a float array or in the slots of an {@link
 * InputBatch}, each {@code C x H x W} float32 in CHW order,
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

    /**
     * Runs images {@code from .. from + count - 1} of {@code batch}, which its caller filled (a
     * preprocessor writing straight into the slots). The caller must not write to those slots until this
     * returns. An engine that can read native memory reads them in place; this default copies them into
     * a float array for {@link #infer(float[], int)}.
     *
     * @return one result per image, in slot order
     * @throws IllegalArgumentException when the batch's images are not {@code C * H * W} floats
     * @throws IndexOutOfBoundsException when the range is empty or leaves the batch
     * @throws IllegalStateException after {@link #close()}
     */
    default BatchResult infer(InputBatch batch, int from, int count) {
        if (batch.floatsPerImage() != info().floatsPerImage()) {
            throw new IllegalArgumentException("the batch's images have " + batch.floatsPerImage()
                    + " floats but the model takes " + info().floatsPerImage());
        }
        float[] chw = new float[Math.multiplyExact(count, batch.floatsPerImage())];
        batch.copyTo(from, count, chw, 0);
        return infer(chw, count);
    }

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
