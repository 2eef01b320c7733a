package io.visionstream.topology.batching;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Gathers items from several owners (the tasks of one stream thread) into batches closed by size or by
 * the age of their oldest item, runs each batch through a {@link Runner} on an {@link Executor}, and
 * hands every result back to the owner that added the item.
 *
 * <p>With an asynchronous executor the stream thread keeps polling, decoding and committing while a
 * batch runs: up to {@code maxInFlight} closed batches may be running or queued, and closing one more
 * blocks the stream thread until the oldest finishes (back-pressure, so memory stays bounded). Results
 * are handed to owners only on the batcher's own thread, in the order the batches closed, from {@link
 * #add}, {@link #runIfDue}, {@link #deliverFinished} and {@link #runNow}. With a direct executor ({@code
 * Runnable::run}) a batch runs and completes inside the call that closed it.
 *
 * <p>With a {@link BatchDeadline}, a batch that runs on the executor past its deadline (or waits for a
 * worker while the workers make no progress for as long) fails the same calls with a {@link
 * BatchTimeoutException}, whether the thread was waiting for it or only looking: a hung model stops the
 * batcher's thread loudly at its next call instead of holding it, or its items, for ever. The runner
 * itself cannot be stopped; it is left to finish or hang, and its results are discarded.
 *
 * <p>Not thread-safe by design: one instance belongs to one stream thread, and every method must be
 * called from that thread. An owner's {@link Owner#complete} runs while some (possibly other) task of
 * the same thread is active; owners must only record the result and release it from their own
 * processing context.
 *
 * @param <T> what goes into the model, e.g. a preprocessed image
 * @param <R> what comes back per item
 */
public final class MicroBatcher<T, R> {

    /**
     * Runs one batch; returns exactly one result per input, in input order. Called on the executor's
     * threads: through an executor of several threads, runs of the same batcher may overlap, so a
     * runner used that way must be thread-safe.
     */
    @FunctionalInterface
    public interface Runner<T, R> {
        List<R> run(List<T> inputs);
    }

    /**
     * Told when batches close and leave, e.g. to count them; called on the batcher's thread, so it must be
     * quick and must not call back into the batcher.
     */
    public interface Listener {
        /** Hears nothing. */
        Listener NONE = new Listener() {};

        /** A batch of {@code size} items closed for {@code trigger} and is now in flight. */
        default void batchClosed(BatchInfo.Trigger trigger, int size) {}

        /** A closed batch left the in-flight line: delivered, or its runner failed. */
        default void batchLeft() {}
    }

    /** The task an item came from: it receives the result for the position and input it added. */
    public interface Owner<T, R> {
        void complete(long position, T input, R result, BatchInfo batch);
    }

    /** The longest a waiting thread sleeps before it looks at the clock again. */
    private static final long MAX_WAIT_SLICE_MS = 100;

    private record Pending<T, R>(Owner<T, R> owner, long position, T input, long addedAtMs) {}

    /** A closed batch, running or queued on the executor, or finished and not yet delivered. */
    private static final class InFlight<T, R> {
        final String id;
        final BatchInfo.Trigger trigger;
        final long closedAtMs;
        /** Items in batch order; an entry becomes null when its owner is removed. */
        final List<Pending<T, R>> items;

        CompletableFuture<List<R>> results;
        volatile long inferenceMs;
        /** When a worker started the batch, by the batcher's clock; -1 until then. */
        volatile long startedAtMs = -1;

        InFlight(String id, BatchInfo.Trigger trigger, long closedAtMs, List<Pending<T, R>> items) {
            this.id = id;
            this.trigger = trigger;
            this.closedAtMs = closedAtMs;
            this.items = items;
        }
    }

    private final String name;
    private final int maxBatchSize;
    private final long maxDelayMs;
    private final int maxInFlight;
    private final Runner<T, R> runner;
    private final Executor executor;
    private final LongSupplier clock;
    private final Listener listener;
    private final BatchDeadline deadline;
    private final List<Pending<T, R>> pending;
    private final ArrayDeque<InFlight<T, R>> inFlight = new ArrayDeque<>();
    private long batchSequence;
    /** Slots of the forming batch taken so far, those of removed items included (see {@link #nextSlot}). */
    private int slotsTaken;

    /**
     * A batcher that runs each batch synchronously on the calling thread.
     *
     * @see #MicroBatcher(String, int, long, int, Runner, Executor, LongSupplier)
     */
    public MicroBatcher(String name, int maxBatchSize, long maxDelayMs, Runner<T, R> runner, LongSupplier clock) {
        this(name, maxBatchSize, maxDelayMs, 1, runner, Runnable::run, clock);
    }

    /**
     * A batcher that tells no listener.
     *
     * @see #MicroBatcher(String, int, long, int, Runner, Executor, LongSupplier, Listener)
     */
    public MicroBatcher(
            String name,
            int maxBatchSize,
            long maxDelayMs,
            int maxInFlight,
            Runner<T, R> runner,
            Executor executor,
            LongSupplier clock) {
        this(name, maxBatchSize, maxDelayMs, maxInFlight, runner, executor, clock, Listener.NONE);
    }

    /**
     * A batcher whose batches may run for ever.
     *
     * @see #MicroBatcher(String, int, long, int, Runner, Executor, LongSupplier, Listener, BatchDeadline)
     */
    public MicroBatcher(
            String name,
            int maxBatchSize,
            long maxDelayMs,
            int maxInFlight,
            Runner<T, R> runner,
            Executor executor,
            LongSupplier clock,
            Listener listener) {
        this(name, maxBatchSize, maxDelayMs, maxInFlight, runner, executor, clock, listener, BatchDeadline.none());
    }

    /**
     * @param name prefix of batch ids, e.g. the stream thread's name
     * @param maxBatchSize a batch closes when it has taken this many slots: this many items, fewer when
     *     items were removed from it (1 or more)
     * @param maxDelayMs a batch closes when its oldest item has waited this long (0 or more)
     * @param maxInFlight closed batches allowed to be running or waiting for the executor (1 or more)
     * @param executor runs batches; {@code Runnable::run} runs them on the calling thread
     * @param clock wall-clock milliseconds, read on this batcher's thread and the executor's; a parameter
     *     so tests can drive time
     * @param listener told of every batch that closes and leaves
     * @param deadline how long a batch may take on the executor; shared by every batcher whose batches run
     *     on the same workers, so that a batch waiting for a worker can tell stuck workers from busy ones
     */
    public MicroBatcher(
            String name,
            int maxBatchSize,
            long maxDelayMs,
            int maxInFlight,
            Runner<T, R> runner,
            Executor executor,
            LongSupplier clock,
            Listener listener,
            BatchDeadline deadline) {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("max.batch.size must be at least 1, got " + maxBatchSize);
        }
        if (maxDelayMs < 0) {
            throw new IllegalArgumentException("max.batch.delay.ms must be 0 or more, got " + maxDelayMs);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("max.inflight.batches must be at least 1, got " + maxInFlight);
        }
        this.name = Objects.requireNonNull(name, "name");
        this.maxBatchSize = maxBatchSize;
        this.maxDelayMs = maxDelayMs;
        this.maxInFlight = maxInFlight;
        this.runner = Objects.requireNonNull(runner, "runner");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.deadline = Objects.requireNonNull(deadline, "deadline");
        this.pending = new ArrayList<>(maxBatchSize);
    }

    /**
     * Adds an item in slot {@link #nextSlot()}; if that fills the batch, closes it (waiting first if {@code maxInFlight} batches are
     * already out). Delivers every batch that has finished.
     *
     * @throws RuntimeException whatever the runner threw for a batch delivered here, or a {@link
     *     BatchTimeoutException} for a batch past its deadline; that batch's items are then dropped from
     *     this batcher, and their owners still hold them as unfinished (they must be retried from durable
     *     state)
     */
    public void add(Owner<T, R> owner, long position, T input) {
        pending.add(new Pending<>(owner, position, input, clock.getAsLong()));
        slotsTaken++;
        if (slotsTaken >= maxBatchSize) {
            close(BatchInfo.Trigger.SIZE);
        }
        deliverFinished();
    }

    /**
     * The slot that the next {@link #add}ed item takes in the forming batch, so that a caller can write
     * the item's data into storage of that batch (one buffer per batch, one slot per item) before adding
     * it. Items take slots 0, 1, 2, ... in the order they join; an item removed by {@link #removeOwner}
     * leaves its slot unused, so a batch's items may skip slots but never share one, and the batch closes
     * once all {@code maxBatchSize} slots are taken. When removals empty the forming batch it starts again
     * at slot 0.
     */
    public int nextSlot() {
        return slotsTaken;
    }

    /**
     * The number of the forming batch (the last part of its {@link BatchInfo#batchId()}); it changes exactly
     * when a batch closes, so storage a caller keeps per batch must be replaced when it does.
     */
    public long formingBatchNumber() {
        return batchSequence;
    }

    /**
     * Closes the batch if its oldest item has waited {@code max.batch.delay.ms}, then delivers finished
     * batches; returns whether a batch closed.
     */
    public boolean runIfDue() {
        boolean due = !pending.isEmpty() && clock.getAsLong() - pending.get(0).addedAtMs() >= maxDelayMs;
        if (due) {
            close(BatchInfo.Trigger.DELAY);
        }
        deliverFinished();
        return due;
    }

    /** Closes whatever is pending, regardless of size and age, and waits for every batch to be delivered. */
    public void runNow() {
        if (!pending.isEmpty()) {
            close(BatchInfo.Trigger.FORCED);
        }
        while (!inFlight.isEmpty()) {
            deliver(inFlight.poll());
        }
    }

    /**
     * Hands the results of every finished batch at the head of the line to their owners, in the order
     * the batches closed. Never waits.
     *
     * @return how many batches were delivered
     * @throws RuntimeException whatever the runner threw for one of them, or a {@link
     *     BatchTimeoutException} when the oldest unfinished batch is past its deadline (see {@link #add})
     */
    public int deliverFinished() {
        int delivered = 0;
        while (!inFlight.isEmpty()) {
            InFlight<T, R> oldest = inFlight.peek();
            if (!oldest.results.isDone()) {
                // Later batches started no earlier: if the oldest is within its deadline, so are they.
                failIfOverdue(oldest);
                break;
            }
            deliver(inFlight.poll());
            delivered++;
        }
        return delivered;
    }

    /**
     * Forgets every item of {@code owner} without running it, e.g. when its task is closed or migrates;
     * the owner's durable state brings them back wherever the task next runs. Items of the owner in a
     * batch already closed still go through the model, and their results are discarded.
     *
     * @return how many items were removed, waiting or in closed batches
     */
    public int removeOwner(Owner<T, R> owner) {
        int before = pending.size();
        pending.removeIf(p -> p.owner() == owner);
        int removed = before - pending.size();
        if (pending.isEmpty()) {
            slotsTaken = 0;
        }
        for (InFlight<T, R> batch : inFlight) {
            for (int i = 0; i < batch.items.size(); i++) {
                Pending<T, R> p = batch.items.get(i);
                if (p != null && p.owner() == owner) {
                    batch.items.set(i, null);
                    removed++;
                }
            }
        }
        return removed;
    }

    /** Items waiting for the next batch to close. */
    public int pendingCount() {
        return pending.size();
    }

    /** Closed batches not yet delivered: running, queued, or finished and waiting for delivery. */
    public int inFlightCount() {
        return inFlight.size();
    }

    /** Milliseconds until the current batch is due by delay, or -1 if nothing is pending. */
    public long millisUntilDue() {
        if (pending.isEmpty()) {
            return -1;
        }
        return Math.max(0, pending.get(0).addedAtMs() + maxDelayMs - clock.getAsLong());
    }

    private void close(BatchInfo.Trigger trigger) {
        while (inFlight.size() >= maxInFlight) {
            deliver(inFlight.poll());
        }
        InFlight<T, R> batch =
                new InFlight<>(name + "-" + batchSequence++, trigger, clock.getAsLong(), new ArrayList<>(pending));
        pending.clear();
        slotsTaken = 0;
        List<T> inputs = new ArrayList<>(batch.items.size());
        for (Pending<T, R> p : batch.items) {
            inputs.add(p.input());
        }
        inFlight.add(batch);
        try {
            batch.results = CompletableFuture.supplyAsync(
                    () -> {
                        long started = clock.getAsLong();
                        batch.startedAtMs = started;
                        deadline.progress(started);
                        try {
                            List<R> results = runner.run(inputs);
                            batch.inferenceMs = clock.getAsLong() - started;
                            return results;
                        } finally {
                            deadline.progress(clock.getAsLong());
                        }
                    },
                    executor);
        } catch (RuntimeException rejected) {
            // e.g. the executor was shut down: the items stay unfinished with their owners
            inFlight.pollLast();
            throw rejected;
        }
        listener.batchClosed(trigger, batch.items.size());
    }

    /**
     * Waits for {@code batch} if it is still running, at most until its deadline, then completes every
     * item whose owner remains.
     */
    private void deliver(InFlight<T, R> batch) {
        List<R> results;
        try {
            results = await(batch);
        } finally {
            listener.batchLeft();
        }
        if (results.size() != batch.items.size()) {
            throw new IllegalStateException(
                    "runner returned " + results.size() + " results for a batch of " + batch.items.size());
        }
        BatchInfo info =
                new BatchInfo(batch.id, batch.items.size(), batch.trigger, batch.closedAtMs, batch.inferenceMs);
        for (int i = 0; i < batch.items.size(); i++) {
            Pending<T, R> p = batch.items.get(i);
            if (p != null) {
                p.owner().complete(p.position(), p.input(), results.get(i), info);
            }
        }
    }

    /**
     * The batch's results, or what the runner threw, unwrapped, on this thread; a {@link
     * BatchTimeoutException} once the batch is past its deadline.
     */
    private List<R> await(InFlight<T, R> batch) {
        boolean interrupted = false;
        try {
            while (true) {
                if (!batch.results.isDone()) {
                    failIfOverdue(batch);
                }
                // The deadline moves when the batch starts, and tests drive the clock by hand: look again
                // at least this often.
                long waitMs = Math.min(
                        MAX_WAIT_SLICE_MS,
                        Math.max(1, deadline.deadlineMs(batch.closedAtMs, batch.startedAtMs) - clock.getAsLong()));
                try {
                    return batch.results.get(waitMs, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    // look at the deadline again
                } catch (InterruptedException e) {
                    // The batch is running on the engine; stopping half-way would leave it unaccounted.
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw unwrap(e.getCause());
                }
            }
        } catch (CompletionException e) {
            throw unwrap(e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Throws a {@link BatchTimeoutException} if {@code batch}, still unfinished, is past its deadline; the
     * batch then leaves the line, and its items stay unfinished with their owners.
     */
    private void failIfOverdue(InFlight<T, R> batch) {
        long now = clock.getAsLong();
        long started = batch.startedAtMs;
        if (now < deadline.deadlineMs(batch.closedAtMs, started)) {
            return;
        }
        if (inFlight.remove(batch)) {
            listener.batchLeft();
        }
        long timeoutMs = deadline.timeoutMs();
        int size = batch.items.size();
        String what = started >= 0
                ? "has run on the model for " + (now - started) + " ms"
                : "has waited " + (now - batch.closedAtMs) + " ms for an inference worker while no batch started"
                        + " or finished on the workers";
        throw new BatchTimeoutException(
                "Batch " + batch.id + " of " + size + " item(s) " + what + ", past inference.timeout.ms (" + timeoutMs
                        + " ms): the model appears hung. Its items stay unfinished",
                size,
                timeoutMs);
    }

    private static RuntimeException unwrap(Throwable cause) {
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new IllegalStateException("the batch runner failed", cause);
    }
}
