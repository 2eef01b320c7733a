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
     * The segmentation mask of a frame at the decoded frame's size: {@code classMap} (the model's, at its
     * input size) projected back through the preprocessing's resize and crop, {@link #UNSEEN} where the
     * crop cut the frame, encoded as a palette PNG whose pixel values are class indices. Thread-safe; the
     * inference workers call it for every frame of their batches.
     */
    byte[] maskPng(PreparedFrame prepared, byte[] classMap) {
        int width = prepared.imageWidth();
        int height = prepared.imageHeight();
        byte[] projected = preprocessor.projectToFrame(classMap, width, height, UNSEEN);
        return ImageEncoder.maskPng(projected, width, height, MASK_PALETTE);
    }

    /**
     * The segmentation mask record of a frame the model ran on, around the PNG its inference worker made
     * ({@link #maskPng}).
     *
     * @throws IllegalStateException when the frame's result carries no mask (masks were not asked for)
     */
    public SegmentationMask mask(Outcome.Inferred outcome) {
        PreparedFrame prepared = outcome.frame();
        Frame frame = prepared.frame();
        byte[] png = outcome.result().maskPng();
        if (png == null) {
            throw new IllegalStateException(
                    "frame " + frame.getSourceId() + "/" + frame.getSequence() + " was inferred without its mask");
        }
        return SegmentationMask.newBuilder()
                .setSourceId(frame.getSourceId())
                .setSequence(frame.getSequence())
                .setCaptureTime(frame.getCaptureTime())
                .setModelName(model.name())
                .setModelVersion(model.version())
                .setWidth(prepared.imageWidth())
                .setHeight(prepared.imageHeight())
                .setClassNames(segmentationClasses)
                .setMaskPng(ByteBuffer.wrap(png))
                .build();
    }

    /** The prediction of a frame the model ran on. */
    public Prediction prediction(Outcome.Inferred outcome, long nowMs) {
        PreparedFrame prepared = outcome.frame();
        Frame frame = prepared.frame();
        List<ClassScore> top = new ArrayList<>(outcome.result().image().topK().size());
        for (var p : outcome.result().image().topK()) {
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
                        segments()
                                ? segmentationSummary(outcome.result().image().classMap())
                                : null)
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

    /**
     * The embedding of a frame the model ran on, L2-normalised when asked. The vector stays a {@code
     * float[]} inside the record (a list view over it), boxed only element by element as it is serialised.
     */
    public Embedding embedding(Outcome.Inferred outcome, boolean normalize) {
        Frame frame = outcome.frame().frame();
        float[] vector = outcome.result().image().embedding();
        float[] values = vector;
        if (normalize) {
            double sumSquares = 0;
            for (float v : vector) {
                sumSquares += (double) v * v;
            }
            // A zero vector stays zero rather than becoming NaN.
            double scale = sumSquares > 0 ? 1.0 / Math.sqrt(sumSquares) : 1.0;
            values = new float[vector.length];
            for (int i = 0; i < vector.length; i++) {
                values[i] = (float) (vector[i] * scale);
            }
        }
        return Embedding.newBuilder()
                .setSourceId(frame.getSourceId())
                .setSequence(frame.getSequence())
                .setCaptureTime(frame.getCaptureTime())
                .setModelName(model.name())
                .setModelVersion(model.version())
                .setDimension(vector.length)
                .setVector(new FloatList(values))
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
