package io.visionstream.app.view;

import io.visionstream.inference.image.ClassPalette;
import io.visionstream.inference.image.DecodedImage;
import io.visionstream.inference.image.ImageEncoder;
import io.visionstream.schemas.avro.ClassFraction;
import io.visionstream.schemas.avro.ClassScore;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.ImageEncoding;
import io.visionstream.schemas.avro.Lineage;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.avro.PredictionStatus;
import io.visionstream.schemas.avro.SegmentationMask;
import io.visionstream.schemas.avro.SegmentationSummary;
import io.visionstream.schemas.avro.Timings;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** Frames, predictions and masks for the viewer's tests: 8x8 flat grey PNG frames, masks of one class. */
final class ViewRecords {

    static final int SIZE = 8;
    static final List<String> CLASSES = List.of("background", "circle", "square");

    private ViewRecords() {}

    static DecodedImage grey() {
        byte[] rgb = new byte[SIZE * SIZE * 3];
        Arrays.fill(rgb, (byte) 100);
        return new DecodedImage(SIZE, SIZE, rgb);
    }

    static Frame frame(String camera, long sequence) {
        return frame(camera, sequence, 0);
    }

    static Frame frame(String camera, long sequence, long captureMs) {
        return Frame.newBuilder()
                .setSourceId(camera)
                .setSequence(sequence)
                .setCaptureTime(Instant.ofEpochMilli(captureMs))
                .setEncoding(ImageEncoding.PNG)
                .setWidth(SIZE)
                .setHeight(SIZE)
                .setImage(ByteBuffer.wrap(ImageEncoder.png(grey())))
                .setMetadata(null)
                .build();
    }

    /** An OK prediction of {@code label} (index 1) with a segmentation summary: a mask is promised. */
    static Prediction prediction(String camera, long sequence) {
        return prediction(camera, sequence, 0, PredictionStatus.OK);
    }

    static Prediction prediction(String camera, long sequence, long captureMs, PredictionStatus status) {
        boolean ok = status == PredictionStatus.OK;
        return Prediction.newBuilder()
                .setSourceId(camera)
                .setSequence(sequence)
                .setCaptureTime(Instant.ofEpochMilli(captureMs))
                .setStatus(status)
                .setTopK(ok ? List.of(new ClassScore(1, "circle", 0.875f)) : List.of())
                .setSegmentation(ok ? new SegmentationSummary(List.of(new ClassFraction(1, "circle", 1f))) : null)
                .setLineage(Lineage.newBuilder()
                        .setModelName("test")
                        .setModelVersion("1")
                        .setInputTopic("frames")
                        .setInputPartition(0)
                        .setInputOffset(sequence)
                        .build())
                .setTimings(new Timings(0.0, null, 0.0))
                .build();
    }

    /** A mask that is class {@code cls} everywhere. */
    static SegmentationMask mask(String camera, long sequence, int cls) {
        byte[] classes = new byte[SIZE * SIZE];
        Arrays.fill(classes, (byte) cls);
        return SegmentationMask.newBuilder()
                .setSourceId(camera)
                .setSequence(sequence)
                .setCaptureTime(Instant.ofEpochMilli(0))
                .setModelName("test")
                .setModelVersion("1")
                .setWidth(SIZE)
                .setHeight(SIZE)
                .setClassNames(CLASSES)
                .setMaskPng(ByteBuffer.wrap(ImageEncoder.maskPng(classes, SIZE, SIZE, ClassPalette.voc(256))))
                .build();
    }
}
