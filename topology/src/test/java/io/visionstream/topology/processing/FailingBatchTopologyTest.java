package io.visionstream.topology.processing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.EngineException;
import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.schemas.avro.DeadLetter;
import io.visionstream.schemas.avro.FailureStage;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.topology.config.VisionConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Batches that fail for want of device memory, through the whole topology: split in halves until they
 * run, a frame that fails alone while its neighbours run becomes a dead letter at stage INFER, and a
 * device that cannot run even one frame stops processing as any engine failure does.
 */
class FailingBatchTopologyTest {

    private static final long START_MS = 1_700_000_000_000L;
    private static InferenceEngine tiny;

    private final AtomicLong clock = new AtomicLong(START_MS);
    private final Map<String, Object> registry =
            Map.of("schema.registry.url", "mock://failing-batch-" + UUID.randomUUID());
    private final TestFrames frames = new TestFrames(registry);
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> input;
    private TestOutputTopic<String, Prediction> predictions;
    private TestOutputTopic<byte[], DeadLetter> deadLetters;

    @BeforeAll
    static void loadModel() {
        tiny = TestFrames.tinyEngine();
    }

    @AfterAll
    static void closeModel() {
        tiny.close();
    }

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    private ScarceMemoryEngine device;

    private ScarceMemoryEngine device(int maxBatch) {
        device = new ScarceMemoryEngine(tiny, maxBatch);
        return device;
    }

    private void start(int maxBatchSize, InferenceEngine model) {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", "unused:9092");
        settings.put("schema.registry.url", (String) registry.get("schema.registry.url"));
        settings.put("model.dir", "tiny-test");
        settings.put("max.batch.size", String.valueOf(maxBatchSize));
        settings.put("max.batch.delay.ms", "40");
        settings.put("embeddings.enabled", "false");
        VisionConfig config = VisionConfig.from(settings);
        Properties props = StreamsProperties.of(config);
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/ttd-" + UUID.randomUUID());
        driver = new TopologyTestDriver(
                VisionTopology.build(config, model, new ModelIdentity("tiny-test", "v1"), clock::get),
                props,
                Instant.ofEpochMilli(START_MS));
        input = driver.createInputTopic("frames", new ByteArraySerializer(), new ByteArraySerializer());
        predictions = driver.createOutputTopic(
                "predictions",
                new StringDeserializer(),
                AvroSerdes.specific(Prediction.class, registry, false).deserializer());
        deadLetters = driver.createOutputTopic(
                "frames-dlq",
                new ByteArrayDeserializer(),
                AvroSerdes.deadLetter(registry).deserializer());
    }

    private byte[] send(Frame frame) {
        byte[] value = frames.serialize("frames", frame);
        input.pipeInput(TestFrames.key(frame.getSourceId().toString()), value, clock.get());
        return value;
    }

    private Frame flatFrame(long sequence) {
        return ScarceMemoryEngine.flatFrame(frames.frame("cam-a", sequence, clock.get()));
    }

    @Test
    void aBatchTooLargeForTheDeviceRunsInHalvesAndEveryFrameIsPredictedInOrder() {
        start(8, device(2));
        for (long seq = 0; seq < 8; seq++) {
            send(frames.frame("cam-a", seq, clock.get()));
        }

        assertThat(predictions.readValuesToList())
                .extracting(Prediction::getSequence)
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(device.batchSizes()).containsExactly(8, 4, 2, 2, 4, 2, 2);
    }

    @Test
    void aFrameThatFailsOnItsOwnWhileItsNeighboursRunBecomesADeadLetterAtStageInfer() {
        start(4, device(4));
        send(frames.frame("cam-a", 0, clock.get()));
        send(frames.frame("cam-a", 1, clock.get()));
        byte[] flat = send(flatFrame(2));
        send(frames.frame("cam-a", 3, clock.get()));

        assertThat(predictions.readValuesToList())
                .extracting(Prediction::getSequence)
                .containsExactly(0L, 1L, 3L);
        List<TestRecord<byte[], DeadLetter>> letters = deadLetters.readRecordsToList();
        assertThat(letters).hasSize(1);
        DeadLetter dead = letters.get(0).value();
        assertThat(dead.getStage()).isEqualTo(FailureStage.INFER);
        assertThat(dead.getSourceOffset()).isEqualTo(2L);
        assertThat(dead.getErrorClass()).isEqualTo(EngineException.class.getName());
        assertThat(dead.getErrorMessage()).isEqualTo(ScarceMemoryEngine.OUT_OF_MEMORY);
        assertThat(dead.getOriginalValue().array()).isEqualTo(flat);
        assertThat(letters.get(0).key()).isEqualTo(TestFrames.key("cam-a"));
        // 4 fails, [0, 1] runs, [2, 3] fails, [2] fails alone, [3] runs.
        assertThat(device.batchSizes()).containsExactly(4, 2, 2, 1, 1);
    }

    @Test
    void aDeviceThatCannotRunEvenOneFrameStopsProcessingAndKeepsTheBatchsFramesInTheStore() {
        start(2, device(0));
        send(frames.frame("cam-a", 0, clock.get()));

        assertThatThrownBy(() -> send(frames.frame("cam-a", 1, clock.get())))
                .isInstanceOf(StreamsException.class)
                .satisfies(e -> assertThat(causeChain(e))
                        .anySatisfy(c -> assertThat(c).hasMessage(ScarceMemoryEngine.OUT_OF_MEMORY)));
        assertThat(predictions.isEmpty()).isTrue();
        assertThat(deadLetters.isEmpty()).isTrue();
        var store = driver.<Long, byte[]>getKeyValueStore(VisionTopology.PENDING_STORE);
        assertThat(store.get(0L)).isNotNull();
        assertThat(store.get(1L)).isNotNull();
    }

    private static List<Throwable> causeChain(Throwable t) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable c = t; c != null && !chain.contains(c); c = c.getCause()) {
            chain.add(c);
        }
        return chain;
    }
}
