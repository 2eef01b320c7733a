package io.visionstream.app.bench;

import io.visionstream.app.cameras.CameraFleet;
import io.visionstream.inference.engine.EngineOptions;
import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.inference.engine.InferenceEngines;
import io.visionstream.inference.image.DecodeLimits;
import io.visionstream.inference.image.DecodedImage;
import io.visionstream.inference.image.ImageDecodeException;
import io.visionstream.inference.image.ImageDecoder;
import io.visionstream.inference.image.ImageEncoder;
import io.visionstream.inference.image.Preprocessor;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.ImageEncoding;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.registry.LocalSchemaRegistryServer;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.testkit.ScratchDirectories;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.runtime.ProcessorInstance;
import io.visionstream.topology.topics.FrameSizing;
import io.visionstream.topology.topics.TopicSetup;
import io.visionstream.training.synthetic.SceneConfig;
import io.visionstream.training.synthetic.SyntheticScenes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Measures, with one model and one batch size: (a) the inference engine alone on pre-made batches, timed
 * right before and right after (b), on as many calling threads as the pipeline has inference workers;
 * (b) the whole pipeline (JPEG frames produced to the embedded broker, the topology, predictions consumed
 * with read_committed) on a backlog, after an untimed warm-up backlog through its own application and
 * topics so that both parts run on compiled code; their ratio; the batch sizes the pipeline formed;
 * end-to-end latency at a fixed offered load of half the slowest of (b) and the two engine timings; JPEG
 * decode (and preprocess) frames/s on one core; and changelog bytes written per frame.
 */
public final class PipelineBenchmark {

    /**
     * @param frames frames in the backlog of both throughput runs
     * @param latencyRun how long to offer half the maximum load for the latency figures
     * @param workers inference workers: callers running batches side by side on the engine alone, and
     *     {@code inference.workers} of the pipeline
     * @param warmupFrames frames pushed through a first, untimed pipeline (its own application and topics)
     *     so that the timed one runs on compiled code, as the engine's timed pass does; 0 for none. It may
     *     exceed {@code frames}: the backlog's frames are then sent again in turn
     */
    public record Options(
            Path modelDir,
            int batchSize,
            long batchDelayMs,
            int frames,
            int frameWidth,
            int frameHeight,
            int partitions,
            int cameras,
            Duration latencyRun,
            int workers,
            int warmupFrames) {
        public Options {
            if (warmupFrames < 0) {
                throw new IllegalArgumentException("need warm-up frames >= 0; got " + warmupFrames);
            }
            if (batchSize < 1 || frames < batchSize * 2 || partitions < 1 || cameras < 1 || workers < 1) {
                throw new IllegalArgumentException("need batch size >= 1, frames >= 2 batches, partitions,"
                        + " cameras and workers >= 1; got batch " + batchSize + ", frames " + frames + ", workers "
                        + workers);
            }
        }
    }

    /**
     * The figures, for callers that check or format them. The engine is timed twice, right before the
     * pipeline and right after it, and {@code engineFramesPerSecond} is their mean: on a shared machine
     * the speed of the cores drifts over a run, and the ratio should compare like with like. The
     * {@code ...JitCores} figures are the cores the JIT compilers used during each timed phase.
     * {@code latencyTail} splits the latency after the run's settling time; null when no frame was
     * captured after it.
     */
    public record Report(
            double engineFramesPerSecond,
            double engineBeforeFramesPerSecond,
            double engineAfterFramesPerSecond,
            double pipelineFramesPerSecond,
            double engineBeforeJitCores,
            double pipelineJitCores,
            double engineAfterJitCores,
            Map<Integer, Integer> batchSizes,
            double offeredFramesPerSecond,
            double latencyP50Ms,
            double latencyP99Ms,
            double queueP50Ms,
            double queueP99Ms,
            double batchInferenceP50Ms,
            double batchInferenceP99Ms,
            double decodeFramesPerSecond,
            double decodeAndPreprocessFramesPerSecond,
            double changelogBytesPerFrame,
            long pipelinePredictions,
            LatencyTail.Split latencyTail) {}

    private PipelineBenchmark() {}

    public static Report run(Options o, PrintStream out) throws Exception {
        out.println(Machine.describe());
        out.printf(
                Locale.ROOT,
                "settings: model %s, batch %d, delay %d ms, %d frames %dx%d JPEG, %d partitions, %d inference"
                        + " worker(s)%n",
                o.modelDir(),
                o.batchSize(),
                o.batchDelayMs(),
                o.frames(),
                o.frameWidth(),
                o.frameHeight(),
                o.partitions(),
                o.workers());

        List<byte[]> jpegs = jpegs(o);
        double[] decode = decodeRates(o, jpegs);
        Rate engineBefore = engineRate(o, jpegs);

        // A schema registry speaking Confluent's REST API on loopback: the same client and wire format as
        // a deployment, not the in-process mock.
        // One scratch state directory for every processor of the run (each keeps its own application id).
        Path state = Files.createTempDirectory("vision-bench");
        try (LocalSchemaRegistryServer schemaRegistry = LocalSchemaRegistryServer.start(0);
                EmbeddedKafkaCluster kafka =
                        EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(32 << 20))) {
            String registry = schemaRegistry.url();
            if (o.warmupFrames() > 0) {
                List<byte[]> warmup = new ArrayList<>(o.warmupFrames());
                for (int i = 0; i < o.warmupFrames(); i++) {
                    warmup.add(jpegs.get(i % jpegs.size()));
                }
                Backlog warm = pipelineRate(o, kafka, registry, state, warmup, "bench-warmup");
                out.printf(
                        Locale.ROOT,
                        "%-52s %10.1f frames/s (JIT %.2f cores)%n",
                        "pipeline warm-up, " + o.warmupFrames() + " frames (untimed)",
                        warm.framesPerSecond(),
                        warm.jitCores());
            }
            Backlog backlog = pipelineRate(o, kafka, registry, state, jpegs, "bench-backlog");
            Rate engineAfter = engineRate(o, jpegs);
            // Half of the slowest of the three timings: on a shared machine whose speed drifts, half of (b)
            // alone has offered more than the engine could run at that moment, and measured a backlog.
            double offered = Math.min(
                            backlog.framesPerSecond(),
                            Math.min(engineBefore.framesPerSecond(), engineAfter.framesPerSecond()))
                    / 2;
            Latencies latencies = latencyAtLoad(o, kafka, registry, state, offered);
            Report report = new Report(
                    (engineBefore.framesPerSecond() + engineAfter.framesPerSecond()) / 2,
                    engineBefore.framesPerSecond(),
                    engineAfter.framesPerSecond(),
                    backlog.framesPerSecond(),
                    engineBefore.jitCores(),
                    backlog.jitCores(),
                    engineAfter.jitCores(),
                    backlog.batchSizes(),
                    offered,
                    latencies.percentile(LatencyTail.Sample::endToEndMs, 50),
                    latencies.percentile(LatencyTail.Sample::endToEndMs, 99),
                    latencies.percentile(LatencyTail.Sample::queueMs, 50),
                    latencies.percentile(LatencyTail.Sample::queueMs, 99),
                    latencies.percentile(LatencyTail.Sample::inferenceMs, 50),
                    latencies.percentile(LatencyTail.Sample::inferenceMs, 99),
                    decode[0],
                    decode[1],
                    backlog.changelogBytesPerFrame(),
                    backlog.predictions(),
                    latencies.tail());
            print(report, out);
            out.println(Machine.loadAverage("load average at end"));
            return report;
        } finally {
            ScratchDirectories.delete(state);
        }
    }

    static List<byte[]> jpegs(Options o) {
        SyntheticScenes scenes = new SyntheticScenes(SceneConfig.defaults(o.frameWidth(), o.frameHeight()), 11);
        List<byte[]> out = new ArrayList<>(o.frames());
        for (int i = 0; i < o.frames(); i++) {
            out.add(ImageEncoder.jpeg(scenes.scene(i).image(), 90));
        }
        return out;
    }

    /** JPEG decode frames/s and decode + preprocess frames/s, one thread. */
    private static double[] decodeRates(Options o, List<byte[]> jpegs) throws IOException, ImageDecodeException {
        ImageDecoder decoder = new ImageDecoder(DecodeLimits.defaults());
        Preprocessor preprocessor;
        try (InferenceEngine engine = open(o)) {
            preprocessor = new Preprocessor(engine.info().preprocess());
        }
        return DecodeBenchmark.rates(jpegs, decoder, preprocessor);
    }

    /**
     * The engine alone: every frame preprocessed beforehand, batches of {@code batchSize} back to back,
     * taken in turn by {@code workers} threads that each call the engine (as the pipeline's inference
     * workers do).
     */
    private record Rate(double framesPerSecond, double jitCores) {}

    private static Rate engineRate(Options o, List<byte[]> jpegs) throws Exception {
        try (InferenceEngine engine = open(o)) {
            Preprocessor preprocessor = new Preprocessor(engine.info().preprocess());
            ImageDecoder decoder = new ImageDecoder(DecodeLimits.defaults());
            int fpi = preprocessor.floatsPerImage();
            int batches = jpegs.size() / o.batchSize();
            List<float[]> inputs = new ArrayList<>(batches);
            for (int b = 0; b < batches; b++) {
                float[] batch = new float[o.batchSize() * fpi];
                for (int i = 0; i < o.batchSize(); i++) {
                    DecodedImage image = decoder.decode(jpegs.get(b * o.batchSize() + i));
                    preprocessor.preprocess(image, batch, i * fpi);
                }
                inputs.add(batch);
            }
            int intraOp = InferenceEngines.intraOpThreads();
            ExecutorService workers = Executors.newFixedThreadPool(o.workers());
            try {
                // One untimed pass over every batch (each worker's first libtorch calls included), then the
                // timed one.
                passOver(inputs, engine, workers, intraOp, o);
                Machine.JitReading jitBefore = Machine.JitReading.now();
                double seconds = passOver(inputs, engine, workers, intraOp, o);
                return new Rate(
                        batches * o.batchSize() / seconds,
                        Machine.JitReading.now().coresSince(jitBefore));
            } finally {
                workers.shutdownNow();
            }
        }
    }

    /** Seconds for {@code workers} threads to run every batch of {@code inputs} once, batches taken in turn. */
    private static double passOver(
            List<float[]> inputs, InferenceEngine engine, ExecutorService workers, int intraOp, Options o)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> running = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int w = 0; w < o.workers(); w++) {
            running.add(workers.submit(() -> {
                InferenceEngines.setIntraOpThreads(intraOp);
                for (int b = next.getAndIncrement(); b < inputs.size(); b = next.getAndIncrement()) {
                    engine.infer(inputs.get(b), o.batchSize());
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        return seconds(System.nanoTime() - t0);
    }

    private record Backlog(
            double framesPerSecond,
            Map<Integer, Integer> batchSizes,
            double changelogBytesPerFrame,
            long predictions,
            double jitCores) {}

    /** The whole pipeline on a backlog produced before the processor starts. */
    private static Backlog pipelineRate(
            Options o, EmbeddedKafkaCluster kafka, String registry, Path state, List<byte[]> jpegs, String app)
            throws Exception {
        VisionConfig config = config(o, kafka, registry, state, app);
        // Topics first, then the backlog, then the processor: it starts with every frame waiting.
        createTopics(o, kafka, config);
        sendFrames(o, kafka, registry, config, jpegs);
        Map<Integer, Integer> sizes = new TreeMap<>();
        long started;
        long last = 0;
        Machine.JitReading jitAtStart;
        Machine.JitReading jitAtLast = null;
        long seen = 0;
        try (ProcessorInstance processor = ProcessorInstance.start(config);
                var consumer = predictionsConsumer(kafka, config)) {
            if (!processor.awaitRunning(Duration.ofMinutes(2))) {
                throw new IllegalStateException("the processor did not start: " + processor.state());
            }
            // The clock starts when the tasks are assigned, not at the first prediction: with a small
            // backlog, the whole of it can arrive in the first committed transaction.
            jitAtStart = Machine.JitReading.now();
            started = jitAtStart.nanos();
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            var predictions = AvroSerdes.specific(Prediction.class, Map.of("schema.registry.url", registry), false)
                    .deserializer();
            while (seen < jpegs.size() && System.nanoTime() < deadline && processor.failure() == null) {
                var records = consumer.poll(Duration.ofMillis(100));
                if (!records.isEmpty()) {
                    jitAtLast = Machine.JitReading.now();
                }
                for (var record : records) {
                    Prediction p = predictions.deserialize(record.topic(), record.value());
                    last = System.nanoTime();
                    seen++;
                    Integer size = p.getLineage().getBatchSize();
                    if (size != null) {
                        sizes.merge(size, 1, Integer::sum);
                    }
                }
            }
            if (processor.failure() != null) {
                throw new IllegalStateException("the processor failed during the benchmark", processor.failure());
            }
            if (seen < jpegs.size()) {
                // A run cut short would print figures of a pipeline that did not finish its backlog.
                throw new IllegalStateException(app + ": " + seen + " of " + jpegs.size()
                        + " predictions within 30 minutes; no figures from an unfinished run");
            }
        }
        double fps = seen > 0 ? seen / seconds(last - started) : 0;
        double changelogBytes = changelogBytes(kafka, config);
        double jitCores = jitAtLast != null ? jitAtLast.coresSince(jitAtStart) : Double.NaN;
        return new Backlog(fps, sizes, changelogBytes / Math.max(1, seen), seen, jitCores);
    }

    /** Creates the application's topics with {@code o.partitions()} partitions, as the processor would. */
    static void createTopics(Options o, EmbeddedKafkaCluster kafka, VisionConfig config) {
        try (Admin admin = kafka.admin()) {
            var t = config.topics();
            TopicSetup.ensure(
                    admin,
                    new TopicSetup.Plan(
                            t.input(),
                            t.deadLetters(),
                            List.of(t.predictions(), t.embeddings(), t.masks()),
                            o.partitions(),
                            (short) 1),
                    new FrameSizing(config.maxFrameBytes()));
        }
    }

    /** A JPEG frame of {@code camera} captured now, as the benchmarks' producers send it. */
    static Frame jpegFrame(String camera, long sequence, int width, int height, byte[] jpeg) {
        return Frame.newBuilder()
                .setSourceId(camera)
                .setSequence(sequence)
                .setCaptureTime(Instant.now())
                .setEncoding(ImageEncoding.JPEG)
                .setWidth(width)
                .setHeight(height)
                .setImage(ByteBuffer.wrap(jpeg))
                .setMetadata(null)
                .build();
    }

    /** Produces {@code jpegs} as frames of {@code o.cameras()} sources, keyed by source, and flushes. */
    static void sendFrames(
            Options o, EmbeddedKafkaCluster kafka, String registry, VisionConfig config, List<byte[]> jpegs) {
        Serializer<Frame> frames = AvroSerdes.specific(Frame.class, Map.of("schema.registry.url", registry), false)
                .serializer();
        try (var producer = producer(kafka, config)) {
            for (int i = 0; i < jpegs.size(); i++) {
                String camera = "cam-" + (i % o.cameras());
                Frame frame = jpegFrame(camera, i / o.cameras(), o.frameWidth(), o.frameHeight(), jpegs.get(i));
                producer.send(new ProducerRecord<>(
                        config.topics().input(),
                        camera.getBytes(StandardCharsets.UTF_8),
                        frames.serialize(config.topics().input(), frame)));
            }
            producer.flush();
        }
    }

    /**
     * Per prediction at the offered load, in ms: end to end (capture to publication), the frame's queue
     * (arrival at the processor to the close of its batch) and its batch's inference time, with the split
     * of the tail (see {@link LatencyTail}) over the frames captured after the first quarter of the run
     * (at most 5 s), which the new application spends being assigned its tasks.
     */
    private record Latencies(List<LatencyTail.Sample> all, LatencyTail.Split tail) {

        /** Nearest-rank percentile of one timing over the whole run; NaN values (no inference) left out. */
        double percentile(ToDoubleFunction<LatencyTail.Sample> timing, double p) {
            return LatencyTail.percentile(
                    all.stream()
                            .mapToDouble(timing)
                            .filter(v -> !Double.isNaN(v))
                            .toArray(),
                    p);
        }
    }

    /** Latencies of frames offered at {@code framesPerSecond} by synthetic cameras. */
    private static Latencies latencyAtLoad(
            Options o, EmbeddedKafkaCluster kafka, String registry, Path state, double framesPerSecond)
            throws Exception {
        VisionConfig config = config(o, kafka, registry, state, "bench-latency");
        List<LatencyTail.Sample> samples = new ArrayList<>();
        var predictions = AvroSerdes.specific(Prediction.class, Map.of("schema.registry.url", registry), false)
                .deserializer();
        long settleMs = Math.min(5_000, o.latencyRun().toMillis() / 4);
        long windowStartMs;
        Machine.JitReading jitAtStart;
        Machine.JitReading jitAtEnd;
        List<LatencyTail.Pause> pauses;
        try (ProcessorInstance processor = ProcessorInstance.start(config);
                var consumer = predictionsConsumer(kafka, config);
                var producer = producer(kafka, config);
                LatencyTail.Pauses gc = new LatencyTail.Pauses()) {
            processor.awaitRunning(Duration.ofSeconds(120));
            CameraFleet fleet = CameraFleet.start(
                    o.cameras(),
                    Math.max(0.1, framesPerSecond / o.cameras()),
                    SceneConfig.defaults(o.frameWidth(), o.frameHeight()),
                    7,
                    config.topics().input(),
                    producer,
                    AvroSerdes.specific(Frame.class, Map.of("schema.registry.url", registry), false)
                            .serializer(),
                    shot -> {});
            windowStartMs = System.currentTimeMillis() + settleMs;
            long end = System.nanoTime() + o.latencyRun().toNanos();
            jitAtStart = null;
            while (System.nanoTime() < end) {
                if (jitAtStart == null && System.currentTimeMillis() >= windowStartMs) {
                    jitAtStart = Machine.JitReading.now();
                }
                poll(consumer, predictions, samples);
            }
            fleet.close();
            producer.flush();
            long drain = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (samples.size() < fleet.sent() && System.nanoTime() < drain) {
                poll(consumer, predictions, samples);
            }
            jitAtEnd = Machine.JitReading.now();
            pauses = gc.snapshot();
        }
        List<LatencyTail.Sample> settled =
                samples.stream().filter(s -> s.captureMs() >= windowStartMs).toList();
        long lastCaptureMs = settled.stream()
                .mapToLong(s -> s.captureMs() + (long) s.endToEndMs())
                .max()
                .orElse(windowStartMs);
        List<LatencyTail.Pause> inWindow = pauses.stream()
                .filter(p -> p.startMs() + p.durationMs() > windowStartMs && p.startMs() < lastCaptureMs)
                .toList();
        LatencyTail.Split tail = settled.isEmpty()
                ? null
                : LatencyTail.of(
                        settled,
                        inWindow,
                        (lastCaptureMs - windowStartMs) / 1e3,
                        jitAtStart == null ? Double.NaN : jitAtEnd.coresSince(jitAtStart));
        return new Latencies(samples, tail);
    }

    private static void poll(
            KafkaConsumer<byte[], byte[]> consumer,
            Deserializer<Prediction> predictions,
            List<LatencyTail.Sample> samples) {
        var records = consumer.poll(Duration.ofMillis(100));
        long seenAt = System.currentTimeMillis();
        records.forEach(r -> {
            Prediction p = predictions.deserialize(r.topic(), r.value());
            long capture = p.getCaptureTime().toEpochMilli();
            Double inference = p.getTimings().getInferenceMs();
            Integer size = p.getLineage().getBatchSize();
            samples.add(new LatencyTail.Sample(
                    capture,
                    p.getTimings().getEndToEndMs(),
                    seenAt - capture,
                    p.getTimings().getQueueMs(),
                    inference == null ? Double.NaN : inference,
                    size == null ? 0 : size));
        });
    }

    static VisionConfig config(Options o, EmbeddedKafkaCluster kafka, String registry, Path state, String app) {
        Map<String, String> s = new HashMap<>();
        s.put("bootstrap.servers", kafka.bootstrapServers());
        s.put("schema.registry.url", registry);
        s.put("model.dir", o.modelDir().toString());
        s.put("application.id", app);
        // The same intra-op threads and workers as the engine part ran with.
        s.put("inference.threads", String.valueOf(InferenceEngines.intraOpThreads()));
        s.put("inference.workers", String.valueOf(o.workers()));
        s.put("input.topic", app + "-frames");
        s.put("predictions.topic", app + "-predictions");
        s.put("embeddings.topic", app + "-embeddings");
        s.put("masks.topic", app + "-masks");
        s.put("dead.letter.topic", app + "-dlq");
        s.put("max.batch.size", String.valueOf(o.batchSize()));
        s.put("max.batch.delay.ms", String.valueOf(o.batchDelayMs()));
        s.put("topics.partitions", String.valueOf(o.partitions()));
        s.put("state.dir", state.toString());
        s.put("device", "cpu");
        return VisionConfig.from(s);
    }

    static KafkaProducer<byte[], byte[]> producer(EmbeddedKafkaCluster kafka, VisionConfig config) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putAll(new FrameSizing(config.maxFrameBytes()).frameProducerOverrides());
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static KafkaConsumer<byte[], byte[]> predictionsConsumer(EmbeddedKafkaCluster kafka, VisionConfig config) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(config.topics().predictions()));
        return consumer;
    }

    /** Bytes on the broker's disk for the pending-frames changelog of this application. */
    private static double changelogBytes(EmbeddedKafkaCluster kafka, VisionConfig config)
            throws ExecutionException, InterruptedException {
        return topicBytes(
                kafka,
                config.applicationId() + "-" + io.visionstream.topology.processing.VisionTopology.PENDING_STORE
                        + "-changelog");
    }

    /** Bytes on the brokers' disks for every partition and replica of {@code topic} (0 for no such topic). */
    static long topicBytes(EmbeddedKafkaCluster kafka, String topic) throws ExecutionException, InterruptedException {
        try (Admin admin = kafka.admin()) {
            var brokers = admin.describeCluster().nodes().get().stream()
                    .map(n -> n.id())
                    .toList();
            long bytes = 0;
            for (var perBroker :
                    admin.describeLogDirs(brokers).allDescriptions().get().values()) {
                for (var dir : perBroker.values()) {
                    for (var replica : dir.replicaInfos().entrySet()) {
                        if (replica.getKey().topic().equals(topic)) {
                            bytes += replica.getValue().size();
                        }
                    }
                }
            }
            return bytes;
        }
    }

    private static InferenceEngine open(Options o) throws IOException {
        return InferenceEngines.open(o.modelDir(), EngineOptions.defaults().withDevice("cpu"));
    }

    static double seconds(long nanos) {
        return Math.max(1e-9, nanos / 1e9);
    }

    private static void print(Report r, PrintStream out) {
        out.printf(
                Locale.ROOT,
                "%-52s %10.1f frames/s (%.1f before (b), %.1f after)%n",
                "(a) engine alone, pre-made batches, mean",
                r.engineFramesPerSecond(),
                r.engineBeforeFramesPerSecond(),
                r.engineAfterFramesPerSecond());
        out.printf(
                Locale.ROOT,
                "%-52s %10.1f frames/s%n",
                "(b) whole pipeline, backlog through Kafka",
                r.pipelineFramesPerSecond());
        out.printf(
                Locale.ROOT,
                "%-52s %10.2f%n",
                "ratio (b)/(a)",
                r.pipelineFramesPerSecond() / r.engineFramesPerSecond());
        out.printf(
                Locale.ROOT,
                "%-52s %10.2f / %.2f / %.2f cores%n",
                "JIT compilers during (a) before / (b) / (a) after",
                r.engineBeforeJitCores(),
                r.pipelineJitCores(),
                r.engineAfterJitCores());
        out.printf(Locale.ROOT, "%-52s %s%n", "batch sizes formed (size=frames)", r.batchSizes());
        out.printf(
                Locale.ROOT,
                "%-52s %10.1f frames/s%n",
                "offered load for latency (half the slowest of (a), (b))",
                r.offeredFramesPerSecond());
        out.printf(
                Locale.ROOT,
                "%-52s %10.0f ms / %.0f ms%n",
                "end-to-end latency p50 / p99 at that load",
                r.latencyP50Ms(),
                r.latencyP99Ms());
        out.printf(
                Locale.ROOT,
                "%-52s %10.0f ms / %.0f ms%n",
                "  of it: queue to batch start, p50 / p99",
                r.queueP50Ms(),
                r.queueP99Ms());
        out.printf(
                Locale.ROOT,
                "%-52s %10.0f ms / %.0f ms%n",
                "  of it: the batch's inference, p50 / p99",
                r.batchInferenceP50Ms(),
                r.batchInferenceP99Ms());
        if (r.latencyTail() != null) {
            LatencyTail.print(r.latencyTail(), out);
        }
        out.printf(Locale.ROOT, "%-52s %10.1f frames/s%n", "JPEG decode, one core", r.decodeFramesPerSecond());
        out.printf(
                Locale.ROOT,
                "%-52s %10.1f frames/s%n",
                "JPEG decode + preprocess, one core",
                r.decodeAndPreprocessFramesPerSecond());
        out.printf(
                Locale.ROOT,
                "%-52s %10.0f bytes%n",
                "changelog bytes written per frame (pending store)",
                r.changelogBytesPerFrame());
    }
}
