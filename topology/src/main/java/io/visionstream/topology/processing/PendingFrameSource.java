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
     * @throws org.apache.kafka.common.errors.TimeoutException if the read does not finish within the
     *     source's timeout (the partition has no leader, the broker is slow): retriable, the frames may
     *     well be there
     */
    Map<Long, InputRecord> read(String topic, int partition, SortedSet<Long> offsets);

    @Override
    void close();

    /** Opens a source with the application's configuration, when a stream thread has frames to read back. */
    @FunctionalInterface
    interface Factory {
        /**
         * @param appConfigs the Kafka Streams application's configuration ({@code context.appConfigs()})
         * @param clientId a client id naming the stream thread
         */
        PendingFrameSource open(Map<String, Object> appConfigs, String clientId);
    }
}
