package io.visionstream.app.demo;

import io.visionstream.app.cameras.CameraFleet;
import io.visionstream.app.cameras.SyntheticCamera;
import io.visionstream.app.view.OverlayRenderer;
import io.visionstream.app.view.Viewer;
import io.visionstream.inference.image.DecodeLimits;
import io.visionstream.inference.image.DecodedImage;
import io.visionstream.inference.image.ImageDecodeException;
import io.visionstream.inference.image.ImageEncoder;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.avro.PredictionStatus;
import io.visionstream.schemas.avro.SegmentationMask;
import io.visionstream.schemas.registry.LocalSchemaRegistryServer;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.testkit.ScratchDirectories;
import io.visionstream.topology.config.ClientSettings;
import io.visionstream.topology.config.ConfigException;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.runtime.Monitoring;
import io.visionstream.topology.runtime.ProcessorInstance;
import io.visionstream.topology.topics.FrameSizing;
import io.visionstream.training.synthetic.SceneConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The embedded default: a real Kafka broker in this JVM, the processor with a model directory, N
 * synthetic cameras, and a reader of the output topics that scores predictions against the cameras'
 * ground truth.
 */
public final class Demo {

    /**
     * @param processorSettings settings for the processor on top of the demo's own (e.g. max.batch.size)
     */
    /**
     * @param overlaysDir where to write overlays of every 10th frame per camera, or null for none
     * @param viewPort the live viewer's port: 0 for any free one, -1 for no viewer
     */
    public record Options(
            Path modelDir,
            Duration duration,
            int cameras,
            double fps,
            int frameWidth,
            int frameHeight,
            int partitions,
            Duration drainTimeout,
            Map<String, String> processorSettings,
            Path overlaysDir,
            int viewPort) {}

    /** Every this-many-th frame of each camera is written as an overlay with --out. */
    static final int OVERLAY_EVERY = 10;

    private static final OverlayRenderer OVERLAYS = OverlayRenderer.standard();

    private Demo() {}

    /**
     * Runs the demo, printing a status line every second and the summary at the end.
     *
     * @return true if every frame sent came out as exactly one outcome and nothing failed
     */
    public static boolean run(Options options, PrintStream out, boolean terminal) throws Exception {
        DemoStats stats = new DemoStats();
        // A schema registry speaking Confluent's REST API on loopback: the same client and wire format as
        // a deployment, not the in-process mock.
        try (LocalSchemaRegistryServer schemaRegistry = LocalSchemaRegistryServer.start(0);
                EmbeddedKafkaCluster kafka =
                        EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(32 << 20))) {
            String registry = schemaRegistry.url();
            Map<String, String> settings = new HashMap<>();
            settings.put("bootstrap.servers", kafka.bootstrapServers());
            settings.put("schema.registry.url", registry);
            settings.put("model.dir", options.modelDir().toString());
            settings.put("application.id", "vision-demo");
            settings.put("topics.partitions", String.valueOf(options.partitions()));
            settings.put(
                    "state.dir", Files.createTempDirectory("vision-demo-state").toString());
            settings.putAll(options.processorSettings());
            VisionConfig config = VisionConfig.from(settings);

            // The viewer and the metrics endpoints first: a port in use stops the demo before the model
            // loads, and the viewer is reading when the cameras start.
            try (Viewer viewer = startViewer(options, settings, config);
                    Monitoring monitoring = monitoring(config, options, out);
                    ProcessorInstance processor = ProcessorInstance.start(config, monitoring)) {
                // where an outside client (a consumer, another language's serde) finds the demo's stream
                out.println("kafka: " + kafka.bootstrapServers() + " (topics: "
                        + config.topics().input() + " in; "
                        + config.topics().predictions() + ", " + config.topics().embeddings() + ", "
                        + config.topics().masks() + ", " + config.topics().deadLetters() + " out)");
                out.println("schema registry: " + registry);
                if (viewer != null) {
                    out.println("viewer: " + viewer.url());
                }
                if (!processor.awaitRunning(Duration.ofSeconds(120))) {
                    throw new IllegalStateException(
                            "the processor did not start: " + processor.state(), processor.failure());
                }
                AtomicBoolean reading = new AtomicBoolean(true);
                Map<String, PendingOverlay> toDraw = new ConcurrentHashMap<>();
                if (options.overlaysDir() != null) {
                    Files.createDirectories(options.overlaysDir());
                }
                Thread reader = new Thread(
                        () -> readOutputs(kafka, config, registry, stats, reading, toDraw, options.overlaysDir()),
                        "demo-outputs");
                reader.setDaemon(true);
                reader.start();

                Properties producerProps = new Properties();
                producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
                producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                producerProps.putAll(new FrameSizing(config.maxFrameBytes()).frameProducerOverrides());
                CameraFleet fleet;
                try (var producer =
                        new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
                    fleet = CameraFleet.start(
                            options.cameras(),
                            options.fps(),
                            SceneConfig.defaults(options.frameWidth(), options.frameHeight()),
                            42,
                            config.topics().input(),
                            producer,
                            AvroSerdes.specific(Frame.class, Map.of("schema.registry.url", registry), false)
                                    .serializer(),
                            shot -> {
                                stats.sent(
                                        shot.frame().getSourceId(),
                                        shot.frame().getSequence(),
                                        Integer.parseInt(
                                                shot.frame().getMetadata().get(SyntheticCamera.TRUTH_LABEL)),
                                        shot.scene().mask());
                                if (options.overlaysDir() != null
                                        && shot.frame().getSequence() % OVERLAY_EVERY == 0) {
                                    toDraw.put(
                                            key(
                                                    shot.frame().getSourceId(),
                                                    shot.frame().getSequence()),
                                            new PendingOverlay(shot.scene().image()));
                                }
                            });
                    long end = System.nanoTime() + options.duration().toNanos();
                    while (System.nanoTime() < end && processor.failure() == null && fleet.failure() == null) {
                        Thread.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                        status(out, terminal, stats.statusLine());
                    }
                    fleet.close();
                    producer.flush();
                }
                long drainEnd = System.nanoTime() + options.drainTimeout().toNanos();
                while (stats.outcomes() < stats.sent() && System.nanoTime() < drainEnd && processor.failure() == null) {
                    Thread.sleep(200);
                }
                Thread.sleep(500); // a duplicate, were there one, would arrive now
                status(out, terminal, stats.statusLine());
                if (terminal) {
                    out.println();
                }
                reading.set(false);
                reader.join(5000);
                out.println(stats.summary());
                boolean clean = processor.failure() == null && fleet.failure() == null;
                if (!clean) {
                    out.println("FAILED: " + (processor.failure() != null ? processor.failure() : fleet.failure()));
                }
                boolean viewed = viewer == null || viewer.failure() == null;
                if (!viewed) {
                    out.println("FAILED: the viewer stopped: " + viewer.failure());
                }
                boolean accounted = stats.outcomes() == stats.sent();
                out.println(accounted ? "every frame accounted for" : "MISMATCH: frames in != outcomes out");
                return clean && viewed && accounted;
            } finally {
                config.stateDir().ifPresent(ScratchDirectories::delete);
            }
        }
    }

    /**
     * The metrics endpoints on {@code metrics.port}; unless the port was asked for, a free one when 9464 is
     * taken (another demo, a processor), so that a second demo still starts. Prints the URL.
     */
    private static Monitoring monitoring(VisionConfig config, Options options, PrintStream out) {
        Monitoring monitoring;
        try {
            monitoring = Monitoring.start(config.metrics());
        } catch (ConfigException taken) {
            if (options.processorSettings().containsKey("metrics.port")) {
                throw taken;
            }
            out.println(taken.getMessage() + "; serving metrics on a free port instead");
            VisionConfig.Metrics m = config.metrics();
            monitoring = Monitoring.start(new VisionConfig.Metrics(0, m.camerasEnabled(), m.camerasMax()));
        }
        monitoring
                .metricsUrl()
                .ifPresent(url -> out.println("metrics: " + url + " (health: /healthz, readiness: /readyz)"));
        return monitoring;
    }

    /** The live viewer on {@code options.viewPort()}; null when that is -1. */
    private static Viewer startViewer(Options options, Map<String, String> settings, VisionConfig config) {
        if (options.viewPort() < 0) {
            return null;
        }
        return Viewer.start(
                ClientSettings.from(settings),
                config.masksEnabled(),
                new Viewer.Options("0.0.0.0", options.viewPort(), "--view-port", 64));
    }

    /** A frame picked for {@code --out}, waiting for its prediction and its mask; the reader thread's. */
    private static final class PendingOverlay {
        final DecodedImage image;
        Prediction prediction;
        SegmentationMask mask;
        byte[] classes;

        PendingOverlay(DecodedImage image) {
            this.image = image;
        }
    }

    private static void scoreMask(
            SegmentationMask mask, DemoStats stats, Map<String, PendingOverlay> toDraw, Path overlaysDir) {
        byte[] classes;
        try {
            classes = ImageEncoder.decodeMask(mask.getMaskPng().array(), DecodeLimits.defaults());
        } catch (ImageDecodeException e) {
            throw new IllegalStateException(
                    "the processor published an unreadable mask for " + mask.getSourceId() + " #" + mask.getSequence()
                            + ": " + e.getMessage(),
                    e);
        }
        stats.mask(
                mask.getSourceId(),
                mask.getSequence(),
                classes,
                mask.getClassNames().size());
        PendingOverlay overlay = toDraw.get(key(mask.getSourceId(), mask.getSequence()));
        if (overlay != null) {
            overlay.mask = mask;
            overlay.classes = classes;
            writeOverlayWhenComplete(overlay, toDraw, overlaysDir);
        }
    }

    private static void drawPrediction(Prediction prediction, Map<String, PendingOverlay> toDraw, Path overlaysDir) {
        String key = key(prediction.getSourceId(), prediction.getSequence());
        PendingOverlay overlay = toDraw.get(key);
        if (overlay == null) {
            return;
        }
        if (prediction.getStatus() != PredictionStatus.OK) {
            toDraw.remove(key); // skipped: no mask is coming
            return;
        }
        overlay.prediction = prediction;
        writeOverlayWhenComplete(overlay, toDraw, overlaysDir);
    }

    /** Writes the overlay, drawn as the live viewer draws it, once both the prediction and the mask came. */
    private static void writeOverlayWhenComplete(
            PendingOverlay overlay, Map<String, PendingOverlay> toDraw, Path overlaysDir) {
        if (overlay.prediction == null || overlay.mask == null) {
            return;
        }
        SegmentationMask mask = overlay.mask;
        toDraw.remove(key(mask.getSourceId(), mask.getSequence()));
        Path file = overlaysDir.resolve(
                String.format(java.util.Locale.ROOT, "%s-%06d.png", mask.getSourceId(), mask.getSequence()));
        try {
            Files.write(
                    file,
                    OVERLAYS.png(
                            overlay.image,
                            overlay.classes,
                            mask.getWidth(),
                            mask.getHeight(),
                            OverlayRenderer.caption(overlay.prediction)));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write overlay " + file, e);
        }
    }

    private static void status(PrintStream out, boolean terminal, String line) {
        if (terminal) {
            out.print("\r" + line);
        } else {
            out.println(line);
        }
        out.flush();
    }

    private static String key(String source, long sequence) {
        return source + "#" + sequence;
    }

    private static void readOutputs(
            EmbeddedKafkaCluster kafka,
            VisionConfig config,
            String registry,
            DemoStats stats,
            AtomicBoolean reading,
            Map<String, PendingOverlay> toDraw,
            Path overlaysDir) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "demo-reader");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putAll(new FrameSizing(config.maxFrameBytes()).consumerOverrides());
        var predictions = AvroSerdes.specific(Prediction.class, Map.of("schema.registry.url", registry), false)
                .deserializer();
        var masks = AvroSerdes.specific(SegmentationMask.class, Map.of("schema.registry.url", registry), false)
                .deserializer();
        String predictionsTopic = config.topics().predictions();
        String masksTopic = config.topics().masks();
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(
                    List.of(predictionsTopic, masksTopic, config.topics().deadLetters()));
            while (reading.get()) {
                for (var record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.topic().equals(predictionsTopic)) {
                        Prediction prediction = predictions.deserialize(record.topic(), record.value());
                        stats.prediction(prediction);
                        if (overlaysDir != null) {
                            drawPrediction(prediction, toDraw, overlaysDir);
                        }
                    } else if (record.topic().equals(masksTopic)) {
                        scoreMask(masks.deserialize(record.topic(), record.value()), stats, toDraw, overlaysDir);
                    } else {
                        stats.deadLetter();
                    }
                }
            }
        }
    }
}
