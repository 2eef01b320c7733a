package io.visionstream.topology.processing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.visionstream.inference.engine.BatchResult;
import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.inference.image.DecodeLimits;
import io.visionstream.inference.image.FrameFormat;
import io.visionstream.inference.image.ImageDecoder;
import io.visionstream.inference.image.Preprocessor;
import io.visionstream.schemas.avro.DeadLetter;
import io.visionstream.schemas.avro.Embedding;
import io.visionstream.schemas.avro.FailureStage;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.ImageEncoding;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.avro.PredictionStatus;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.schemas.serde.RegistryUnreachableException;
import io.visionstream.topology.batching.BatchTimeoutException;
import io.visionstream.topology.config.VisionConfig;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The whole topology through TopologyTestDriver, with a real (tiny, random-weight) ViT. */
class FrameTopologyTest {

    private static final long START_MS = 1_700_000_000_000L;
    private static InferenceEngine engine;

    private final AtomicLong clock = new AtomicLong(START_MS);
    private final Map<String, Object> registry =
            Map.of("schema.registry.url", "mock://frame-topology-" + UUID.randomUUID());
    private final TestFrames frames = new TestFrames(registry);
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> input;
    private TestOutputTopic<String, Prediction> predictions;
    private TestOutputTopic<String, Embedding> embeddings;
    private TestOutputTopic<byte[], DeadLetter> deadLetters;

    @BeforeAll
    static void loadModel() {
        engine = TestFrames.tinyEngine();
    }

    @AfterAll
    static void closeModel() throws Exception {
        engine.close();
    }

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    private void start(Map<String, String> overrides) {
        start(overrides, engine);
    }

    private void start(Map<String, String> overrides, InferenceEngine model) {
        start(overrides, model, Runnable::run);
    }

    private void start(Map<String, String> overrides, InferenceEngine model, Executor inference) {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", "unused:9092");
        settings.put("schema.registry.url", (String) registry.get("schema.registry.url"));
        settings.put("model.dir", "tiny-test");
        settings.put("max.batch.size", "4");
        settings.put("max.batch.delay.ms", "40");
        settings.putAll(overrides);
        VisionConfig config = VisionConfig.from(settings);
        Properties props = StreamsProperties.of(config);
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/ttd-" + UUID.randomUUID());
        driver = new TopologyTestDriver(
                VisionTopology.build(config, model, new ModelIdentity("tiny-test", "v1"), clock::get, inference),
                props,
                Instant.ofEpochMilli(START_MS));
        input = driver.createInputTopic("frames", new ByteArraySerializer(), new ByteArraySerializer());
        var predictionSerde = AvroSerdes.specific(Prediction.class, registry, false);
        var embeddingSerde = AvroSerdes.specific(Embedding.class, registry, false);
        predictions = driver.createOutputTopic("predictions", new StringDeserializer(), predictionSerde.deserializer());
        embeddings = driver.createOutputTopic("embeddings", new StringDeserializer(), embeddingSerde.deserializer());
        deadLetters = driver.createOutputTopic(
                "frames-dlq",
                new ByteArrayDeserializer(),
                AvroSerdes.deadLetter(registry).deserializer());
    }

    private void send(String source, long sequence) {
        Frame frame = frames.frame(source, sequence, clock.get());
        input.pipeInput(TestFrames.key(source), frames.serialize("frames", frame), clock.get());
    }

    private void sendRaw(byte[] key, byte[] value) {
        input.pipeInput(key, value, clock.get());
    }

    private void advance(long ms) {
        clock.addAndGet(ms);
        driver.advanceWallClockTime(Duration.ofMillis(ms));
    }

    @Test
    void fourFramesCloseOneBatchOfFourAndEachGetsOnePredictionAndOneEmbedding() {
        start(Map.of());
        for (int i = 0; i < 4; i++) {
            send("cam-a", i);
        }
        List<Prediction> out = predictions.readValuesToList();
        assertThat(out).hasSize(4);
        assertThat(out).extracting(Prediction::getSequence).containsExactly(0L, 1L, 2L, 3L);
        assertThat(out).allSatisfy(p -> {
            assertThat(p.getStatus()).isEqualTo(PredictionStatus.OK);
            assertThat(p.getTopK()).hasSize(3);
            assertThat(p.getLineage().getBatchSize()).isEqualTo(4);
            assertThat(p.getLineage().getModelName()).isEqualTo("tiny-test");
            assertThat(p.getLineage().getInputTopic()).isEqualTo("frames");
        });
        assertThat(out)
                .extracting(p -> p.getLineage().getBatchId())
                .containsOnly(out.get(0).getLineage().getBatchId());
        assertThat(out).extracting(p -> p.getLineage().getInputOffset()).containsExactly(0L, 1L, 2L, 3L);

        List<Embedding> vectors = embeddings.readValuesToList();
        assertThat(vectors).hasSize(4).allSatisfy(e -> {
            assertThat(e.getDimension()).isEqualTo(32);
            assertThat(e.getL2Normalized()).isTrue();
            double norm =
                    Math.sqrt(e.getVector().stream().mapToDouble(v -> v * v).sum());
            assertThat(norm).isCloseTo(1.0, within(1e-5));
        });
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void aPartialBatchWaitsForMaxDelayThenRuns() {
        start(Map.of());
        send("cam-a", 0);
        send("cam-b", 0);
        advance(20);
        assertThat(predictions.isEmpty()).isTrue();
        advance(30);
        List<Prediction> out = predictions.readValuesToList();
        assertThat(out).hasSize(2);
        assertThat(out)
                .allSatisfy(p -> assertThat(p.getLineage().getBatchSize()).isEqualTo(2));
        assertThat(out.get(0).getTimings().getQueueMs()).isGreaterThanOrEqualTo(40.0);
    }

    @Test
    void publishedScoresAreTheEnginesOwnForThatImage() throws Exception {
        start(Map.of("max.batch.size", "1", "top.k", "3"));
        send("cam-a", 5);
        Prediction published = predictions.readValue();

        Preprocessor preprocessor = new Preprocessor(engine.info().preprocess());
        float[] pixels = new float[preprocessor.floatsPerImage()];
        preprocessor.preprocess(
                new ImageDecoder(DecodeLimits.defaults()).decode(frames.jpeg(5), FrameFormat.JPEG), pixels, 0);
        BatchResult direct = engine.infer(pixels, 1);

        assertThat(published.getTopK()).hasSize(3);
        for (int k = 0; k < 3; k++) {
            assertThat(published.getTopK().get(k).getIndex())
                    .isEqualTo(direct.get(0).topK().get(k).index());
            assertThat(published.getTopK().get(k).getScore())
                    .isCloseTo(direct.get(0).topK().get(k).score(), within(1e-6f));
        }
    }

    @Test
    void undecodableRecordsBecomeDeadLettersWithTheirOriginalBytesWhileGoodFramesFlow() {
        start(Map.of("max.batch.size", "2"));
        byte[] garbage = {0x00, 0x00, 0x00, 0x7f, 0x7f, 1, 2, 3};
        send("cam-a", 0);
        sendRaw(TestFrames.key("cam-a"), garbage);
        send("cam-a", 2);

        List<Prediction> out = predictions.readValuesToList();
        assertThat(out).extracting(Prediction::getSequence).containsExactly(0L, 2L);
        List<KeyValue<byte[], DeadLetter>> dead = deadLetters.readKeyValuesToList();
        assertThat(dead).hasSize(1);
        DeadLetter letter = dead.get(0).value;
        assertThat(dead.get(0).key).isEqualTo(TestFrames.key("cam-a"));
        assertThat(letter.getOriginalValue()).isEqualTo(ByteBuffer.wrap(garbage));
        assertThat(letter.getOriginalKey()).isEqualTo(ByteBuffer.wrap(TestFrames.key("cam-a")));
        assertThat(letter.getStage()).isEqualTo(FailureStage.DESERIALIZE);
        assertThat(letter.getSourceTopic()).isEqualTo("frames");
        assertThat(letter.getSourceOffset()).isEqualTo(1L);
        assertThat(letter.getErrorMessage()).contains("frames").contains("32639");
    }

    @Test
    void aDeadLetterKnownAtOnceIsNotPublishedBeforeAnEarlierFrameOfItsBatch() {
        start(Map.of("max.batch.size", "8"));
        send("cam-a", 0);
        sendRaw(TestFrames.key("cam-a"), new byte[0]);
        assertThat(deadLetters.isEmpty()).isTrue();
        advance(50);
        assertThat(predictions.readValuesToList()).hasSize(1);
        assertThat(deadLetters.readValuesToList()).hasSize(1);
    }

    @Test
    void everyKindOfBadRecordIsOneDeadLetterNamingWhatWasWrong() {
        start(Map.of("max.batch.size", "1", "max.frame.bytes", "200000"));
        Frame good = frames.frame("cam-a", 0, clock.get());
        byte[] goodBytes = frames.serialize("frames", good);

        sendRaw(null, goodBytes);
        sendRaw(TestFrames.key("cam-a"), new byte[0]);
        sendRaw(TestFrames.key("cam-a"), new byte[200_001]);
        byte[] wrongMagic = goodBytes.clone();
        wrongMagic[0] = 7;
        sendRaw(TestFrames.key("cam-a"), wrongMagic);
        sendRaw(TestFrames.key("cam-b"), goodBytes);
        byte[] jpeg = frames.jpeg(0);
        Frame truncated = Frame.newBuilder(good)
                .setImage(ByteBuffer.wrap(java.util.Arrays.copyOf(jpeg, jpeg.length / 2)))
                .build();
        sendRaw(TestFrames.key("cam-a"), frames.serialize("frames", truncated));
        Frame rawTooShort = Frame.newBuilder(good)
                .setEncoding(ImageEncoding.RAW_RGB8)
                .setImage(ByteBuffer.wrap(new byte[10]))
                .build();
        sendRaw(TestFrames.key("cam-a"), frames.serialize("frames", rawTooShort));

        List<DeadLetter> dead = deadLetters.readValuesToList();
        assertThat(dead)
                .extracting(DeadLetter::getStage)
                .containsExactly(
                        FailureStage.VALIDATE,
                        FailureStage.VALIDATE,
                        FailureStage.VALIDATE,
                        FailureStage.DESERIALIZE,
                        FailureStage.VALIDATE,
                        FailureStage.DECODE,
                        FailureStage.VALIDATE);
        assertThat(dead.get(0).getErrorMessage()).startsWith("record key is null");
        assertThat(dead.get(1).getErrorMessage()).isEqualTo("record value is empty (0 bytes): a frame is required");
        assertThat(dead.get(2).getErrorMessage())
                .isEqualTo("frame record is 200001 bytes, over max.frame.bytes=200000");
        assertThat(dead.get(3).getErrorClass()).isNotBlank();
        assertThat(dead.get(4).getErrorMessage())
                .startsWith("record key 'cam-b' differs from the frame's sourceId 'cam-a'");
        assertThat(dead.get(5).getErrorMessage()).startsWith("TRUNCATED");
        assertThat(dead.get(6).getErrorMessage()).startsWith("RAW_LENGTH_MISMATCH");
        assertThat(dead).extracting(DeadLetter::getSourceOffset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(predictions.isEmpty()).isTrue();
    }

    @Test
    void framesOlderThanMaxAgeAreSkippedInOrderWithTheOthers() {
        start(Map.of("max.batch.size", "8", "max.frame.age.ms", "1000"));
        send("cam-a", 0);
        Frame old = frames.frame("cam-a", 1, clock.get() - 5_000);
        input.pipeInput(TestFrames.key("cam-a"), frames.serialize("frames", old), clock.get());
        send("cam-a", 2);
        assertThat(predictions.isEmpty()).isTrue();
        advance(50);
        List<Prediction> out = predictions.readValuesToList();
        assertThat(out).extracting(Prediction::getSequence).containsExactly(0L, 1L, 2L);
        assertThat(out)
                .extracting(Prediction::getStatus)
                .containsExactly(PredictionStatus.OK, PredictionStatus.SKIPPED_STALE, PredictionStatus.OK);
        assertThat(out.get(1).getTopK()).isEmpty();
        assertThat(out.get(1).getLineage().getBatchId()).isNull();
        assertThat(out.get(1).getTimings().getEndToEndMs()).isGreaterThanOrEqualTo(5_000.0);
    }

    @Test
    void finishedFramesLeaveThePendingStoreAndUnfinishedOnesStay() {
        start(Map.of("max.batch.size", "3"));
        send("cam-a", 0);
        send("cam-a", 1);
        var store = driver.<Long, byte[]>getKeyValueStore(VisionTopology.PENDING_STORE);
        assertThat(store.approximateNumEntries()).isEqualTo(2);
        send("cam-a", 2);
        assertThat(predictions.readValuesToList()).hasSize(3);
        try (var all = store.all()) {
            assertThat(all.hasNext()).isFalse();
        }
    }

    @Test
    void anUnreachableRegistryStopsProcessingInsteadOfDeadLetteringEveryFrame() {
        // The frames are written through the test's mock registry; the processor's registry is down.
        start(Map.of(
                "schema.registry.url", "http://127.0.0.1:1",
                "max.retries", "0",
                "http.connect.timeout.ms", "500"));
        Frame frame = frames.frame("cam-a", 0, clock.get());
        byte[] value = frames.serialize("frames", frame);

        assertThatThrownBy(() -> sendRaw(TestFrames.key("cam-a"), value))
                .isInstanceOf(StreamsException.class)
                .satisfies(
                        e -> assertThat(causeChain(e)).hasAtLeastOneElementOfType(RegistryUnreachableException.class));
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(predictions.isEmpty()).isTrue();
    }

    @Test
    void anEngineFailureStopsProcessingPublishesNothingAndKeepsTheBatchsFramesInTheStore() {
        InferenceEngine failing = new InferenceEngine() {
            @Override
            public BatchResult infer(float[] chwBatch, int batchSize) {
                throw new IllegalStateException("CUDA error: device-side assert triggered");
            }

            @Override
            public io.visionstream.inference.engine.ModelInfo info() {
                return engine.info();
            }

            @Override
            public void close() {}
        };
        start(Map.of("max.batch.size", "2"), failing);
        send("cam-a", 0);

        assertThatThrownBy(() -> send("cam-a", 1))
                .isInstanceOf(StreamsException.class)
                .satisfies(e -> assertThat(causeChain(e))
                        .anySatisfy(c -> assertThat(c).hasMessage("CUDA error: device-side assert triggered")));
        assertThat(predictions.isEmpty()).isTrue();
        assertThat(deadLetters.isEmpty()).isTrue();
        // Both frames are still pending: a restarted processor resumes them from the changelog.
        var store = driver.<Long, byte[]>getKeyValueStore(VisionTopology.PENDING_STORE);
        assertThat(store.get(0L)).isNotNull();
        assertThat(store.get(1L)).isNotNull();
    }

    @Test
    void aHungModelStopsProcessingAtInferenceTimeoutPublishesNothingAndKeepsTheBatchsFramesInTheStore()
            throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        InferenceEngine hung = new InferenceEngine() {
            @Override
            public BatchResult infer(float[] chwBatch, int batchSize) {
                entered.countDown();
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("released by the test");
            }

            @Override
            public io.visionstream.inference.engine.ModelInfo info() {
                return engine.info();
            }

            @Override
            public void close() {}
        };
        ExecutorService inference = Executors.newSingleThreadExecutor();
        try {
            start(Map.of("max.batch.size", "2", "inference.timeout.ms", "5000"), hung, inference);
            send("cam-a", 0);
            send("cam-a", 1);
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
            advance(4_990);
            assertThat(predictions.isEmpty()).isTrue();

            assertThatThrownBy(() -> advance(10))
                    .isInstanceOf(StreamsException.class)
                    .satisfies(e -> assertThat(causeChain(e)).anySatisfy(c -> assertThat(c)
                            .isInstanceOf(BatchTimeoutException.class)
                            .hasMessageContaining("of 2 item(s) has run on the model for 5000 ms, past"
                                    + " inference.timeout.ms (5000 ms): the model appears hung")));
            assertThat(predictions.isEmpty()).isTrue();
            assertThat(deadLetters.isEmpty()).isTrue();
            // Both frames are still pending: a restarted processor resumes them from the changelog.
            var store = driver.<Long, byte[]>getKeyValueStore(VisionTopology.PENDING_STORE);
            assertThat(store.get(0L)).isNotNull();
            assertThat(store.get(1L)).isNotNull();
        } finally {
            never.countDown();
            inference.shutdownNow();
        }
    }

    private static List<Throwable> causeChain(Throwable t) {
        List<Throwable> chain = new java.util.ArrayList<>();
        for (Throwable c = t; c != null && !chain.contains(c); c = c.getCause()) {
            chain.add(c);
        }
        return chain;
    }

    @Test
    void embeddingsCanBeSwitchedOff() {
        start(Map.of("embeddings.enabled", "false", "max.batch.size", "1"));
        send("cam-a", 0);
        assertThat(predictions.readValuesToList()).hasSize(1);
        assertThat(driver.producedTopicNames()).doesNotContain("embeddings");
    }
}
