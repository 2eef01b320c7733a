package io.visionstream.topology.processing;

import io.visionstream.inference.engine.DjlVitEngine;
import io.visionstream.inference.engine.EngineOptions;
import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.inference.image.ImageEncoder;
import io.visionstream.inference.synthetic.SceneConfig;
import io.visionstream.inference.synthetic.SyntheticScenes;
import io.visionstream.inference.vit.VitConfig;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.ImageEncoding;
import io.visionstream.schemas.serde.AvroSerdes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;

/** Real frames for tests: synthetic scenes, JPEG-encoded, Avro-serialized in the Confluent wire format. */
final class TestFrames {

    static final int WIDTH = 48;
    static final int HEIGHT = 40;

    private final SyntheticScenes scenes = new SyntheticScenes(SceneConfig.defaults(WIDTH, HEIGHT), 7);
    private final Serializer<Frame> serializer;

    TestFrames(Map<String, Object> registry) {
        this.serializer = AvroSerdes.specific(Frame.class, registry, false).serializer();
    }

    /** A tiny ViT (32x32 input, patch 8, dim 32, 2 blocks, 5 classes) with seeded random weights. */
    static InferenceEngine tinyEngine() {
        return DjlVitEngine.withRandomWeights(
                "tiny-test",
                VitConfig.of(32, 8, 32, 2, 2, 5),
                EngineOptions.defaults().withTopK(3).withDevice("cpu"),
                11);
    }

    byte[] jpeg(long sceneIndex) {
        return ImageEncoder.jpeg(scenes.scene(sceneIndex).image(), 90);
    }

    Frame frame(String source, long sequence, long captureMs) {
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

    byte[] serialize(String topic, Frame frame) {
        return serializer.serialize(topic, frame);
    }

    static byte[] key(String source) {
        return source.getBytes(StandardCharsets.UTF_8);
    }
}
