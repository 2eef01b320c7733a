package io.visionstream.topology.processing;

import java.util.Map;
import java.util.SortedSet;

/**
 * The pending-frame source of one stream thread, shared by the frame processors of its tasks: one
 * consumer per thread, not one per restored task. A rebalance that restores many tasks on a thread then
 * opens one consumer (and logs one client configuration), not one per task and read.
 *
 * <p>The source is opened on the first read and closed when the last processor that {@linkplain #acquire()
 * acquired} it has {@linkplain #release() released} it, so a thread whose tasks have all gone holds no
 * consumer. Not thread-safe: used only from its stream thread.
 */
final class ThreadFrameSource {

    private final PendingFrameSource.Factory factory;
    private PendingFrameSource source;
    private int users;

    ThreadFrameSource(PendingFrameSource.Factory factory) {
        this.factory = factory;
    }

    /** A processor of this thread starts using the source (its task was initialized). */
    void acquire() {
        users++;
    }

    /** A processor stops using it (its task closed); the last one closes the consumer, if one was opened. */
    void release() {
        if (users == 0) {
            throw new IllegalStateException("released more often than acquired");
        }
        users--;
        if (users == 0 && source != null) {
            PendingFrameSource open = source;
            source = null;
            open.close();
        }
    }

    /**
     * Reads frames back, opening the thread's source first if needed.
     *
     * @param appConfigs the application's configuration, for opening the source
     * @see PendingFrameSource#read
     */
    Map<Long, InputRecord> read(Map<String, Object> appConfigs, String topic, int partition, SortedSet<Long> offsets) {
        if (source == null) {
            source = factory.open(appConfigs, Thread.currentThread().getName() + "-pending-frames");
        }
        return source.read(topic, partition, offsets);
    }

    /** Whether a source is open now. */
    boolean isOpen() {
        return source != null;
    }
}
