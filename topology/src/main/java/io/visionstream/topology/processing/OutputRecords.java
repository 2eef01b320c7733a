package io.visionstream.topology.processing;

import io.visionstream.schemas.avro.ClassScore;
import io.visionstream.schemas.avro.DeadLetter;
import io.visionstream.schemas.avro.Embedding;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.Lineage;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.avro.PredictionStatus;
import io.visionstream.schemas.avro.Timings;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the Avro records published for an outcome. Pure functions of their arguments, so the wiring of
 * every field is tested without Kafka.
 */
public final class OutputRecords {

    /** Dead-letter messages are cut to this many characters; the original bytes are always whole. */
    static final int MAX_ERROR_MESSAGE_CHARS = 4000;

    private final ModelIdentity model;

    public OutputRecords(ModelIdentity model) {
        this.model = model;
    }

    /** The prediction of a frame the model ran on. */
    public Prediction prediction(Outcome.Inferred outcome, long nowMs) {
        PreparedFrame prepared = outcome.frame();
        Frame frame = prepared.frame();
        List<ClassScore> top = new ArrayList<>(outcome.result().topK().size());
        for (var p : outcome.result().topK()) {
            top.add(new ClassScore(p.index(), p.label(), p.score()));
        }
        long captureMs = frame.getCaptureTime().toEpochMilli();
        return Prediction.newBuilder()
                .setSourceId(frame.getSourceId())
                .setSequence(frame.getSequence())
                .setCaptureTime(frame.getCaptureTime())
                .setStatus(PredictionStatus.OK)
                .setTopK(top)
                .setSegmentation(null)
                .setLineage(lineage(
                        prepared.input(),
                        outcome.batch().batchId(),
                        outcome.batch().size()))
                .setTimings(new Timings(
                        (double) (outcome.batch().closedAtMs() - prepared.arrivedAtMs()),
                        (double) outcome.batch().inferenceMs(),
                        (double) (nowMs - captureMs)))
                .build();
    }

    /** The prediction of a valid frame the model did not run on. */
    public Prediction prediction(Outcome.Skipped outcome, long nowMs) {
        Frame frame = outcome.frame();
        return Prediction.newBuilder()
                .setSourceId(frame.getSourceId())
                .setSequence(frame.getSequence())
                .setCaptureTime(frame.getCaptureTime())
                .setStatus(outcome.status())
                .setTopK(List.of())
                .setSegmentation(null)
                .setLineage(lineage(outcome.input(), null, null))
                .setTimings(new Timings((double) (nowMs - outcome.arrivedAtMs()), null, (double)
                        (nowMs - frame.getCaptureTime().toEpochMilli())))
                .build();
    }

    /** The embedding of a frame the model ran on, L2-normalised when asked. */
    public Embedding embedding(Outcome.Inferred outcome, boolean normalize) {
        Frame frame = outcome.frame().frame();
        float[] vector = outcome.result().embedding();
        double scale = 1.0;
        if (normalize) {
            double sumSquares = 0;
            for (float v : vector) {
                sumSquares += (double) v * v;
            }
            // A zero vector stays zero rather than becoming NaN.
            scale = sumSquares > 0 ? 1.0 / Math.sqrt(sumSquares) : 1.0;
        }
        List<Float> values = new ArrayList<>(vector.length);
        for (float v : vector) {
            values.add((float) (v * scale));
        }
        return Embedding.newBuilder()
                .setSourceId(frame.getSourceId())
                .setSequence(frame.getSequence())
                .setCaptureTime(frame.getCaptureTime())
                .setModelName(model.name())
                .setModelVersion(model.version())
                .setDimension(vector.length)
                .setVector(values)
                .setL2Normalized(normalize)
                .build();
    }

    /** The dead letter of a rejected record: its original bytes, where it came from, and why. */
    public static DeadLetter deadLetter(Outcome.Rejected outcome) {
        InputRecord in = outcome.input();
        String message = outcome.message();
        if (message != null && message.length() > MAX_ERROR_MESSAGE_CHARS) {
            message = message.substring(0, MAX_ERROR_MESSAGE_CHARS) + "... (cut)";
        }
        return DeadLetter.newBuilder()
                .setOriginalKey(in.key() == null ? null : ByteBuffer.wrap(in.key()))
                .setOriginalValue(in.value() == null ? null : ByteBuffer.wrap(in.value()))
                .setSourceTopic(in.topic())
                .setSourcePartition(in.partition())
                .setSourceOffset(in.offset())
                .setErrorClass(outcome.errorClass())
                .setErrorMessage(message)
                .setStage(outcome.stage())
                .setFailedAt(Instant.ofEpochMilli(outcome.atMs()))
                .build();
    }

    private Lineage lineage(InputRecord in, String batchId, Integer batchSize) {
        return Lineage.newBuilder()
                .setModelName(model.name())
                .setModelVersion(model.version())
                .setInputTopic(in.topic())
                .setInputPartition(in.partition())
                .setInputOffset(in.offset())
                .setBatchId(batchId)
                .setBatchSize(batchSize)
                .build();
    }
}
