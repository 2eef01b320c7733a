package io.visionstream.topology.processing;

import java.util.Map;
import java.util.SortedSet;

/**
 * Where a restored task reads its pending frames back from. The pending-frames store keeps only each
 * frame's offset; the frame itself stays in the input topic, where it arrived, and is read again after a
 * crash or when its task moves to another instance.
 */
public interface PendingFrameSource extends AutoCloseable {

    /**
     * The records at {@code offsets} of one input partition, as they were read the first time. An offset
     * missing from the result is no longer in the topic (deleted by retention or by {@code deleteRecords}).
     *
     * @throws IllegalStateException if the partition cannot be read within the source's timeout
     */
    Map<Long, InputRecord> read(String topic, int partition, SortedSet<Long> offsets);

    @Override
    void close();

    /** Opens a source with the application's configuration, when a task has frames to read back. */
    @FunctionalInterface
    interface Factory {
        /**
         * @param appConfigs the Kafka Streams application's configuration ({@code context.appConfigs()})
         * @param clientId a client id naming the task
         */
        PendingFrameSource open(Map<String, Object> appConfigs, String clientId);
    }
}
