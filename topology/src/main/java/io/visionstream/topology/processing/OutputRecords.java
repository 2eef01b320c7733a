package io.visionstream.topology.processing;

import io.visionstream.inference.image.ClassPalette;
import io.visionstream.inference.image.ImageEncoder;
import io.visionstream.inference.image.Preprocessor;
import io.visionstream.schemas.avro.ClassFraction;
import io.visionstream.schemas.avro.ClassScore;
import io.visionstream.schemas.avro.DeadLetter;
import io.visionstream.schemas.avro.Embedding;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.Lineage;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.avro.PredictionStatus;
import io.visionstream.schemas.avro.SegmentationMask;
import io.visionstream.schemas.avro.SegmentationSummary;
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

    /** Mask value of frame pixels the model never saw (cut by the center crop): PASCAL VOC's "void". */
    public static final byte UNSEEN = (byte) 255;

    // All 256 entries, so that UNSEEN has a colour too (VOC's own void colour).
    private static final ClassPalette MASK_PALETTE = ClassPalette.voc(256);

    private final ModelIdentity model;
    private final List<String> segmentationClasses;
    private final Preprocessor preprocessor;

    /**
     * @param segmentationClasses the dense head's class names; empty when the model has none
     * @param preprocessor the model's preprocessing, whose crop geometry maps class maps back to frames
     */
    public OutputRecords(ModelIdentity model, List<String> segmentationClasses, Preprocessor preprocessor) {
        this.model = model;
        this.segmentationClasses = List.copyOf(segmentationClasses);
        this.preprocessor = preprocessor;
    }

    /** Whether outcomes carry segmentation (the model has a dense head). */
    public boolean segments() {
        return !segmentationClasses.isEmpty();
    }

    /**
     * The share of the model's view covered by each class, every class listed in class order, from the
     * class map at the model's input size.
     */
    SegmentationSummary segmentationSummary(byte[] classMap) {
        long[] counts = new long[segmentationClasses.size()];
        for (byte b : classMap) {
            counts[b & 0xFF]++;
        }
        List<ClassFraction> fractions = new ArrayList<>(counts.length);
        for (int c = 0; c < counts.length; c++) {
            fractions.add(new ClassFraction(c, segmentationClasses.get(c), (float) counts[c] / classMap.length));
        }
        return new SegmentationSummary(fractions);
    }

    /**
     * The segmentation mask of a frame the model ran on, at the decoded frame's size: the class map
     * projected back through the preprocessing's resize and crop, {@link #UNSEEN} where the crop cut the
     * frame, encoded as a palette PNG whose pixel values are class indices.
     */
    public SegmentationMask mask(Outcome.Inferred outcome) {
        PreparedFrame prepared = outcome.frame();
        Frame frame = prepared.frame();
        int width = prepared.imageWidth();
        int height = prepared.imageHeight();
        byte[] projected = preprocessor.projectToFrame(outcome.result().classMap(), width, height, UNSEEN);
        return SegmentationMask.newBuilder()
                .setSourceId(frame.getSourceId())
                .setSequence(frame.getSequence())
                .setCaptureTime(frame.getCaptureTime())
                .setModelName(model.name())
                .setModelVersion(model.version())
                .setWidth(width)
                .setHeight(height)
                .setClassNames(segmentationClasses)
                .setMaskPng(ByteBuffer.wrap(ImageEncoder.maskPng(projected, width, height, MASK_PALETTE)))
                .build();
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
                .setSegmentation(
                        segments() ? segmentationSummary(outcome.result().classMap()) : null)
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
