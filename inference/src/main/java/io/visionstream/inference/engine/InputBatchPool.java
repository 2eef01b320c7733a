package io.visionstream.inference.engine;

import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Reuses {@link InputBatch}es of one shape: a batch taken is the caller's until it gives it back, and a
 * batch given back is taken again before a new one is made. So the pool never holds more batches than were
 * ever out at the same time, and that peak is what its users bound (e.g. one open and {@code
 * max.inflight.batches} closed batches per stream thread). A batch that is never given back (its user
 * gave up on it) is freed by the garbage collector like any direct buffer.
 *
 * <p>Thread-safe.
 */
public final class InputBatchPool {

    private final int capacity;
    private final int floatsPerImage;
    private final ConcurrentLinkedDeque<InputBatch> free = new ConcurrentLinkedDeque<>();

    /**
     * @param capacity images per batch
     * @param floatsPerImage floats per image, {@code C * H * W}
     * @throws IllegalArgumentException when a size is not positive
     */
    public InputBatchPool(int capacity, int floatsPerImage) {
        if (capacity < 1 || floatsPerImage < 1) {
            throw new IllegalArgumentException(
                    "capacity and floatsPerImage must be at least 1, got " + capacity + " and " + floatsPerImage);
        }
        this.capacity = capacity;
        this.floatsPerImage = floatsPerImage;
    }

    /** Images per batch. */
    public int capacity() {
        return capacity;
    }

    /** A free batch; its slots hold whatever its last user wrote. */
    public InputBatch take() {
        InputBatch pooled = free.poll();
        return pooled != null ? pooled : InputBatch.allocate(capacity, floatsPerImage);
    }

    /**
     * Takes {@code batch} back for reuse; its giver must not touch it again.
     *
     * @throws IllegalArgumentException when {@code batch} has another shape than this pool's
     */
    public void give(InputBatch batch) {
        if (batch.capacity() != capacity || batch.floatsPerImage() != floatsPerImage) {
            throw new IllegalArgumentException("a batch of " + batch.capacity() + " x " + batch.floatsPerImage()
                    + " floats does not belong to a pool of " + capacity + " x " + floatsPerImage);
        }
        free.push(batch);
    }

    /** Batches waiting to be taken again; for tests and metrics. */
    public int idle() {
        return free.size();
    }
}
