package io.visionstream.topology.demo;

import io.visionstream.inference.synthetic.SceneConfig;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.topology.cameras.CameraFleet;
import io.visionstream.topology.cameras.SyntheticCamera;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.embedded.EmbeddedKafkaCluster;
import io.visionstream.topology.runtime.VisionProcessor;
import io.visionstream.topology.topics.FrameSizing;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
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
    public record Options(
            Path modelDir,
            Duration duration,
            int cameras,
            double fps,
            int frameWidth,
            int frameHeight,
            int partitions,
            Duration drainTimeout,
            Map<String, String> processorSettings) {}

    private Demo() {}

    /**
     * Runs the demo, printing a status line every second and the summary at the end.
     *
     * @return true if every frame sent came out as exactly one outcome and nothing failed
     */
    public static boolean run(Options options, PrintStream out, boolean terminal) throws Exception {
        String registry = "mock://demo-" + UUID.randomUUID();
        DemoStats stats = new DemoStats();
        try (EmbeddedKafkaCluster kafka =
                EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(32 << 20))) {
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

            try (VisionProcessor processor = VisionProcessor.start(config)) {
                if (!processor.awaitRunning(Duration.ofSeconds(120))) {
                    throw new IllegalStateException(
                            "the processor did not start: " + processor.state(), processor.failure());
                }
                AtomicBoolean reading = new AtomicBoolean(true);
                Thread reader = new Thread(() -> readOutputs(kafka, config, registry, stats, reading), "demo-outputs");
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
                            shot -> stats.sent(
                                    shot.frame().getSourceId(),
                                    shot.frame().getSequence(),
                                    Integer.parseInt(shot.frame().getMetadata().get(SyntheticCamera.TRUTH_LABEL))));
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
                boolean accounted = stats.outcomes() == stats.sent();
                out.println(accounted ? "every frame accounted for" : "MISMATCH: frames in != outcomes out");
                return clean && accounted;
            }
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

    private static void readOutputs(
            EmbeddedKafkaCluster kafka, VisionConfig config, String registry, DemoStats stats, AtomicBoolean reading) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "demo-reader");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putAll(new FrameSizing(config.maxFrameBytes()).consumerOverrides());
        var predictions = AvroSerdes.specific(Prediction.class, Map.of("schema.registry.url", registry), false)
                .deserializer();
        String predictionsTopic = config.topics().predictions();
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(predictionsTopic, config.topics().deadLetters()));
            while (reading.get()) {
                for (var record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.topic().equals(predictionsTopic)) {
                        stats.prediction(predictions.deserialize(record.topic(), record.value()));
                    } else {
                        stats.deadLetter();
                    }
                }
            }
        }
    }
}
