package io.visionstream.topology.runtime;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.visionstream.inference.engine.EngineOptions;
import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.inference.engine.InferenceEngines;
import io.visionstream.inference.engine.NativeAllocator;
import io.visionstream.inference.engine.Precision;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.metrics.VisionMetrics;
import io.visionstream.topology.processing.ModelIdentity;
import io.visionstream.topology.processing.OutputSchemas;
import io.visionstream.topology.processing.StreamsProperties;
import io.visionstream.topology.processing.VisionTopology;
import io.visionstream.topology.topics.FrameSizing;
import io.visionstream.topology.topics.TopicSetup;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance of the processor, as {@code run} starts it: one model, one Kafka Streams client. Instances of one
 * application share the input partitions through Kafka Streams' own assignment. Closing it stops Kafka Streams first
 * (frames still waiting in a batch stay in the changelogged store for the next instance), then frees the
 * model, waiting at most {@code inference.timeout.ms} for a running batch (a hung model is left open).
 *
 * <p>An exception that escapes processing (an engine failure, an unreachable schema registry) shuts the
 * client down rather than replacing the thread: a model that fails once will fail again, and a restarted
 * process is the visible way to retry. {@link #awaitStop()} then returns the cause.
 *
 * <p>Started with a {@link Monitoring}, it counts into that registry ({@code visionstream_*}, Kafka
 * Streams' own metrics) and keeps its health endpoints up to date; closing it leaves the monitoring
 * running, so that {@code /readyz} says 503 and the final counts can still be scraped.
 *
 * <p>Thread-safe.
 */
public final class ProcessorInstance implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProcessorInstance.class);

    private final KafkaStreams streams;
    private final InferenceEngine engine;
    private final ExecutorService inference;
    private final Health health;
    private final KafkaStreamsMetrics streamsMetrics;
    private final Duration inferenceTimeout;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private ProcessorInstance(
            KafkaStreams streams,
            InferenceEngine engine,
            ExecutorService inference,
            Health health,
            KafkaStreamsMetrics streamsMetrics,
            Duration inferenceTimeout) {
        this.streams = streams;
        this.engine = engine;
        this.inference = inference;
        this.health = health;
        this.streamsMetrics = streamsMetrics;
        this.inferenceTimeout = inferenceTimeout;
    }

    /**
     * Starts the processor without monitoring: no endpoints, and the meters count into nothing ({@code
     * metrics.*} settings are not read). For tools and tests that watch the processor otherwise.
     *
     * @see #start(VisionConfig, Monitoring)
     */
    public static ProcessorInstance start(VisionConfig config) throws IOException {
        return start(config, null);
    }

    /**
     * Opens the model, creates or checks the topics, and starts Kafka Streams.
     *
     * @throws IOException if the model directory cannot be read
     * @throws TopicSetup.TopicTooSmallException if an existing topic cannot carry frames
     * @throws TopicSetup.MissingTopicsException if {@code topics.create=false} and a topic does not exist
     * @throws IllegalStateException if the cluster cannot be reached, or the schema registry cannot take
     *     the output schemas (see {@link OutputSchemas}), or {@code monitoring} already watches a processor
     */
    public static ProcessorInstance start(VisionConfig config, Monitoring monitoring) throws IOException {
        Health health = monitoring != null ? monitoring.health() : new Health();
        health.attach();
        log.info("Starting with {}", config.describe());
        EngineOptions options = new EngineOptions(
                config.topK(), Precision.valueOf(config.precision().toUpperCase(Locale.ROOT)), config.device());
        if (config.inferenceThreads() > 0) {
            InferenceEngines.setIntraOpThreads(config.inferenceThreads());
        }
        health.model(Health.Model.LOADING);
        InferenceEngine engine;
        try {
            engine = InferenceEngines.open(config.modelDir(), options);
        } catch (IOException | RuntimeException e) {
            health.model(Health.Model.NOT_LOADED);
            throw e;
        }
        health.model(Health.Model.LOADED);
        ExecutorService inference = inferenceWorkers(config);
        KafkaStreamsMetrics streamsMetrics = null;
        try {
            log.info("Model {} loaded: {}", config.modelDir(), engine.info());
            if (NativeAllocator.isRecommended()) {
                log.info("{}", NativeAllocator.describe());
            } else {
                log.warn("{}", NativeAllocator.describe());
            }
            ModelIdentity model = ModelIdentity.of(config.modelDir());
            VisionMetrics metrics =
                    monitoring != null ? metrics(config, monitoring, engine, model) : VisionMetrics.none();
            Properties props = StreamsProperties.of(config);
            boolean publishMasks = VisionTopology.publishesMasks(config, engine);
            setUpTopics(config, props, publishMasks);
            // Before any frame is read: a registry that cannot take an output schema stops the start here.
            log.info("Output schemas resolved (topic=id): {}", OutputSchemas.resolve(config, publishMasks));
            KafkaStreams streams = new KafkaStreams(
                    VisionTopology.build(config, engine, model, System::currentTimeMillis, inference, metrics), props);
            if (monitoring != null) {
                streamsMetrics = streamsMetrics(streams);
                streamsMetrics.bindTo(monitoring.registry());
            }
            ProcessorInstance processor = new ProcessorInstance(
                    streams, engine, inference, health, streamsMetrics, Duration.ofMillis(config.inferenceTimeoutMs()));
            health.streams(streams::state, processor::failure);
            streams.setUncaughtExceptionHandler(processor::onUncaught);
            streams.setStateListener((now, before) -> {
                log.info("Kafka Streams {} -> {}", before, now);
                if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                    processor.stopped.countDown();
                }
            });
            streams.start();
            return processor;
        } catch (IOException | RuntimeException e) {
            if (streamsMetrics != null) {
                streamsMetrics.close();
            }
            inference.shutdownNow();
            engine.close();
            health.model(Health.Model.CLOSED);
            throw e;
        }
    }

    /** The processor's own meters in {@code monitoring}'s registry, with the model they serve. */
    private static VisionMetrics metrics(
            VisionConfig config, Monitoring monitoring, InferenceEngine engine, ModelIdentity model) {
        VisionMetrics metrics = new VisionMetrics(
                monitoring.registry(),
                config.metrics().camerasEnabled(),
                config.metrics().camerasMax());
        var info = engine.info();
        metrics.model(
                model.name(),
                model.version(),
                info.architecture(),
                info.device(),
                info.precision().name().toLowerCase(Locale.ROOT));
        if (info.device().startsWith("gpu")) {
            metrics.deviceMemory(info.device(), engine::deviceMemoryUsedBytes);
        }
        return metrics;
    }

    /**
     * Kafka Streams' own metrics (clients, threads, tasks), re-read every 10 s so that metrics of tasks
     * assigned later (per-partition consumer lag among them) appear within a scrape or two, not after
     * Micrometer's default minute.
     */
    private static KafkaStreamsMetrics streamsMetrics(KafkaStreams streams) {
        ScheduledExecutorService refresh = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "vision-kafka-metrics");
            thread.setDaemon(true);
            return thread;
        });
        // The binder shuts its scheduler down when closed.
        return new KafkaStreamsMetrics(streams, Tags.empty(), refresh, Duration.ofSeconds(10));
    }

    /**
     * The inference workers: they run the batches every stream thread closes, in the order they closed,
     * up to {@code inference.workers} at a time on the one model, while the stream threads read, decode
     * and commit. Each worker sets its own libtorch intra-op threads before its first batch.
     */
    private static ExecutorService inferenceWorkers(VisionConfig config) {
        int workers = config.inferenceWorkers();
        int intraOp = config.inferenceThreads();
        AtomicInteger sequence = new AtomicInteger();
        return Executors.newFixedThreadPool(workers, runnable -> {
            Runnable worker = intraOp > 0
                    ? () -> {
                        InferenceEngines.setIntraOpThreads(intraOp);
                        runnable.run();
                    }
                    : runnable;
            String name = config.applicationId() + "-inference" + (workers > 1 ? "-" + sequence.getAndIncrement() : "");
            Thread thread = new Thread(worker, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Creates missing topics, or with {@code topics.create=false} checks they exist; then checks their limits. */
    private static void setUpTopics(VisionConfig config, Properties streamsProps, boolean withMasks) {
        StreamsConfig streamsConfig = new StreamsConfig(streamsProps);
        try (Admin admin = Admin.create(streamsConfig.getAdminConfigs(config.applicationId() + "-setup"))) {
            var topics = config.topics();
            List<String> outputs = new java.util.ArrayList<>(List.of(topics.predictions()));
            if (config.embeddingsEnabled()) {
                outputs.add(topics.embeddings());
            }
            if (withMasks) {
                outputs.add(topics.masks());
            }
            var plan =
                    new TopicSetup.Plan(topics.input(), topics.deadLetters(), outputs, config.topicPartitions(), (short)
                            config.topicReplicationFactor());
            if (config.createTopics()) {
                TopicSetup.ensure(admin, plan, new FrameSizing(config.maxFrameBytes()));
            } else {
                TopicSetup.check(admin, plan, new FrameSizing(config.maxFrameBytes()));
            }
        }
    }

    /**
     * Lets the inference workers finish the batches they hold for at most {@code wait}, then closes the
     * model. Queued batches still run (at most {@code max.inflight.batches} per stream thread): a stream
     * thread that Kafka Streams' close timed out on may be waiting for one, and their frames are in the
     * store anyway. A batch still running after {@code wait} is past {@code inference.timeout.ms}: the
     * model is left open rather than closed under it, since closing waits for running batches (and
     * freeing native memory under a running forward could crash the JVM); the process's exit frees it.
     *
     * @return whether the model was closed
     */
    static boolean stopInference(ExecutorService inference, InferenceEngine engine, Duration wait) {
        inference.shutdown();
        boolean idle;
        try {
            idle = inference.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            idle = inference.isTerminated();
        }
        if (!idle) {
            inference.shutdownNow();
            log.error(
                    "A batch is still running on the model {} ms after the close began (inference.timeout.ms):"
                            + " the model appears hung and is left open; its memory is freed when the process exits",
                    wait.toMillis());
            return false;
        }
        engine.close();
        return true;
    }

    private StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onUncaught(Throwable e) {
        log.error("Processing failed; shutting down (pending frames stay in the store for the next start)", e);
        failure.compareAndSet(null, e);
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }

    /** Kafka Streams' state, e.g. RUNNING. */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * Waits until Kafka Streams is RUNNING.
     *
     * @return false if it did not get there in time or stopped first
     */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            KafkaStreams.State state = streams.state();
            if (state == KafkaStreams.State.RUNNING) {
                return true;
            }
            if (!state.isRunningOrRebalancing() && state != KafkaStreams.State.CREATED) {
                return false;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /**
     * The partitions of {@code topic} whose active tasks this instance runs now, from Kafka Streams'
     * assignment: with several instances of one application, Kafka Streams spreads the input partitions
     * over them.
     *
     * @param topic a source topic, e.g. the input topic
     * @return partition numbers in ascending order; empty before the first assignment or while rebalancing
     */
    public SortedSet<Integer> assignedPartitions(String topic) {
        SortedSet<Integer> partitions = new TreeSet<>();
        for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
            for (TaskMetadata task : thread.activeTasks()) {
                for (TopicPartition tp : task.topicPartitions()) {
                    if (tp.topic().equals(topic)) {
                        partitions.add(tp.partition());
                    }
                }
            }
        }
        return partitions;
    }

    /** Blocks until Kafka Streams stops; returns what stopped it, or null for a requested close. */
    public Throwable awaitStop() throws InterruptedException {
        stopped.await();
        return failure.get();
    }

    /** Waits at most {@code timeout} for a stop; true if it stopped. */
    public boolean awaitStop(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The failure that stopped processing, if any. */
    public Throwable failure() {
        return failure.get();
    }

    /**
     * Stops Kafka Streams (at most 30 s), then the inference workers and the model (at most {@code
     * inference.timeout.ms}): a hung model never holds the close for ever.
     */
    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        stopped.countDown();
        stopInference(inference, engine, inferenceTimeout);
        health.model(Health.Model.CLOSED);
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
    }
}
