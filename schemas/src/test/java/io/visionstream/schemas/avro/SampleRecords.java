package io.visionstream.schemas.avro;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One fully populated record of every contract, with every optional field set, for round-trip tests. */
public final class SampleRecords {
    public static final Instant CAPTURED = Instant.parse("2026-11-21T06:00:00.123Z");

    private SampleRecords() {}

    public static Frame frame() {
        return Frame.newBuilder()
                .setSourceId("cam-7")
                .setSequence(42L)
                .setCaptureTime(CAPTURED)
                .setEncoding(ImageEncoding.PNG)
                .setWidth(2)
                .setHeight(1)
                .setImage(ByteBuffer.wrap(new byte[] {(byte) 0x89, 'P', 'N', 'G'}))
                .setMetadata(Map.of("label", "tabby cat", "site", "lab"))
                .build();
    }

    public static Prediction prediction() {
        return Prediction.newBuilder()
                .setSourceId("cam-7")
                .setSequence(42L)
                .setCaptureTime(CAPTURED)
                .setStatus(PredictionStatus.OK)
                .setTopK(List.of(new ClassScore(281, "tabby cat", 0.75f), new ClassScore(285, "Egyptian cat", 0.125f)))
                .setSegmentation(new SegmentationSummary(
                        List.of(new ClassFraction(1, "cat", 0.625f), new ClassFraction(0, "background", 0.375f))))
                .setLineage(Lineage.newBuilder()
                        .setModelName("vit_tiny_patch16_224")
                        .setModelVersion("augreg_in21k_ft_in1k")
                        .setInputTopic("frames")
                        .setInputPartition(3)
                        .setInputOffset(1234L)
                        .setBatchId("batch-17")
                        .setBatchSize(8)
                        .build())
                .setTimings(new Timings(1.5, 40.25, 55.0))
                .build();
    }

    public static Embedding embedding() {
        return Embedding.newBuilder()
                .setSourceId("cam-7")
                .setSequence(42L)
                .setCaptureTime(CAPTURED)
                .setModelName("vit_tiny_patch16_224")
                .setModelVersion("augreg_in21k_ft_in1k")
                .setDimension(3)
                .setVector(List.of(0.6f, 0.0f, 0.8f))
                .setL2Normalized(true)
                .build();
    }

    public static SegmentationMask segmentationMask() {
        return SegmentationMask.newBuilder()
                .setSourceId("cam-7")
                .setSequence(42L)
                .setCaptureTime(CAPTURED)
                .setModelName("vit_tiny_patch16_224-seg")
                .setModelVersion("v1")
                .setWidth(4)
                .setHeight(4)
                .setClassNames(List.of("background", "cat"))
                .setMaskPng(ByteBuffer.wrap(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1}))
                .build();
    }

    public static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setOriginalKey(ByteBuffer.wrap("cam-7".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .setOriginalValue(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setSourceTopic("frames")
                .setSourcePartition(3)
                .setSourceOffset(1234L)
                .setErrorClass("io.visionstream.schemas.serde.WrongMagicByteException")
                .setErrorMessage("first byte is 0x01")
                .setStage(FailureStage.DESERIALIZE)
                .setFailedAt(CAPTURED.plusSeconds(1))
                .build();
    }

    /** Every sample, one per contract. */
    public static List<org.apache.avro.specific.SpecificRecord> all() {
        return List.of(frame(), prediction(), embedding(), segmentationMask(), deadLetter());
    }
}
