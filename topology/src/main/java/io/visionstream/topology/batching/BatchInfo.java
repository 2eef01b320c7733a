package io.visionstream.topology.batching;

/**
 * What a frame's batch looked like, for lineage and metrics.
 *
 * @param batchId unique within this process: {@code <batcher name>-<sequence>}
 * @param size number of frames inferred together
 * @param trigger why the batch closed
 * @param closedAtMs wall-clock time the batch closed, epoch millis
 * @param inferenceMs wall-clock time the model took for the whole batch
 */
public record BatchInfo(String batchId, int size, Trigger trigger, long closedAtMs, long inferenceMs) {

    /** Why a batch closed. */
    public enum Trigger {
        /** It reached {@code max.batch.size}. */
        SIZE,
        /** Its oldest frame waited {@code max.batch.delay.ms}. */
        DELAY,
        /** Its owner asked for it, e.g. before the task is closed. */
        FORCED
    }
}
