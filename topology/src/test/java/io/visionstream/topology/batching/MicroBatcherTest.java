package io.visionstream.topology.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class MicroBatcherTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final List<List<Integer>> batchesRun = new ArrayList<>();

    /** The "model": doubles each input, records the batch it saw. */
    private final MicroBatcher.Runner<Integer, Integer> doubler = inputs -> {
        batchesRun.add(List.copyOf(inputs));
        return inputs.stream().map(i -> i * 2).toList();
    };

    /** An owner that records what it was given. */
    private static final class Task implements MicroBatcher.Owner<Integer, Integer> {
        final List<String> completed = new ArrayList<>();

        @Override
        public void complete(long position, Integer input, Integer result, BatchInfo batch) {
            completed.add(position + "=" + result + "@" + batch.size() + "/" + batch.trigger());
        }
    }

    private MicroBatcher<Integer, Integer> batcher(int maxSize, long maxDelayMs) {
        return new MicroBatcher<>("thread-1", maxSize, maxDelayMs, doubler, now::get);
    }

    @Test
    void aBatchRunsAsSoonAsItReachesMaxSize() {
        var batcher = batcher(3, 1_000);
        Task task = new Task();
        batcher.add(task, 10, 1);
        batcher.add(task, 11, 2);
        assertThat(batchesRun).isEmpty();
        batcher.add(task, 12, 3);
        assertThat(batchesRun).containsExactly(List.of(1, 2, 3));
        assertThat(task.completed).containsExactly("10=2@3/SIZE", "11=4@3/SIZE", "12=6@3/SIZE");
        assertThat(batcher.pendingCount()).isZero();
    }

    @Test
    void aBatchRunsWhenItsOldestItemHasWaitedMaxDelay() {
        var batcher = batcher(8, 50);
        Task task = new Task();
        batcher.add(task, 1, 5);
        now.addAndGet(30);
        batcher.add(task, 2, 6);
        now.addAndGet(19);
        assertThat(batcher.runIfDue()).isFalse();
        assertThat(batcher.millisUntilDue()).isEqualTo(1);
        now.addAndGet(1);
        assertThat(batcher.runIfDue()).isTrue();
        assertThat(task.completed).containsExactly("1=10@2/DELAY", "2=12@2/DELAY");
        assertThat(batcher.millisUntilDue()).isEqualTo(-1);
    }

    @Test
    void itemsFromSeveralOwnersShareABatchAndEachOwnerGetsItsOwnResults() {
        var batcher = batcher(4, 1_000);
        Task a = new Task();
        Task b = new Task();
        batcher.add(a, 100, 1);
        batcher.add(b, 7, 2);
        batcher.add(a, 101, 3);
        batcher.add(b, 8, 4);
        assertThat(batchesRun).containsExactly(List.of(1, 2, 3, 4));
        assertThat(a.completed).containsExactly("100=2@4/SIZE", "101=6@4/SIZE");
        assertThat(b.completed).containsExactly("7=4@4/SIZE", "8=8@4/SIZE");
    }

    @Test
    void removingAnOwnerDropsOnlyItsItems() {
        var batcher = batcher(4, 1_000);
        Task a = new Task();
        Task b = new Task();
        batcher.add(a, 1, 1);
        batcher.add(b, 1, 2);
        batcher.add(a, 2, 3);
        assertThat(batcher.removeOwner(a)).isEqualTo(2);
        batcher.runNow();
        assertThat(batchesRun).containsExactly(List.of(2));
        assertThat(a.completed).isEmpty();
        assertThat(b.completed).containsExactly("1=4@1/FORCED");
    }

    @Test
    void itemsTakeSlotsInTheOrderTheyJoinFromZeroInEveryBatch() {
        var batcher = batcher(3, 1_000);
        Task task = new Task();
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            slots.add(batcher.nextSlot());
            batcher.add(task, i, i);
        }
        assertThat(slots).containsExactly(0, 1, 2, 0, 1);
    }

    @Test
    void theFormingBatchNumberChangesExactlyWhenABatchCloses() {
        var batcher = batcher(2, 50);
        Task task = new Task();
        long first = batcher.formingBatchNumber();
        batcher.add(task, 1, 1);
        assertThat(batcher.formingBatchNumber()).isEqualTo(first);
        batcher.add(task, 2, 2); // closes by size
        assertThat(batcher.formingBatchNumber()).isEqualTo(first + 1);
        batcher.add(task, 3, 3);
        now.addAndGet(50);
        batcher.runIfDue(); // closes by delay
        assertThat(batcher.formingBatchNumber()).isEqualTo(first + 2);
    }

    @Test
    void aRemovedItemLeavesItsSlotUnusedAndTheBatchClosesWhenEverySlotIsTaken() {
        var batcher = batcher(4, 1_000);
        Task a = new Task();
        Task b = new Task();
        batcher.add(a, 1, 1); // slot 0
        batcher.add(b, 1, 2); // slot 1
        batcher.removeOwner(a);
        assertThat(batcher.nextSlot()).isEqualTo(2);
        batcher.add(b, 2, 3); // slot 2
        batcher.add(b, 3, 4); // slot 3: every slot taken, three items
        assertThat(batchesRun).containsExactly(List.of(2, 3, 4));
        assertThat(b.completed).containsExactly("1=4@3/SIZE", "2=6@3/SIZE", "3=8@3/SIZE");
        assertThat(batcher.nextSlot()).isZero();
    }

    @Test
    void removalsThatEmptyTheFormingBatchStartItAgainAtSlotZero() {
        var batcher = batcher(4, 1_000);
        Task a = new Task();
        batcher.add(a, 1, 1);
        batcher.add(a, 2, 2);
        long number = batcher.formingBatchNumber();
        batcher.removeOwner(a);
        assertThat(batcher.nextSlot()).isZero();
        assertThat(batcher.formingBatchNumber()).isEqualTo(number);
    }

    @Test
    void batchIdsAreUniqueAndCarryTheBatcherName() {
        var batcher = batcher(1, 0);
        List<String> ids = new ArrayList<>();
        MicroBatcher.Owner<Integer, Integer> owner = (position, input, result, batch) -> ids.add(batch.batchId());
        batcher.add(owner, 1, 1);
        batcher.add(owner, 2, 1);
        assertThat(ids).containsExactly("thread-1-0", "thread-1-1");
    }

    @Test
    void aRunnerFailurePropagatesAndLeavesNothingPending() {
        var batcher = new MicroBatcher<Integer, Integer>(
                "t",
                2,
                1_000,
                inputs -> {
                    throw new IllegalStateException("model exploded");
                },
                now::get);
        Task task = new Task();
        batcher.add(task, 1, 1);
        assertThatThrownBy(() -> batcher.add(task, 2, 2))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("model exploded");
        assertThat(batcher.pendingCount()).isZero();
        assertThat(task.completed).isEmpty();
    }

    /** A listener that writes down what it hears. */
    private static final class Heard implements MicroBatcher.Listener {
        final List<String> events = new ArrayList<>();

        @Override
        public void batchClosed(BatchInfo.Trigger trigger, int size) {
            events.add("closed " + trigger + " " + size);
        }

        @Override
        public void batchLeft() {
            events.add("left");
        }
    }

    @Test
    void theListenerHearsEachBatchCloseWithItsTriggerAndSizeAndLeave() {
        Heard heard = new Heard();
        var batcher = new MicroBatcher<>("t", 2, 50, 1, doubler, Runnable::run, now::get, heard);
        Task task = new Task();
        batcher.add(task, 1, 1);
        batcher.add(task, 2, 2);
        batcher.add(task, 3, 3);
        now.addAndGet(50);
        batcher.runIfDue();
        batcher.add(task, 4, 4);
        batcher.runNow();
        assertThat(heard.events)
                .containsExactly("closed SIZE 2", "left", "closed DELAY 1", "left", "closed FORCED 1", "left");
    }

    @Test
    void aBatchWhoseRunnerFailedStillLeavesTheListenersCount() {
        Heard heard = new Heard();
        var batcher = new MicroBatcher<Integer, Integer>(
                "t",
                1,
                1_000,
                1,
                inputs -> {
                    throw new IllegalStateException("model exploded");
                },
                Runnable::run,
                now::get,
                heard);
        assertThatThrownBy(() -> batcher.add(new Task(), 1, 1)).hasMessage("model exploded");
        assertThat(heard.events).containsExactly("closed SIZE 1", "left");
    }

    @Test
    void aRunnerReturningTheWrongNumberOfResultsIsRefused() {
        var batcher = new MicroBatcher<Integer, Integer>("t", 2, 1_000, inputs -> List.of(1), now::get);
        Task task = new Task();
        batcher.add(task, 1, 1);
        assertThatThrownBy(() -> batcher.add(task, 2, 2))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("runner returned 1 results for a batch of 2");
        assertThat(task.completed).isEmpty();
    }

    /** A runner on another thread that holds each batch until the test releases it. */
    private static final class GatedRunner implements MicroBatcher.Runner<Integer, Integer> {
        final BlockingQueue<List<Integer>> started = new LinkedBlockingQueue<>();
        final Semaphore release = new Semaphore(0);
        volatile RuntimeException failure;

        @Override
        public List<Integer> run(List<Integer> inputs) {
            started.add(List.copyOf(inputs));
            release.acquireUninterruptibly();
            if (failure != null) {
                throw failure;
            }
            return inputs.stream().map(i -> i * 2).toList();
        }
    }

    private final ExecutorService inference = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopInference() {
        inference.shutdownNow();
    }

    private MicroBatcher<Integer, Integer> asyncBatcher(int maxSize, int maxInFlight, GatedRunner runner) {
        return new MicroBatcher<>("thread-1", maxSize, 1_000, maxInFlight, runner, inference, now::get);
    }

    private static void awaitDelivery(MicroBatcher<Integer, Integer> batcher, int batches) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int delivered = 0;
        while (delivered < batches && System.nanoTime() < deadline) {
            delivered += batcher.deliverFinished();
            Thread.sleep(1);
        }
        assertThat(delivered).as("batches delivered").isEqualTo(batches);
    }

    @Test
    void aClosedBatchRunsOnTheExecutorWhileTheThreadKeepsAddingAndResultsArriveOnlyWhenDelivered() throws Exception {
        GatedRunner runner = new GatedRunner();
        var batcher = asyncBatcher(2, 2, runner);
        Task task = new Task();
        batcher.add(task, 1, 1);
        batcher.add(task, 2, 2); // closes batch [1, 2]; returns while it runs
        assertThat(runner.started.poll(30, TimeUnit.SECONDS)).containsExactly(1, 2);
        batcher.add(task, 3, 3);
        assertThat(batcher.inFlightCount()).isEqualTo(1);
        assertThat(batcher.pendingCount()).isEqualTo(1);
        assertThat(task.completed).isEmpty();
        runner.release.release();
        awaitDelivery(batcher, 1);
        assertThat(task.completed).containsExactly("1=2@2/SIZE", "2=4@2/SIZE");
        assertThat(batcher.inFlightCount()).isZero();
    }

    @Test
    void closingABatchBeyondMaxInFlightWaitsForTheOldestAndDeliversInCloseOrder() throws Exception {
        GatedRunner runner = new GatedRunner();
        var batcher = asyncBatcher(1, 1, runner);
        Task task = new Task();
        batcher.add(task, 1, 1);
        assertThat(runner.started.poll(30, TimeUnit.SECONDS)).containsExactly(1);
        // The batcher's thread: its second batch cannot close while the first is out.
        Thread streamThread = new Thread(() -> batcher.add(task, 2, 2));
        streamThread.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!isWaiting(streamThread) && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(isWaiting(streamThread)).as("the batcher's thread waits").isTrue();
        assertThat(runner.started).isEmpty();
        runner.release.release(2);
        streamThread.join(30_000);
        assertThat(streamThread.isAlive()).isFalse();
        assertThat(task.completed).startsWith("1=2@1/SIZE");
        batcher.runNow();
        assertThat(task.completed).containsExactly("1=2@1/SIZE", "2=4@1/SIZE");
    }

    @Test
    void withTwoWorkersALaterBatchThatFinishesFirstWaitsForTheEarlierOne() throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(2);
        try {
            // Batch [1] waits for the gate; batch [2] runs straight through on the other worker.
            CountDownLatch firstMayFinish = new CountDownLatch(1);
            CountDownLatch secondFinished = new CountDownLatch(1);
            MicroBatcher.Runner<Integer, Integer> runner = inputs -> {
                if (inputs.contains(1)) {
                    try {
                        firstMayFinish.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                } else {
                    secondFinished.countDown();
                }
                return inputs.stream().map(i -> i * 2).toList();
            };
            var batcher = new MicroBatcher<>("thread-1", 1, 1_000, 3, runner, workers, now::get);
            Task task = new Task();
            batcher.add(task, 1, 1);
            batcher.add(task, 2, 2);
            assertThat(secondFinished.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(batcher.deliverFinished())
                    .as("nothing overtakes the running first batch")
                    .isZero();
            assertThat(task.completed).isEmpty();
            firstMayFinish.countDown();
            awaitDelivery(batcher, 2);
            assertThat(task.completed).containsExactly("1=2@1/SIZE", "2=4@1/SIZE");
        } finally {
            workers.shutdownNow();
        }
    }

    @Test
    void anOwnerRemovedWhileItsBatchRunsGetsNothingAndTheOthersGetTheirResults() throws Exception {
        GatedRunner runner = new GatedRunner();
        var batcher = asyncBatcher(3, 2, runner);
        Task a = new Task();
        Task b = new Task();
        batcher.add(a, 1, 1);
        batcher.add(b, 1, 2);
        batcher.add(a, 2, 3);
        batcher.add(a, 3, 4); // waiting for the next batch
        assertThat(batcher.removeOwner(a)).isEqualTo(3);
        runner.release.release();
        awaitDelivery(batcher, 1);
        assertThat(a.completed).isEmpty();
        assertThat(b.completed).containsExactly("1=4@3/SIZE");
        assertThat(batcher.pendingCount()).isZero();
    }

    @Test
    void aRunnerFailureOnTheExecutorSurfacesOnTheBatchersThreadUnwrapped() throws Exception {
        GatedRunner runner = new GatedRunner();
        runner.failure = new IllegalStateException("model exploded");
        var batcher = asyncBatcher(1, 2, runner);
        Task task = new Task();
        batcher.add(task, 1, 1);
        runner.release.release();
        assertThatThrownBy(batcher::runNow)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("model exploded");
        assertThat(batcher.inFlightCount()).isZero();
        assertThat(task.completed).isEmpty();
    }

    /** Waiting for a batch, which it does in slices so that it can watch the batch's deadline. */
    private static boolean isWaiting(Thread thread) {
        Thread.State state = thread.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    private static final long TIMEOUT_MS = 5_000;

    private MicroBatcher<Integer, Integer> deadlineBatcher(
            String name, int maxSize, int maxInFlight, GatedRunner runner, BatchDeadline deadline) {
        return new MicroBatcher<>(
                name, maxSize, 1_000, maxInFlight, runner, inference, now::get, MicroBatcher.Listener.NONE, deadline);
    }

    @Test
    void aBatchRunningPastInferenceTimeoutFailsTheBatchersNextCallNamingItsSizeAndTheTimeout() throws Exception {
        GatedRunner hung = new GatedRunner(); // never released
        var batcher = deadlineBatcher("thread-1", 2, 2, hung, new BatchDeadline(TIMEOUT_MS));
        Task task = new Task();
        batcher.add(task, 1, 1);
        batcher.add(task, 2, 2);
        assertThat(hung.started.poll(30, TimeUnit.SECONDS)).containsExactly(1, 2);
        now.addAndGet(TIMEOUT_MS - 1);
        assertThat(batcher.deliverFinished()).as("still within its deadline").isZero();
        now.addAndGet(1);
        assertThatThrownBy(batcher::deliverFinished)
                .isInstanceOf(BatchTimeoutException.class)
                .hasMessage("Batch thread-1-0 of 2 item(s) has run on the model for 5000 ms, past"
                        + " inference.timeout.ms (5000 ms): the model appears hung. Its items stay unfinished")
                .satisfies(e -> {
                    assertThat(((BatchTimeoutException) e).batchSize()).isEqualTo(2);
                    assertThat(((BatchTimeoutException) e).timeoutMs()).isEqualTo(TIMEOUT_MS);
                });
        assertThat(batcher.inFlightCount()).isZero();
        assertThat(task.completed).isEmpty();
    }

    @Test
    @Timeout(30)
    void aThreadWaitingForAHungBatchGivesUpAtItsDeadline() throws Exception {
        GatedRunner hung = new GatedRunner();
        var batcher = deadlineBatcher("thread-1", 1, 1, hung, new BatchDeadline(TIMEOUT_MS));
        Task task = new Task();
        batcher.add(task, 1, 1);
        assertThat(hung.started.poll(30, TimeUnit.SECONDS)).containsExactly(1);
        // Closing a second batch must wait for the first (max.inflight.batches=1), which never finishes.
        var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        Thread streamThread = new Thread(() -> {
            try {
                batcher.add(task, 2, 2);
            } catch (RuntimeException e) {
                failure.set(e);
            }
        });
        streamThread.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!isWaiting(streamThread) && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        now.addAndGet(TIMEOUT_MS);
        streamThread.join(30_000);
        assertThat(streamThread.isAlive()).as("the waiting thread gave up").isFalse();
        assertThat(failure.get())
                .isInstanceOf(BatchTimeoutException.class)
                .hasMessageStartingWith("Batch thread-1-0 of 1 item(s) has run on the model for 5000 ms");
        assertThat(task.completed).isEmpty();
    }

    @Test
    void aBatchQueuedBehindAHungOneTimesOutOnceTheWorkersHaveMadeNoProgressForTheTimeout() throws Exception {
        GatedRunner runner = new GatedRunner(); // one worker, never released
        BatchDeadline shared = new BatchDeadline(TIMEOUT_MS);
        var first = deadlineBatcher("thread-1", 1, 2, runner, shared);
        var second = deadlineBatcher("thread-2", 1, 2, runner, shared);
        Task task = new Task();
        first.add(task, 1, 1);
        assertThat(runner.started.poll(30, TimeUnit.SECONDS)).containsExactly(1);
        now.addAndGet(1_000);
        second.add(task, 2, 2); // queued behind the hung batch on the one worker
        now.addAndGet(TIMEOUT_MS - 1);
        assertThat(second.deliverFinished()).isZero();
        now.addAndGet(1);
        assertThatThrownBy(second::deliverFinished)
                .isInstanceOf(BatchTimeoutException.class)
                .hasMessage("Batch thread-2-0 of 1 item(s) has waited 5000 ms for an inference worker while no batch"
                        + " started or finished on the workers, past inference.timeout.ms (5000 ms): the model"
                        + " appears hung. Its items stay unfinished");
        assertThatThrownBy(first::deliverFinished).isInstanceOf(BatchTimeoutException.class);
    }

    @Test
    void aBatchQueuedBehindBatchesThatFinishIsNotTimedOutHoweverLongItWaits() throws Exception {
        GatedRunner runner = new GatedRunner(); // one worker
        BatchDeadline shared = new BatchDeadline(TIMEOUT_MS);
        var busy = deadlineBatcher("thread-1", 1, 3, runner, shared);
        var waiting = deadlineBatcher("thread-2", 1, 3, runner, shared);
        Task task = new Task();
        busy.add(task, 1, 1);
        busy.add(task, 2, 2);
        assertThat(runner.started.poll(30, TimeUnit.SECONDS)).containsExactly(1);
        waiting.add(task, 3, 3); // third in line
        now.addAndGet(TIMEOUT_MS - 1);
        runner.release.release(); // the first finishes just in time, the second starts
        assertThat(runner.started.poll(30, TimeUnit.SECONDS)).containsExactly(2);
        now.addAndGet(TIMEOUT_MS - 1);
        // waited almost twice the timeout, but the workers were never stuck
        assertThat(waiting.deliverFinished()).isZero();
        runner.release.release(2);
        awaitDelivery(waiting, 1);
        assertThat(task.completed).contains("3=6@1/SIZE");
    }

    @Test
    void aDeadlineBelowOneMillisecondIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> new BatchDeadline(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inference.timeout.ms must be at least 1, got 0");
    }

    @Test
    void invalidLimitsAreRefusedWithTheSettingName() {
        assertThatThrownBy(() -> batcher(0, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max.batch.size must be at least 1, got 0");
        assertThatThrownBy(() -> batcher(1, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max.batch.delay.ms must be 0 or more, got -1");
        assertThatThrownBy(() -> new MicroBatcher<Integer, Integer>("t", 1, 0, 0, doubler, Runnable::run, now::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max.inflight.batches must be at least 1, got 0");
    }
}
