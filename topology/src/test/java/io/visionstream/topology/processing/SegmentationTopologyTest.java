package io.visionstream.topology.processing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.visionstream.inference.engine.EngineOptions;
import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.inference.engine.InferenceEngines;
import io.visionstream.inference.image.DecodeLimits;
import io.visionstream.inference.image.FrameFormat;
import io.visionstream.inference.image.ImageDecoder;
import io.visionstream.inference.image.ImageEncoder;
import io.visionstream.inference.image.Preprocessor;
import io.visionstream.schemas.avro.ClassFraction;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.avro.SegmentationMask;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.topology.config.VisionConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model with a dense head: predictions carry a segmentation summary and masks are published. */
class SegmentationTopologyTest {

    @TempDir
    Path dir;

    @Test
    void eachFrameGetsAMaskAtItsOwnSizeThatIsTheEnginesClassMapProjectedBackAndASummaryOfIt() throws Exception {
        Map<String, Object> registry = Map.of("schema.registry.url", "mock://segmentation-" + UUID.randomUUID());
        TestFrames frames = new TestFrames(registry);
        try (InferenceEngine engine = InferenceEngines.open(
                TestFrames.segmentingModel(dir), EngineOptions.defaults().withDevice("cpu"))) {
            Map<String, String> settings = new HashMap<>();
            settings.put("bootstrap.servers", "unused:9092");
            settings.put("schema.registry.url", (String) registry.get("schema.registry.url"));
            settings.put("model.dir", dir.toString());
            settings.put("max.batch.size", "1");
            VisionConfig config = VisionConfig.from(settings);
            Properties props = StreamsProperties.of(config);
            props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
            try (var driver = new TopologyTestDriver(
                    VisionTopology.build(config, engine, new ModelIdentity("seg", "v1"), System::currentTimeMillis),
                    props)) {
                var input = driver.createInputTopic("frames", new ByteArraySerializer(), new ByteArraySerializer());
                var predictions = driver.createOutputTopic(
                        "predictions",
                        new StringDeserializer(),
                        AvroSerdes.specific(Prediction.class, registry, false).deserializer());
                var masks = driver.createOutputTopic(
                        "masks",
                        new StringDeserializer(),
                        AvroSerdes.specific(SegmentationMask.class, registry, false)
                                .deserializer());

                Frame frame = frames.frame("cam-a", 3, Instant.now().toEpochMilli());
                input.pipeInput(TestFrames.key("cam-a"), frames.serialize("frames", frame));

                SegmentationMask mask = masks.readValue();
                Prediction prediction = predictions.readValue();
                assertThat(mask.getSourceId()).isEqualTo("cam-a");
                assertThat(mask.getSequence()).isEqualTo(3);
                assertThat(mask.getWidth()).isEqualTo(TestFrames.WIDTH);
                assertThat(mask.getHeight()).isEqualTo(TestFrames.HEIGHT);
                assertThat(mask.getClassNames()).isEqualTo(TestFrames.SEGMENTATION_CLASSES);

                // What the engine itself says for this image, taken back to the frame by the same geometry.
                Preprocessor preprocessor = new Preprocessor(engine.info().preprocess());
                float[] pixels = new float[preprocessor.floatsPerImage()];
                preprocessor.preprocess(
                        new ImageDecoder(DecodeLimits.defaults()).decode(frames.jpeg(3), FrameFormat.JPEG), pixels, 0);
                byte[] classMap = engine.infer(pixels, 1).get(0).classMap();
                byte[] expected = preprocessor.projectToFrame(
                        classMap, TestFrames.WIDTH, TestFrames.HEIGHT, OutputRecords.UNSEEN);
                byte[] published = ImageEncoder.decodeMask(mask.getMaskPng().array(), DecodeLimits.defaults());
                assertThat(published).isEqualTo(expected);

                var fractions = prediction.getSegmentation().getClassFractions();
                assertThat(fractions).extracting(ClassFraction::getLabel).isEqualTo(TestFrames.SEGMENTATION_CLASSES);
                assertThat(fractions.stream()
                                .mapToDouble(ClassFraction::getFraction)
                                .sum())
                        .isCloseTo(1.0, within(1e-5));
                long circles = 0;
                for (byte b : classMap) {
                    circles += b == 1 ? 1 : 0;
                }
                assertThat(fractions.get(1).getFraction()).isCloseTo((float) circles / classMap.length, within(1e-6f));
            }
        }
    }
}
