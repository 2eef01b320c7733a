package io.visionstream.topology.processing;

/**
 * A frame that was pending in a batch when its task stopped (a crash, a rebalance) and is no longer in
 * the input topic when the task reads it back: retention or {@code deleteRecords} removed it first. It
 * becomes a dead letter with this class as its error class and no original bytes, since none are left.
 */
public final class PendingFrameGoneException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PendingFrameGoneException(String topic, int partition, long offset) {
        super("frame at offset " + offset + " of " + topic + "-" + partition + " was pending in a batch when its"
                + " task stopped and is no longer in the input topic to be read back (retention or deleteRecords"
                + " removed it first)");
    }
}
