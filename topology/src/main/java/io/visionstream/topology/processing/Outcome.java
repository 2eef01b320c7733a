package io.visionstream.topology.processing;

import io.visionstream.schemas.avro.FailureStage;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.PredictionStatus;
import io.visionstream.topology.batching.BatchInfo;

/** The one outcome of one input record. */
public sealed interface Outcome permits Outcome.Inferred, Outcome.Skipped, Outcome.Rejected {

    /** The record this is the outcome of. */
    InputRecord input();

    /** The model ran on the frame; its worker made {@code result}. */
    record Inferred(PreparedFrame frame, FrameResult result, BatchInfo batch) implements Outcome {
        @Override
        public InputRecord input() {
            return frame.input();
        }
    }

    /** A valid frame the model did not run on, e.g. {@code SKIPPED_STALE}. */
    record Skipped(InputRecord input, Frame frame, PredictionStatus status, long arrivedAtMs) implements Outcome {}

    /** A record that cannot be processed: it becomes a dead letter with its original bytes. */
    record Rejected(InputRecord input, FailureStage stage, String errorClass, String message, long atMs)
            implements Outcome {}
}
