package io.visionstream.topology.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.visionstream.schemas.avro.FailureStage;
import io.visionstream.schemas.avro.PredictionStatus;
import io.visionstream.topology.batching.BatchInfo;
import io.visionstream.topology.batching.MicroBatcher;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The processor's meters, in Micrometer's dotted names; a Prometheus registry exposes them as {@code
 * visionstream_*} with base units (seconds, bytes) and {@code _total} on counters. Label values are fixed
 * sets registered here, except {@code camera}, which is capped at {@code metrics.cameras.max}.
 *
 * <p>Thread-safe: stream threads and inference workers record concurrently.
 */
public final class VisionMetrics implements MicroBatcher.Listener {

    /** Label of every camera past {@code metrics.cameras.max}. */
    public static final String OTHER_CAMERA = "other";

    /** Buckets of the latency histograms: 1 ms to 60 s, roughly 1-2.5-5 per decade. */
    static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMillis(1),
        Duration.ofMillis(2),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofSeconds(60)
    };

    /** Buckets of the batch-size histogram: powers of two up to {@code max.batch.size}'s limit. */
    static final double[] BATCH_SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};

    private final MeterRegistry registry;
    private final boolean camerasEnabled;
    private final int camerasMax;

    private final Counter framesReceived;
    private final Counter ok;
    private final Counter deadLetters;
    private final Map<PredictionStatus, Counter> skipped = new EnumMap<>(PredictionStatus.class);
    private final Map<FailureStage, Counter> deadLettersByStage = new EnumMap<>(FailureStage.class);
    private final Map<BatchInfo.Trigger, Counter> batches = new EnumMap<>(BatchInfo.Trigger.class);
    private final DistributionSummary batchSize;
    private final Timer frameQueue;
    private final Timer batchInference;
    private final Timer endToEnd;
    private final AtomicLong pendingFrames = new AtomicLong();
    private final AtomicLong inflightBatches = new AtomicLong();

    private final ConcurrentHashMap<String, Camera> cameras = new ConcurrentHashMap<>();
    /** Set once {@code camerasMax} cameras have their own label: later ones go straight to "other". */
    private volatile boolean camerasFull;

    private volatile Camera other;

    /**
     * Registers every meter whose label values are known.
     *
     * @param camerasEnabled whether to count frames per camera
     * @param camerasMax distinct cameras labelled by name before the rest count as {@link #OTHER_CAMERA}
     */
    public VisionMetrics(MeterRegistry registry, boolean camerasEnabled, int camerasMax) {
        this.registry = Objects.requireNonNull(registry, "registry");
        if (camerasMax < 1) {
            throw new IllegalArgumentException("metrics.cameras.max must be at least 1, got " + camerasMax);
        }
        this.camerasEnabled = camerasEnabled;
        this.camerasMax = camerasMax;

        framesReceived = Counter.builder("visionstream.frames.received")
                .description("Records read from the input topic")
                .register(registry);
        String outcomesHelp = "Outcomes published, one per input record: ok (the model ran), skipped_stale"
                + " (too old on arrival), dead_letter";
        ok = Counter.builder("visionstream.outcomes")
                .description(outcomesHelp)
                .tag("outcome", "ok")
                .register(registry);
        deadLetters = Counter.builder("visionstream.outcomes")
                .description(outcomesHelp)
                .tag("outcome", "dead_letter")
                .register(registry);
        for (PredictionStatus status : PredictionStatus.values()) {
            if (status != PredictionStatus.OK && status != PredictionStatus.UNKNOWN) {
                skipped.put(
                        status,
                        Counter.builder("visionstream.outcomes")
                                .description(outcomesHelp)
                                .tag("outcome", label(status))
                                .register(registry));
            }
        }
        for (FailureStage stage : FailureStage.values()) {
            deadLettersByStage.put(
                    stage,
                    Counter.builder("visionstream.dead.letters")
                            .description("Dead letters published, by the processing stage that rejected the record")
                            .tag("stage", label(stage))
                            .register(registry));
        }
        for (BatchInfo.Trigger trigger : BatchInfo.Trigger.values()) {
            batches.put(
                    trigger,
                    Counter.builder("visionstream.batches")
                            .description("Batches closed, by what closed them: size (max.batch.size reached),"
                                    + " delay (max.batch.delay.ms passed), close (a task was closing)")
                            .tag("trigger", label(trigger))
                            .register(registry));
        }
        batchSize = DistributionSummary.builder("visionstream.batch.size")
                .description("Frames per batch")
                .serviceLevelObjectives(BATCH_SIZE_BUCKETS)
                .register(registry);
        frameQueue = latency(
                "visionstream.frame.queue",
                "Time from a frame's arrival at the processor to the close of its batch",
                registry);
        batchInference = latency(
                "visionstream.batch.inference", "Time the model took for one batch, packing included", registry);
        endToEnd = latency(
                "visionstream.end.to.end",
                "Time from a frame's capture timestamp to its prediction being published (frames the model ran"
                        + " on; frames stamped in the future by a skewed camera clock are not recorded)",
                registry);
        Gauge.builder("visionstream.pending.frames", pendingFrames, AtomicLong::get)
                .description("Frames read and not yet published as an outcome: waiting for a batch, in one, or"
                        + " waiting for an earlier frame of their partition")
                .strongReference(true)
                .register(registry);
        Gauge.builder("visionstream.inflight.batches", inflightBatches, AtomicLong::get)
                .description("Closed batches running or queued for the model, or finished and not yet handed back")
                .strongReference(true)
                .register(registry);
    }

    /** Meters that count nothing anyone can read: for a processor started without monitoring. */
    public static VisionMetrics none() {
        return new VisionMetrics(new CompositeMeterRegistry(), false, 1);
    }

    private static Timer latency(String name, String description, MeterRegistry registry) {
        return Timer.builder(name)
                .description(description)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
    }

    /**
     * {@code visionstream_model_info}, value 1, naming the model served.
     *
     * @param device where the model runs, e.g. {@code cpu()} or {@code gpu(0)}
     */
    public void model(String name, String version, String architecture, String device, String precision) {
        Gauge.builder("visionstream.model.info", () -> 1)
                .description("The model being served; the value is always 1")
                .tags(Tags.of(
                        "model_name", name,
                        "model_version", version,
                        "architecture", architecture,
                        "device", device,
                        "precision", precision))
                .register(registry);
    }

    /**
     * {@code visionstream_device_memory_used_bytes{device}}: memory in use on the model's GPU.
     *
     * @param usedBytes read at each scrape; empty when the driver cannot say (the gauge then reads NaN)
     */
    public void deviceMemory(String device, Supplier<OptionalLong> usedBytes) {
        Objects.requireNonNull(usedBytes, "usedBytes");
        Gauge.builder("visionstream.device.memory.used", () -> {
                    OptionalLong used = usedBytes.get();
                    return used.isPresent() ? used.getAsLong() : Double.NaN;
                })
                .description("Memory in use on the GPU the model runs on, as its driver reports it (all processes)")
                .baseUnit("bytes")
                .tag("device", device)
                .register(registry);
    }

    /** A record was read from the input topic. */
    public void frameReceived() {
        framesReceived.increment();
    }

    /**
     * The model ran on a frame and its prediction is being published.
     *
     * @param queueMs arrival to the close of its batch
     * @param endToEndMs capture timestamp to now; negative (a camera clock ahead of ours) is not recorded
     */
    public void inferred(String camera, long arrivedAtMs, long queueMs, long endToEndMs) {
        ok.increment();
        frameQueue.record(Math.max(0, queueMs), TimeUnit.MILLISECONDS);
        if (endToEndMs >= 0) {
            endToEnd.record(endToEndMs, TimeUnit.MILLISECONDS);
        }
        camera(camera, arrivedAtMs);
    }

    /** A valid frame is being published as skipped, e.g. {@code SKIPPED_STALE}. */
    public void skipped(PredictionStatus status, String camera, long arrivedAtMs) {
        Counter counter = skipped.get(status);
        if (counter == null) {
            throw new IllegalArgumentException("not a skip status: " + status);
        }
        counter.increment();
        camera(camera, arrivedAtMs);
    }

    /** A record is being published as a dead letter. */
    public void deadLetter(FailureStage stage) {
        deadLetters.increment();
        deadLettersByStage.get(stage).increment();
    }

    /** The model took {@code nanos} for one batch. */
    public void batchInference(long nanos) {
        batchInference.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Frames read and not yet published changed by {@code delta}. */
    public void pendingFrames(int delta) {
        pendingFrames.addAndGet(delta);
    }

    @Override
    public void batchClosed(BatchInfo.Trigger trigger, int size) {
        batches.get(trigger).increment();
        batchSize.record(size);
        inflightBatches.incrementAndGet();
    }

    @Override
    public void batchLeft() {
        inflightBatches.decrementAndGet();
    }

    private void camera(String id, long arrivedAtMs) {
        if (camerasEnabled) {
            Camera camera = cameras.get(id);
            if (camera == null) {
                camera = newCamera(id);
            }
            camera.frames.increment();
            camera.lastFrameMs.accumulateAndGet(arrivedAtMs, Math::max);
        }
    }

    /** The slow path: once per camera, and never again once the cap is reached. */
    private Camera newCamera(String id) {
        if (camerasFull) {
            return other();
        }
        synchronized (cameras) {
            Camera camera = cameras.get(id);
            if (camera != null) {
                return camera;
            }
            if (cameras.size() >= camerasMax) {
                camerasFull = true;
                return other();
            }
            camera = new Camera(registry, id);
            cameras.put(id, camera);
            return camera;
        }
    }

    private Camera other() {
        Camera o = other;
        if (o == null) {
            synchronized (cameras) {
                o = other;
                if (o == null) {
                    o = new Camera(registry, OTHER_CAMERA);
                    other = o;
                }
            }
        }
        return o;
    }

    /** Prometheus-style label value of an enum constant: {@code SKIPPED_STALE} is {@code skipped_stale}. */
    static String label(Enum<?> value) {
        if (value == BatchInfo.Trigger.FORCED) {
            return "close";
        }
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** One camera's meters. */
    private static final class Camera {
        final Counter frames;
        final AtomicLong lastFrameMs = new AtomicLong();

        Camera(MeterRegistry registry, String id) {
            frames = Counter.builder("visionstream.camera.frames")
                    .description("Frames of a camera that reached the model or were skipped (a dead letter has"
                            + " no trusted camera); cameras past metrics.cameras.max count as camera other")
                    .tag("camera", id)
                    .register(registry);
            Gauge.builder("visionstream.camera.last.frame.timestamp", lastFrameMs, ms -> ms.get() / 1000.0)
                    .description("When the processor last read a frame of the camera, seconds since the epoch")
                    .baseUnit("seconds")
                    .tag("camera", id)
                    .strongReference(true)
                    .register(registry);
        }
    }
}
