package io.visionstream.topology.batching;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Gathers items from several owners (the tasks of one stream thread) into batches closed by size or by
 * the age of their oldest item, runs each batch through a {@link Runner}, and hands every result back
 * to the owner that added the item.
 *
 * <p>Not thread-safe by design: one instance belongs to one stream thread, and every method must be
 * called from that thread. The runner is called synchronously on that thread, so an owner's {@link
 * Owner#complete} runs while some (possibly other) task of the same thread is active; owners must only
 * record the result and release it from their own processing context.
 *
 * @param <T> what goes into the model, e.g. a preprocessed image
 * @param <R> what comes back per item
 */
public final class MicroBatcher<T, R> {

    /** Runs one batch; returns exactly one result per input, in input order. */
    @FunctionalInterface
    public interface Runner<T, R> {
        List<R> run(List<T> inputs);
    }

    /** The task an item came from: it receives the result for the position and input it added. */
    public interface Owner<T, R> {
        void complete(long position, T input, R result, BatchInfo batch);
    }

    private record Pending<T, R>(Owner<T, R> owner, long position, T input, long addedAtMs) {}

    private final String name;
    private final int maxBatchSize;
    private final long maxDelayMs;
    private final Runner<T, R> runner;
    private final LongSupplier clock;
    private final List<Pending<T, R>> pending;
    private long batchSequence;

    /**
     * @param name prefix of batch ids, e.g. the stream thread's name
     * @param maxBatchSize a batch closes when it holds this many items (1 or more)
     * @param maxDelayMs a batch closes when its oldest item has waited this long (0 or more)
     * @param clock wall-clock milliseconds; a parameter so tests can drive time
     */
    public MicroBatcher(String name, int maxBatchSize, long maxDelayMs, Runner<T, R> runner, LongSupplier clock) {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("max.batch.size must be at least 1, got " + maxBatchSize);
        }
        if (maxDelayMs < 0) {
            throw new IllegalArgumentException("max.batch.delay.ms must be 0 or more, got " + maxDelayMs);
        }
        this.name = Objects.requireNonNull(name, "name");
        this.maxBatchSize = maxBatchSize;
        this.maxDelayMs = maxDelayMs;
        this.runner = Objects.requireNonNull(runner, "runner");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.pending = new ArrayList<>(maxBatchSize);
    }

    /**
     * Adds an item; if that fills the batch, runs it before returning.
     *
     * @throws RuntimeException whatever the runner throws; the batch's items are then dropped from this
     *     batcher, and their owners still hold them as unfinished (they must be retried from durable state)
     */
    public void add(Owner<T, R> owner, long position, T input) {
        pending.add(new Pending<>(owner, position, input, clock.getAsLong()));
        if (pending.size() >= maxBatchSize) {
            runBatch(BatchInfo.Trigger.SIZE);
        }
    }

    /** Runs the batch if its oldest item has waited {@code max.batch.delay.ms}; returns whether it ran. */
    public boolean runIfDue() {
        if (pending.isEmpty() || clock.getAsLong() - pending.get(0).addedAtMs() < maxDelayMs) {
            return false;
        }
        runBatch(BatchInfo.Trigger.DELAY);
        return true;
    }

    /** Runs whatever is pending now, regardless of size and age. */
    public void runNow() {
        if (!pending.isEmpty()) {
            runBatch(BatchInfo.Trigger.FORCED);
        }
    }

    /**
     * Forgets every item of {@code owner} without running it, e.g. when its task is closed or migrates;
     * the owner's durable state brings them back wherever the task next runs.
     *
     * @return how many items were removed
     */
    public int removeOwner(Owner<T, R> owner) {
        int before = pending.size();
        pending.removeIf(p -> p.owner() == owner);
        return before - pending.size();
    }

    /** Items waiting for the next batch. */
    public int pendingCount() {
        return pending.size();
    }

    /** Milliseconds until the current batch is due by delay, or -1 if nothing is pending. */
    public long millisUntilDue() {
        if (pending.isEmpty()) {
            return -1;
        }
        return Math.max(0, pending.get(0).addedAtMs() + maxDelayMs - clock.getAsLong());
    }

    private void runBatch(BatchInfo.Trigger trigger) {
        List<Pending<T, R>> batch = List.copyOf(pending);
        pending.clear();
        List<T> inputs = new ArrayList<>(batch.size());
        for (Pending<T, R> p : batch) {
            inputs.add(p.input());
        }
        long started = clock.getAsLong();
        List<R> results = runner.run(inputs);
        long finished = clock.getAsLong();
        if (results.size() != batch.size()) {
            throw new IllegalStateException(
                    "runner returned " + results.size() + " results for a batch of " + batch.size());
        }
        BatchInfo info =
                new BatchInfo(name + "-" + batchSequence++, batch.size(), trigger, started, finished - started);
        for (int i = 0; i < batch.size(); i++) {
            Pending<T, R> p = batch.get(i);
            p.owner().complete(p.position(), p.input(), results.get(i), info);
        }
    }
}
