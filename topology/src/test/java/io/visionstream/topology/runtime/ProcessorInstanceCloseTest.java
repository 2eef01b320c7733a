package io.visionstream.topology.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.inference.engine.BatchResult;
import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.inference.engine.ModelInfo;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How closing a processor stops its inference workers and model, without a broker. */
class ProcessorInstanceCloseTest {

    /** Closes as {@code DjlEngine} does: after every running batch, behind a lock. */
    private static final class LockingEngine implements InferenceEngine {
        final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public BatchResult infer(float[] chwBatch, int batchSize) {
            lifecycle.readLock().lock();
            try {
                entered.countDown();
                // like a forward stuck in native code: deaf to interrupts
                while (true) {
                    try {
                        release.await();
                        throw new IllegalStateException("released by the test");
                    } catch (InterruptedException e) {
                        // keep waiting
                    }
                }
            } finally {
                lifecycle.readLock().unlock();
            }
        }

        @Override
        public ModelInfo info() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
            lifecycle.writeLock().lock();
            try {
                closed.set(true);
            } finally {
                lifecycle.writeLock().unlock();
            }
        }
    }

    @Test
    // a close that waits for the batch blocks on a lock, deaf to interrupts: time it out from outside
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aBatchThatNeverFinishesDoesNotHoldTheCloseAndTheModelIsLeftOpen() throws Exception {
        LockingEngine engine = new LockingEngine();
        ExecutorService workers = Executors.newSingleThreadExecutor();
        try {
            workers.submit(() -> engine.infer(new float[0], 1));
            assertThat(engine.entered.await(30, TimeUnit.SECONDS)).isTrue();
            long started = System.nanoTime();

            assertThat(ProcessorInstance.stopInference(workers, engine, Duration.ofMillis(200)))
                    .isFalse();

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            assertThat(engine.closed).isFalse();
        } finally {
            engine.release.countDown();
            workers.shutdownNow();
        }
    }

    @Test
    @Timeout(30)
    void idleWorkersStopAndTheModelIsClosed() {
        LockingEngine engine = new LockingEngine();
        ExecutorService workers = Executors.newSingleThreadExecutor();
        workers.submit(() -> {});

        assertThat(ProcessorInstance.stopInference(workers, engine, Duration.ofSeconds(10)))
                .isTrue();

        assertThat(workers.isTerminated()).isTrue();
        assertThat(engine.closed).isTrue();
    }
}
