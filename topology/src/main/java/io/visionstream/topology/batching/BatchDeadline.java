package io.visionstream.topology.batching;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How long a batch may take on the inference workers ({@code inference.timeout.ms}), shared by every
 * {@link MicroBatcher} whose batches run on the same workers. A batch that runs longer is taken for a hung
 * model. A batch still waiting for a worker counts as hung once the workers have neither started nor
 * finished any batch for that long since it closed: every worker is then held by a batch past its own
 * deadline, so it would never start. A long queue behind batches that do finish is not a hang.
 *
 * <p>Thread-safe: the workers report progress, the batchers' threads read it.
 */
public final class BatchDeadline {

    private static final BatchDeadline NONE = new BatchDeadline(Long.MAX_VALUE);

    private final long timeoutMs;
    /** When a batch last started or finished on the workers, by the batchers' clock. */
    private final AtomicLong lastProgressMs = new AtomicLong(Long.MIN_VALUE);

    /**
     * @param timeoutMs how long one batch may run, at least 1
     * @throws IllegalArgumentException for a timeout below 1 ms, naming {@code inference.timeout.ms}
     */
    public BatchDeadline(long timeoutMs) {
        if (timeoutMs < 1) {
            throw new IllegalArgumentException("inference.timeout.ms must be at least 1, got " + timeoutMs);
        }
        this.timeoutMs = timeoutMs;
    }

    /** No deadline: batches may run for ever (a batcher that runs batches on its own thread has no other choice). */
    public static BatchDeadline none() {
        return NONE;
    }

    /** How long one batch may run, in milliseconds. */
    public long timeoutMs() {
        return timeoutMs;
    }

    /** A batch started or finished on a worker at {@code nowMs}. */
    void progress(long nowMs) {
        lastProgressMs.accumulateAndGet(nowMs, Math::max);
    }

    /**
     * When a batch that closed at {@code closedAtMs} and started at {@code startedAtMs} (negative: not
     * yet) passes its deadline; {@link Long#MAX_VALUE} for never.
     */
    long deadlineMs(long closedAtMs, long startedAtMs) {
        long from = startedAtMs >= 0 ? startedAtMs : Math.max(closedAtMs, lastProgressMs.get());
        return from > Long.MAX_VALUE - timeoutMs ? Long.MAX_VALUE : from + timeoutMs;
    }
}
