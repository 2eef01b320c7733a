package io.visionstream.topology.processing;

import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.inference.engine.InputBatchPool;
import io.visionstream.inference.engine.ResourceExhaustion;
import io.visionstream.inference.image.DecodeLimits;
import io.visionstream.inference.image.ImageDecoder;
import io.visionstream.inference.image.Preprocessor;
import io.visionstream.schemas.avro.Embedding;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.avro.SegmentationMask;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.topology.batching.BatchDeadline;
import io.visionstream.topology.batching.BisectingRunner;
import io.visionstream.topology.batching.ItemResult;
import io.visionstream.topology.batching.MicroBatcher;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.metrics.VisionMetrics;
import io.visionstream.topology.topics.FrameSizing;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the processor's topology. A pure function: no I/O, no threads started; tests call exactly
 * this.
 *
 * <pre>
 *   frames (bytes) --> frame-processor --+--> predictions   (String key, Prediction)
 *                          |             +--> embeddings    (String key, Embedding), if enabled
 *                    pending-frames      +--> masks         (String key, SegmentationMask), if enabled
 *                    (changelogged)      |                   and the model has a dense head
 *                                        +--> dead letters  (original key bytes, DeadLetter)
 * </pre>
 */
public final class VisionTopology {

    public static final String SOURCE = "frames-source";
    public static final String PROCESSOR = "frame-processor";
    public static final String PENDING_STORE = "pending-frames";
    public static final String PREDICTIONS_SINK = "predictions-sink";
    public static final String EMBEDDINGS_SINK = "embeddings-sink";
    public static final String MASKS_SINK = "masks-sink";
    public static final String DEAD_LETTERS_SINK = "dead-letters-sink";

    private VisionTopology() {}

    /**
     * @param engine the one model every stream thread shares; must be safe for concurrent callers
     * @param model the name and version written into every output's lineage
     * @param clock wall-clock milliseconds (a parameter so tests can drive time)
     */
    public static Topology build(VisionConfig config, InferenceEngine engine, ModelIdentity model, LongSupplier clock) {
        return build(config, engine, model, clock, Runnable::run);
    }

    /**
     * Same, with batches run on {@code inference} so that stream threads go on reading, preparing and
     * committing while the model works ({@code max.inflight.batches} bounds how far ahead they get). A
     * batch that takes longer than {@code inference.timeout.ms} there stops processing as an engine
     * failure does; on the stream thread itself ({@code Runnable::run}) nothing can watch it.
     * The caller owns the executor and shuts it down after Kafka Streams has closed.
     *
     * @param inference runs batches; {@code Runnable::run} runs them on the stream thread
     */
    public static Topology build(
            VisionConfig config, InferenceEngine engine, ModelIdentity model, LongSupplier clock, Executor inference) {
        return build(config, engine, model, clock, inference, VisionMetrics.none());
    }

    /**
     * Same, counting frames, outcomes and batches in {@code metrics}.
     *
     * @param metrics the meters every processor and batcher of this topology records to
     */
    public static Topology build(
            VisionConfig config,
            InferenceEngine engine,
            ModelIdentity model,
            LongSupplier clock,
            Executor inference,
            VisionMetrics metrics) {
        Map<String, Object> registry = new LinkedHashMap<>(config.schemaRegistry());
        var predictions = AvroSerdes.specific(Prediction.class, registry, false);
        var embeddings = AvroSerdes.specific(Embedding.class, registry, false);
        var masks = AvroSerdes.specific(SegmentationMask.class, registry, false);
        var deadLetters = AvroSerdes.deadLetter(registry);
        boolean publishMasks = publishesMasks(config, engine);

        Topology topology = new Topology();
        topology.addSource(
                SOURCE,
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer(),
                config.topics().input());
        topology.addProcessor(PROCESSOR, frameProcessors(config, engine, model, clock, inference, metrics), SOURCE);
        topology.addStateStore(pendingStore(new FrameSizing(config.maxFrameBytes())), PROCESSOR);
        topology.addSink(
                PREDICTIONS_SINK,
                config.topics().predictions(),
                new StringSerializer(),
                predictions.serializer(),
                PROCESSOR);
        if (config.embeddingsEnabled()) {
            topology.addSink(
                    EMBEDDINGS_SINK,
                    config.topics().embeddings(),
                    new StringSerializer(),
                    embeddings.serializer(),
                    PROCESSOR);
        }
        if (publishMasks) {
            topology.addSink(
                    MASKS_SINK, config.topics().masks(), new StringSerializer(), masks.serializer(), PROCESSOR);
        }
        topology.addSink(
                DEAD_LETTERS_SINK,
                config.topics().deadLetters(),
                new ByteArraySerializer(),
                deadLetters.serializer(),
                PROCESSOR);
        return topology;
    }

    /** Masks need a dense head; with none, {@code masks.enabled} simply has nothing to publish. */
    public static boolean publishesMasks(VisionConfig config, InferenceEngine engine) {
        return config.masksEnabled() && engine.info().segments();
    }

    /**
     * The frame processors, one per task, sharing one batcher and one pending-frame source per stream
     * thread, reading pending frames back from the input topic after a restore. Package-private so a test
     * can run one processor against a store it prepared.
     */
    static ProcessorSupplier<byte[], byte[], Object, Object> frameProcessors(
            VisionConfig config,
            InferenceEngine engine,
            ModelIdentity model,
            LongSupplier clock,
            Executor inference,
            VisionMetrics metrics) {
        return frameProcessors(config, engine, model, clock, inference, KafkaPendingFrameSource::open, metrics);
    }

    /** As above, reading pending frames back from {@code frameSource}. */
    static ProcessorSupplier<byte[], byte[], Object, Object> frameProcessors(
            VisionConfig config,
            InferenceEngine engine,
            ModelIdentity model,
            LongSupplier clock,
            Executor inference,
            PendingFrameSource.Factory frameSource,
            VisionMetrics metrics) {
        var frames = AvroSerdes.specific(Frame.class, new LinkedHashMap<>(config.schemaRegistry()), false);
        Preprocessor preprocessor = new Preprocessor(engine.info().preprocess());
        ImageDecoder decoder = new ImageDecoder(
                new DecodeLimits(config.maxFrameBytes(), config.maxImagePixels(), DecodeLimits.DEFAULT_MAX_SIDE));
        FramePreparer preparer = new FramePreparer(
                frames.deserializer(), decoder, preprocessor, config.maxFrameBytes(), config.maxFrameAgeMs());
        OutputRecords outputs = new OutputRecords(model, engine.info().segmentationClasses(), preprocessor);

        // One batcher per stream thread: frames of all its tasks share batches. A replaced thread's
        // batcher goes away with the thread.
        // Each batch's frames are preprocessed straight into one engine input of max.batch.size slots
        // (FrameSlots); the input goes back to the pool once the batch's run, splits included, is over, so
        // each stream thread holds at most max.inflight.batches + 1 of them.
        // A batch that runs out of device memory is run again in halves (BisectingRunner).
        // One deadline for every batcher, since they share the inference workers (see BatchDeadline).
        BatchDeadline deadline = new BatchDeadline(config.inferenceTimeoutMs());
        InputBatchPool inputs =
                new InputBatchPool(config.maxBatchSize(), engine.info().floatsPerImage());
        BisectingRunner<PreparedFrame, FrameResult> runner = new BisectingRunner<>(
                new EngineRunner(engine, inputs, outputs, publishesMasks(config, engine), metrics),
                ResourceExhaustion::isResourceExhaustion);
        ThreadLocal<MicroBatcher<PreparedFrame, ItemResult<FrameResult>>> batchers =
                ThreadLocal.withInitial(() -> new MicroBatcher<>(
                        Thread.currentThread().getName(),
                        config.maxBatchSize(),
                        config.maxBatchDelayMs(),
                        config.inFlightBatchesPerThread(),
                        batch -> {
                            try {
                                return runner.run(batch);
                            } finally {
                                FrameSlots.release(inputs, batch);
                            }
                        },
                        inference,
                        clock,
                        metrics,
                        deadline));
        ThreadLocal<FrameSlots> slots = ThreadLocal.withInitial(() -> new FrameSlots(inputs, batchers.get()));

        // One read-back consumer per stream thread, opened when a task of the thread first needs it.
        ThreadLocal<ThreadFrameSource> frameSources = ThreadLocal.withInitial(() -> new ThreadFrameSource(frameSource));

        FrameProcessor.Settings settings = new FrameProcessor.Settings(
                config.topics().input(),
                PENDING_STORE,
                PREDICTIONS_SINK,
                EMBEDDINGS_SINK,
                MASKS_SINK,
                DEAD_LETTERS_SINK,
                config.embeddingsEnabled(),
                publishesMasks(config, engine),
                config.normalizeEmbeddings(),
                punctuationInterval(config.maxBatchDelayMs()));
        return () -> new FrameProcessor(
                settings, preparer, outputs, batchers::get, clock, frameSources::get, slots::get, metrics);
    }

    /**
     * Due batches are noticed at this interval; a quarter of the batch delay keeps the overshoot small,
     * bounded to [1 ms, 10 ms] so idle tasks cost little.
     */
    static Duration punctuationInterval(long maxBatchDelayMs) {
        return Duration.ofMillis(Math.max(1, Math.min(10, maxBatchDelayMs / 4)));
    }

    /**
     * Pending frames, keyed by input offset (big-endian, so iteration is in offset order), with an empty
     * value: the frame itself is read back from the input topic after a restore. Caching matters: a frame
     * stored and deleted within one commit interval reaches the changelog only as a tombstone. The
     * changelog is compacted eagerly, since all but the last few frames are deleted. Its record limit
     * stays sized for frames, since earlier versions stored the frames' bytes and a store restored from
     * their changelog still holds them.
     */
    static StoreBuilder<KeyValueStore<Long, byte[]>> pendingStore(FrameSizing sizing) {
        Map<String, String> changelog = new LinkedHashMap<>(sizing.frameTopicConfig());
        changelog.put(
                TopicConfig.SEGMENT_MS_CONFIG,
                String.valueOf(Duration.ofMinutes(10).toMillis()));
        changelog.put(
                TopicConfig.DELETE_RETENTION_MS_CONFIG,
                String.valueOf(Duration.ofMinutes(1).toMillis()));
        changelog.put(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.1");
        return Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(PENDING_STORE), Serdes.Long(), Serdes.ByteArray())
                .withCachingEnabled()
                .withLoggingEnabled(changelog);
    }
}
