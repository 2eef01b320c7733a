package io.visionstream.topology.processing;

import io.visionstream.inference.engine.DjlEngine;
import io.visionstream.inference.engine.EngineOptions;
import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.inference.image.ImageEncoder;
import io.visionstream.inference.image.PreprocessConfig;
import io.visionstream.inference.vit.VitConfig;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.ImageEncoding;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.training.synthetic.SceneConfig;
import io.visionstream.training.synthetic.SyntheticScenes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;

/** Real frames for tests: synthetic scenes, JPEG-encoded, Avro-serialized in the Confluent wire format. */
public final class TestFrames {

    public static final int WIDTH = 48;
    public static final int HEIGHT = 40;

    private final SyntheticScenes scenes = new SyntheticScenes(SceneConfig.defaults(WIDTH, HEIGHT), 7);
    private final Serializer<Frame> serializer;

    public TestFrames(Map<String, Object> registry) {
        this.serializer = AvroSerdes.specific(Frame.class, registry, false).serializer();
    }

    /** A tiny ViT (32x32 input, patch 8, dim 32, 2 blocks, 5 classes) with seeded random weights. */
    public static InferenceEngine tinyEngine() {
        return DjlEngine.withRandomWeights(
                "tiny-test",
                VitConfig.of(32, 8, 32, 2, 2, 5),
                EngineOptions.defaults().withTopK(3).withDevice("cpu"),
                11);
    }

    /** Classes of {@link #segmentingModel}. */
    public static final java.util.List<String> SEGMENTATION_CLASSES =
            java.util.List.of("background", "circle", "square", "triangle");

    /**
     * Writes a combined model (tiny ViT + classifier + UPerNet head, 32x32 input, random weights with a
     * zero class bias so class maps vary over the image) into {@code dir}, in the model directory format.
     */
    public static java.nio.file.Path segmentingModel(java.nio.file.Path dir) throws java.io.IOException {
        try (var manager = ai.djl.ndarray.NDManager.newBaseManager("PyTorch")) {
            var model = new io.visionstream.inference.model.VisionModel(
                    VitConfig.of(32, 8, 32, 4, 2, 4),
                    new io.visionstream.inference.heads.DenseHeadConfig(
                            32, java.util.List.of(0, 1, 2, 3), 8, null, 4, SEGMENTATION_CLASSES),
                    "vit_tiny_patch16_224",
                    PreprocessConfig.fromTimm(
                            new int[] {3, 32, 32},
                            new double[] {0.5, 0.5, 0.5},
                            new double[] {0.25, 0.25, 0.25},
                            1.0,
                            "bilinear",
                            "center"),
                    SEGMENTATION_CLASSES);
            model.initialize(manager);
            var random = new java.util.SplittableRandom(9);
            for (var e : model.checkpointParameters().entrySet()) {
                float[] v = new float[Math.toIntExact(e.getValue().getShape().size())];
                boolean variance = e.getKey().endsWith("running_var");
                boolean classBias = e.getKey().equals("decode_head.conv_seg.bias");
                for (int i = 0; i < v.length; i++) {
                    v[i] = classBias
                            ? 0f
                            : (float) (variance ? 0.5 + random.nextDouble() : (random.nextDouble() - 0.5) * 0.6);
                }
                e.getValue().getArray().set(java.nio.FloatBuffer.wrap(v));
            }
            io.visionstream.inference.model.ModelDirectory.save(dir, model);
        }
        return dir;
    }

    /** A JPEG (quality 90) of synthetic scene {@code sceneIndex}, {@link #WIDTH} x {@link #HEIGHT}. */
    public byte[] jpeg(long sceneIndex) {
        return ImageEncoder.jpeg(scenes.scene(sceneIndex).image(), 90);
    }

    /** A good frame: the JPEG of scene {@code sequence}, with its true size declared. */
    public Frame frame(String source, long sequence, long captureMs) {
        return Frame.newBuilder()
                .setSourceId(source)
                .setSequence(sequence)
                .setCaptureTime(Instant.ofEpochMilli(captureMs))
                .setEncoding(ImageEncoding.JPEG)
                .setWidth(WIDTH)
                .setHeight(HEIGHT)
                .setImage(ByteBuffer.wrap(jpeg(sequence)))
                .setMetadata(null)
                .build();
    }

    /** The frame in the Confluent wire format, as a producer would send it. */
    public byte[] serialize(String topic, Frame frame) {
        return serializer.serialize(topic, frame);
    }

    /** The record key of a source: its id in UTF-8. */
    public static byte[] key(String source) {
        return source.getBytes(StandardCharsets.UTF_8);
    }
}
