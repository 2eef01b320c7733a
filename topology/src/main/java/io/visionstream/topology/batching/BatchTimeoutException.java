package io.visionstream.topology.batching;

/**
 * A batch did not finish within {@code inference.timeout.ms}: the model is taken for hung. Thrown on the
 * batcher's thread, like a failure of the runner; the batch's items are dropped from the batcher and stay
 * unfinished with their owners.
 */
public final class BatchTimeoutException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final int batchSize;
    private final long timeoutMs;

    BatchTimeoutException(String message, int batchSize, long timeoutMs) {
        super(message);
        this.batchSize = batchSize;
        this.timeoutMs = timeoutMs;
    }

    /** Items in the batch that timed out. */
    public int batchSize() {
        return batchSize;
    }

    /** The deadline it missed, {@code inference.timeout.ms}. */
    public long timeoutMs() {
        return timeoutMs;
    }
}
