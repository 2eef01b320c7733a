package io.visionstream.topology.processing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.schemas.avro.DeadLetter;
import io.visionstream.schemas.avro.FailureStage;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.metrics.VisionMetrics;
import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
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

    private VisionConfig config() {
        return config(Map.of());
    }

    private VisionConfig config(Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", "unused:9092");
        settings.put("schema.registry.url", (String) registry.get("schema.registry.url"));
        settings.put("model.dir", "tiny-test");
        settings.put("max.batch.size", "16");
        settings.put("max.batch.delay.ms", "40");
        settings.put("processing.guarantee", "at_least_once");
        settings.put("embeddings.enabled", "false");
        settings.putAll(overrides);
        return VisionConfig.from(settings);
    }

    /** A processor whose pending frames are read back from {@code source}, and the store it was given. */
    private record Rig(
            Processor<byte[], byte[], Object, Object> processor,
            MockProcessorContext<Object, Object> context,
            KeyValueStore<Long, byte[]> store) {}

    private Rig rig(PendingFrameSource.Factory source) {
        return rig(processors(config(), source), config(), 0);
    }

    private ProcessorSupplier<byte[], byte[], Object, Object> processors(
            VisionConfig config, PendingFrameSource.Factory source) {
        return VisionTopology.frameProcessors(
                config,
                engine,
                new ModelIdentity("tiny-test", "v1"),
                clock::get,
                Runnable::run,
                source,
                VisionMetrics.none());
    }

    /** A processor of {@code processors} for task 0_{@code partition}, with its own store. */
    private Rig rig(ProcessorSupplier<byte[], byte[], Object, Object> processors, VisionConfig config, int partition) {
        Processor<byte[], byte[], Object, Object> processor = processors.get();
        Properties props = StreamsProperties.of(config);
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>(
                props, new TaskId(0, partition), new File(System.getProperty("java.io.tmpdir")));
        KeyValueStore<Long, byte[]> store = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(VisionTopology.PENDING_STORE), Serdes.Long(), Serdes.ByteArray())
                .withLoggingDisabled()
                .build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return new Rig(processor, context, store);
    }

    /** Delivers offsets {@code from..to} of partition 0, then lets the open batch close. */
    private void deliver(Rig rig, long from, long to) {
        for (long offset = from; offset <= to; offset++) {
            InputRecord in = frame(offset);
            rig.context().setRecordMetadata("frames", 0, offset);
            rig.processor().process(new Record<>(in.key(), in.value(), in.timestamp()));
        }
        punctuateAfter(rig, 40);
    }

    private void punctuateAfter(Rig rig, long ms) {
        clock.addAndGet(ms);
        rig.context().scheduledPunctuators().get(0).getPunctuator().punctuate(clock.get());
    }

    private static List<Long> offsetsPublished(Rig rig) {
        List<Long> offsets = new ArrayList<>();
        for (var forward : rig.context().forwarded()) {
            Object value = forward.record().value();
            offsets.add(
                    value instanceof Prediction p
                            ? p.getLineage().getInputOffset()
                            : ((DeadLetter) value).getSourceOffset());
        }
        return offsets;
    }

    private static void assertStoreEmpty(Rig rig) {
        try (var left = rig.store().all()) {
            assertThat(left.hasNext()).as("frames left in the store").isFalse();
        }
    }

    /** A source that serves offsets from the frames this test makes, except those it is told are gone. */
    private PendingFrameSource.Factory source(List<SortedSet<Long>> asked, Set<Long> gone) {
        return (appConfigs, clientId) -> new PendingFrameSource() {
            @Override
            public Map<Long, InputRecord> read(String topic, int partition, SortedSet<Long> offsets) {
                asked.add(new TreeSet<>(offsets));
                Map<Long, InputRecord> found = new HashMap<>();
                for (long offset : offsets) {
                    if (!gone.contains(offset)) {
                        found.put(offset, frame(offset));
                    }
                }
                return found;
            }

            @Override
            public void close() {}
        };
    }

    @Test
    void newFramesAreStoredAsTheirOffsetOnly() {
        Rig rig = rig((appConfigs, clientId) -> {
            throw new AssertionError("nothing to read back");
        });
        rig.processor().init(rig.context());
        InputRecord in = frame(7);
        rig.context().setRecordMetadata("frames", 0, 7);
        rig.processor().process(new Record<>(in.key(), in.value(), in.timestamp()));

        assertThat(rig.store().get(7L)).isEmpty();
    }

    @Test
    void offsetOnlyFramesAreReadBackOnceAndResumedWithTheRedeliveredOnesInOffsetOrder() {
        List<SortedSet<Long>> asked = new ArrayList<>();
        Rig rig = rig(source(asked, Set.of()));
        // The restored store: offsets 87 and 90 were pending at the crash; the input's committed offset is 86.
        rig.store().put(87L, FrameProcessor.OFFSET_ONLY);
        rig.store().put(90L, FrameProcessor.OFFSET_ONLY);

        rig.processor().init(rig.context());
        deliver(rig, 86, 91);

        assertThat(asked).containsExactly(new TreeSet<>(List.of(87L, 90L)));
        assertThat(offsetsPublished(rig)).containsExactly(86L, 87L, 88L, 89L, 90L, 91L);
        assertThat(rig.context().forwarded())
                .allSatisfy(f -> assertThat(f.childName()).contains(VisionTopology.PREDICTIONS_SINK));
        assertStoreEmpty(rig);
    }

    @Test
    void aPendingFrameNoLongerInTheInputBecomesADeadLetterWithoutBytesInItsPlace() {
        Rig rig = rig(source(new ArrayList<>(), Set.of(88L)));
        rig.store().put(88L, FrameProcessor.OFFSET_ONLY);
        rig.store().put(89L, FrameProcessor.OFFSET_ONLY);

        rig.processor().init(rig.context());
        deliver(rig, 90, 90);

        assertThat(offsetsPublished(rig)).containsExactly(88L, 89L, 90L);
        var first = rig.context().forwarded().get(0);
        assertThat(first.childName()).contains(VisionTopology.DEAD_LETTERS_SINK);
        DeadLetter dead = (DeadLetter) first.record().value();
        assertThat(dead.getOriginalValue()).isNull();
        assertThat(dead.getOriginalKey()).isNull();
        assertThat(dead.getSourceTopic()).isEqualTo("frames");
        assertThat(dead.getStage()).isEqualTo(FailureStage.UNKNOWN);
        assertThat(dead.getErrorClass()).isEqualTo(PendingFrameGoneException.class.getName());
        assertThat(dead.getErrorMessage()).startsWith("frame at offset 88 of frames-0 was pending in a batch");
        assertStoreEmpty(rig);
    }

    @Test
    void framesStoredWholeByEarlierVersionsAreResumedWithoutReadingTheInput() {
        Rig rig = rig((appConfigs, clientId) -> {
            throw new AssertionError("whole frames need no reading back");
        });
        // The restored store: offsets 87 and 90 were pending at the crash; the input's committed offset is 86.
        rig.store().put(87L, frame(87).toStoreValue());
        rig.store().put(90L, frame(90).toStoreValue());

        rig.processor().init(rig.context());
        deliver(rig, 86, 91);

        assertThat(offsetsPublished(rig)).containsExactly(86L, 87L, 88L, 89L, 90L, 91L);
        assertStoreEmpty(rig);
    }

    /** A source that times out the first {@code timeouts} reads, then serves every offset asked for. */
    private PendingFrameSource.Factory slowSource(List<SortedSet<Long>> asked, int timeouts) {
        int[] left = {timeouts};
        PendingFrameSource.Factory serving = source(asked, Set.of());
        return (appConfigs, clientId) -> {
            PendingFrameSource inner = serving.open(appConfigs, clientId);
            return new PendingFrameSource() {
                @Override
                public Map<Long, InputRecord> read(String topic, int partition, SortedSet<Long> offsets) {
                    if (left[0]-- > 0) {
                        asked.add(new TreeSet<>(offsets));
                        throw new TimeoutException("could not read back " + offsets.size() + " pending frame(s)");
                    }
                    return inner.read(topic, partition, offsets);
                }

                @Override
                public void close() {}
            };
        };
    }

    @Test
    void aReadBackThatTimesOutIsTriedAgainAtLaterPunctuationsAndTheFramesComeOutInOffsetOrder() {
        List<SortedSet<Long>> asked = new ArrayList<>();
        Rig rig = rig(slowSource(asked, 2));
        rig.store().put(87L, FrameProcessor.OFFSET_ONLY);
        rig.store().put(90L, FrameProcessor.OFFSET_ONLY);

        rig.processor().init(rig.context()); // the first read times out: no exception, the task goes on
        InputRecord in = frame(91);
        rig.context().setRecordMetadata("frames", 0, 91);
        rig.processor().process(new Record<>(in.key(), in.value(), in.timestamp()));
        punctuateAfter(rig, 10); // the second times out
        assertThat(rig.context().forwarded()).isEmpty();
        punctuateAfter(rig, 10); // the third reads back the restored frames and the one that arrived meanwhile
        punctuateAfter(rig, 40);

        assertThat(asked)
                .containsExactly(
                        new TreeSet<>(List.of(87L, 90L)),
                        new TreeSet<>(List.of(87L, 90L, 91L)),
                        new TreeSet<>(List.of(87L, 90L, 91L)));
        assertThat(offsetsPublished(rig)).containsExactly(87L, 90L, 91L);
        assertStoreEmpty(rig);
    }

    @Test
    void aReadBackStillTimingOutWhenTaskTimeoutMsHasPassedSinceTheFirstTimeoutStopsProcessing() {
        VisionConfig config = config(Map.of("task.timeout.ms", "1000"));
        Rig rig = rig(processors(config, slowSource(new ArrayList<>(), Integer.MAX_VALUE)), config, 0);
        rig.store().put(87L, FrameProcessor.OFFSET_ONLY);

        rig.processor().init(rig.context()); // first timeout: the deadline is 1000 ms from now
        punctuateAfter(rig, 999);

        assertThatThrownBy(() -> punctuateAfter(rig, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Task 0_0 could not read back 1 pending frame(s) of frames-0 within task.timeout.ms"
                        + " (1000 ms): could not read back 1 pending frame(s)")
                .hasCauseInstanceOf(TimeoutException.class);
        assertThat(rig.context().forwarded()).isEmpty();
        assertThat(rig.store().get(87L)).isEmpty(); // still pending, for the next start
    }

    @Test
    void theTasksOfOneStreamThreadReadBackThroughOneSourceClosedWhenTheLastOfThemCloses() {
        List<String> opened = new ArrayList<>();
        List<String> closed = new ArrayList<>();
        PendingFrameSource.Factory serving = source(new ArrayList<>(), Set.of());
        PendingFrameSource.Factory counting = (appConfigs, clientId) -> {
            opened.add(clientId);
            PendingFrameSource inner = serving.open(appConfigs, clientId);
            return new PendingFrameSource() {
                @Override
                public Map<Long, InputRecord> read(String topic, int partition, SortedSet<Long> offsets) {
                    return inner.read(topic, partition, offsets);
                }

                @Override
                public void close() {
                    closed.add(clientId);
                }
            };
        };
        VisionConfig config = config();
        ProcessorSupplier<byte[], byte[], Object, Object> processors = processors(config, counting);
        Rig first = rig(processors, config, 0);
        Rig second = rig(processors, config, 1);
        first.store().put(87L, FrameProcessor.OFFSET_ONLY);
        second.store().put(12L, FrameProcessor.OFFSET_ONLY);

        first.processor().init(first.context());
        second.processor().init(second.context());
        first.processor().close();
        assertThat(closed).isEmpty();
        second.processor().close();

        assertThat(opened).containsExactly(Thread.currentThread().getName() + "-pending-frames");
        assertThat(closed).isEqualTo(opened);
    }
}
