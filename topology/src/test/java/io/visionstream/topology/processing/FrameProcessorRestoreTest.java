package io.visionstream.topology.processing;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.topology.config.VisionConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One frame processor against a pending store as a restore leaves it. Under at-least-once a crash
 * between the store's changelog write and the offset commit leaves frames both in the restored store
 * and after the committed offset, so the input delivers them again.
 */
class FrameProcessorRestoreTest {

    private static final long START_MS = 1_700_000_000_000L;
    private static InferenceEngine engine;

    private final AtomicLong clock = new AtomicLong(START_MS);
    private final Map<String, Object> registry =
            Map.of("schema.registry.url", "mock://frame-restore-" + UUID.randomUUID());
    private final TestFrames frames = new TestFrames(registry);

    @BeforeAll
    static void loadModel() {
        engine = TestFrames.tinyEngine();
    }

    @AfterAll
    static void closeModel() throws Exception {
        engine.close();
    }

    private InputRecord frame(long offset) {
        Frame f = frames.frame("cam-a", offset, clock.get());
        return new InputRecord(
                "frames", 0, offset, TestFrames.key("cam-a"), frames.serialize("frames", f), clock.get());
    }

    @Test
    void framesResumedFromTheStoreAndDeliveredAgainGetOneOutcomeEachInOffsetOrder() {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", "unused:9092");
        settings.put("schema.registry.url", (String) registry.get("schema.registry.url"));
        settings.put("model.dir", "tiny-test");
        settings.put("max.batch.size", "16");
        settings.put("max.batch.delay.ms", "40");
        settings.put("processing.guarantee", "at_least_once");
        settings.put("embeddings.enabled", "false");
        VisionConfig config = VisionConfig.from(settings);
        Processor<byte[], byte[], Object, Object> processor = VisionTopology.frameProcessors(
                        config, engine, new ModelIdentity("tiny-test", "v1"), clock::get, Runnable::run)
                .get();

        Properties props = StreamsProperties.of(config);
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>(props);
        KeyValueStore<Long, byte[]> store = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(VisionTopology.PENDING_STORE), Serdes.Long(), Serdes.ByteArray())
                .withLoggingDisabled()
                .build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        // The restored store: offsets 87 and 90 were pending at the crash; the input's committed offset is 86.
        store.put(87L, frame(87).toStoreValue());
        store.put(90L, frame(90).toStoreValue());

        processor.init(context);
        for (long offset = 86; offset <= 91; offset++) {
            InputRecord in = frame(offset);
            context.setRecordMetadata("frames", 0, offset);
            processor.process(new Record<>(in.key(), in.value(), in.timestamp()));
        }
        clock.addAndGet(40);
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(clock.get());

        List<Long> published = new ArrayList<>();
        for (var forward : context.forwarded()) {
            assertThat(forward.childName()).contains(VisionTopology.PREDICTIONS_SINK);
            published.add(((Prediction) forward.record().value()).getLineage().getInputOffset());
        }
        assertThat(published).containsExactly(86L, 87L, 88L, 89L, 90L, 91L);
        try (var left = store.all()) {
            assertThat(left.hasNext()).as("frames left in the store").isFalse();
        }
    }
}
