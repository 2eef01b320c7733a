package io.visionstream.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.app.cameras.CameraFleet;
import io.visionstream.app.verify.Verification;
import io.visionstream.app.verify.Verifier;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.registry.LocalSchemaRegistryServer;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.topology.topics.FrameSizing;
import io.visionstream.topology.topics.TopicSetup;
import io.visionstream.training.synthetic.SceneConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The world of one crash scenario, after Kafka's {@code StreamsEosTest}: a broker and a schema registry
 * on loopback in the test JVM, topics made up front, synthetic cameras producing JPEG frames without
 * pause, processor JVMs that the test kills and restarts, a tail of the committed predictions, and the
 * verifier's account at the end.
 *
 * <p>Processors batch up to {@value #BATCH_SIZE} frames and let a batch wait up to {@value
 * #BATCH_DELAY_MS} ms. The cameras' {@value #CAMERAS} x {@value #FPS} frames/s fill a batch in about as
 * long, so an instance that has caught up always has frames waiting in a batch, and each commit (every
 * 100 ms under exactly_once_v2) records their input offsets as consumed while they wait. Those frames
 * live only in the pending-frames store and its changelog: they are what a SIGKILL would lose if the
 * store were not durable. An instance still working through a backlog closes batches by size at once
 * and leaves few such frames, so scenarios kill instances once they have caught up.
 *
 * <p>Not thread-safe: one test drives it.
 */
final class ReliabilityScenario implements AutoCloseable {

    static final int PARTITIONS = 4;

    /** Cameras cam-0 .. cam-7: their keys hash to all four partitions. */
    static final int CAMERAS = 8;

    static final int FPS = 1;
    static final int BATCH_SIZE = 16;
    static final int BATCH_DELAY_MS = 2000;

    /** The tiny timm-layout ViT of the inference module's fixtures: the fastest model to load and run. */
    private static final Path MODEL = Path.of("../inference/src/test/resources/fixtures/vit/tiny")
            .toAbsolutePath()
            .normalize();

    private final String name;
    private final LocalSchemaRegistryServer registry;
    private final EmbeddedKafkaCluster kafka;
    private final Path logDir;
    private final List<ProcessorJvm> processors = new ArrayList<>();
    private final OutputTail tail;
    private KafkaProducer<byte[], byte[]> producer;
    private CameraFleet cameras;

    private ReliabilityScenario(
            String name, LocalSchemaRegistryServer registry, EmbeddedKafkaCluster kafka, Path logDir) {
        this.name = name;
        this.registry = registry;
        this.kafka = kafka;
        this.logDir = logDir;
        this.tail = new OutputTail(kafka.bootstrapServers(), registry.url(), predictionsTopic());
    }

    /**
     * Starts a registry and a one-broker cluster and creates the topics, {@value #PARTITIONS} partitions
     * each. Logs of its processors go to {@code target/reliability/<name>/}.
     */
    static ReliabilityScenario start(String name) throws IOException {
        Path logDir = Path.of("target", "reliability", name);
        deleteRecursively(logDir); // logs and state of an earlier run
        LocalSchemaRegistryServer registry = LocalSchemaRegistryServer.start(0);
        EmbeddedKafkaCluster kafka;
        try {
            kafka = EmbeddedKafkaCluster.start(new EmbeddedKafkaCluster.Settings(
                    1,
                    16 << 20,
                    // A killed instance's open transaction blocks the next one's offset fetch until the
                    // broker aborts it: look for timed-out transactions every second, not every 10 s.
                    Map.of("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000"),
                    Optional.empty()));
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        try (Admin admin = kafka.admin()) {
            TopicSetup.ensure(
                    admin,
                    new TopicSetup.Plan(
                            name + "-frames",
                            name + "-dlq",
                            List.of(name + "-predictions", name + "-embeddings"),
                            PARTITIONS,
                            (short) 1),
                    new FrameSizing(8 << 20));
        }
        return new ReliabilityScenario(name, registry, kafka, logDir);
    }

    /** The cameras' source ids, {@code cam-0 .. cam-7}. */
    static List<String> cameraIds() {
        return java.util.stream.IntStream.range(0, CAMERAS)
                .mapToObj(i -> "cam-" + i)
                .toList();
    }

    /**
     * The verifier's account covers the whole run: every camera, exactly the frames the cameras sent, and
     * no outcome of a record it did not read.
     */
    static void assertVerifierReadEveryFrame(Verification v, long framesSent, String report) {
        assertThat(v.sources().keySet()).as(report).containsExactlyInAnyOrderElementsOf(cameraIds());
        assertThat(v.inputs()).as(report).isEqualTo(framesSent);
        assertThat(v.strays()).as(report).isZero();
    }

    String applicationId() {
        return name + "-app";
    }

    String inputTopic() {
        return name + "-frames";
    }

    String predictionsTopic() {
        return name + "-predictions";
    }

    OutputTail tail() {
        return tail;
    }

    /**
     * Settings of a processor JVM of this scenario.
     *
     * @param instance its {@code client.id}, which the tail reads back from batch ids
     * @param stateDir its {@code state.dir}
     */
    Map<String, String> processorSettings(String instance, String guarantee, Path stateDir) {
        Map<String, String> s = new HashMap<>();
        s.put("bootstrap.servers", kafka.bootstrapServers());
        s.put("schema.registry.url", registry.url());
        s.put("model.dir", MODEL.toString());
        s.put("device", "cpu");
        s.put("application.id", applicationId());
        s.put("client.id", instance);
        s.put("input.topic", inputTopic());
        s.put("predictions.topic", predictionsTopic());
        s.put("embeddings.topic", name + "-embeddings");
        s.put("masks.topic", name + "-masks");
        s.put("dead.letter.topic", name + "-dlq");
        s.put("topics.partitions", String.valueOf(PARTITIONS));
        s.put("processing.guarantee", guarantee);
        s.put("max.batch.size", String.valueOf(BATCH_SIZE));
        s.put("max.batch.delay.ms", String.valueOf(BATCH_DELAY_MS));
        s.put("state.dir", stateDir.toString());
        // A killed member stays in the group until its session times out: keep that at the broker's
        // minimum so the next instance (or the survivor) gets the partitions quickly.
        s.put("consumer.session.timeout.ms", "6000");
        s.put("consumer.heartbeat.interval.ms", "1000");
        // Several processors run at once here: each serves its metrics on a free port of its own.
        s.put("metrics.port", "0");
        return s;
    }

    /** Starts a processor JVM; it logs to {@code target/reliability/<scenario>/<client.id>.log}. */
    ProcessorJvm launchProcessor(Map<String, String> settings) throws IOException {
        ProcessorJvm jvm = ProcessorJvm.start(settings.get("client.id"), settings, logDir);
        processors.add(jvm);
        return jvm;
    }

    /** Starts a processor JVM and waits until Kafka Streams runs in it. */
    ProcessorJvm startProcessor(Map<String, String> settings) throws IOException, InterruptedException {
        ProcessorJvm jvm = launchProcessor(settings);
        jvm.awaitLogLine(ProcessorJvm.RUNNING_LINE, 1, Duration.ofMinutes(3));
        return jvm;
    }

    /** Frames the broker has acknowledged so far. */
    long framesSent() {
        return cameras.sent();
    }

    /**
     * Whether the processors have caught up with the cameras: every frame sent has an outcome except for
     * about two batches' worth (the frames waiting in the current batch, and the tail's own lag).
     */
    boolean caughtUp() {
        return tail.distinctOutcomes() >= framesSent() - 2L * BATCH_SIZE;
    }

    /** Starts the cameras: {@value #CAMERAS} sources, {@value #FPS} JPEG frames/s each, until stopped. */
    void startCameras() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putAll(new FrameSizing(8 << 20).frameProducerOverrides());
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        cameras = CameraFleet.start(
                CAMERAS,
                FPS,
                SceneConfig.defaults(64, 48),
                42,
                inputTopic(),
                producer,
                AvroSerdes.specific(Frame.class, Map.of("schema.registry.url", registry.url()), false)
                        .serializer(),
                shot -> {});
    }

    /**
     * Stops the cameras and waits until every frame handed to the producer is acknowledged.
     *
     * @return frames the broker acknowledged
     * @throws AssertionError if a send failed
     */
    long stopCameras() {
        cameras.close();
        producer.flush();
        if (cameras.failure() != null) {
            throw new AssertionError("a camera's send failed", cameras.failure());
        }
        if (cameras.sent() != cameras.attempted()) {
            throw new AssertionError(
                    "frames handed to the producer " + cameras.attempted() + ", acknowledged " + cameras.sent());
        }
        return cameras.sent();
    }

    /**
     * Waits until every one of {@code frames} input records has a committed prediction (the last
     * instance has drained), or {@code timeout} passes; the verifier then says what is missing.
     */
    void awaitDrained(long frames, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (tail.distinctOutcomes() < frames && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        // A duplicate, were there one, would be published now.
        Thread.sleep(1000);
    }

    /** The verifier's account of the input, predictions and dead-letter topics (read_committed). */
    Verification verify() {
        Properties client = new Properties();
        client.put("bootstrap.servers", kafka.bootstrapServers());
        return Verifier.verify(
                client,
                Map.of("schema.registry.url", registry.url()),
                new Verifier.Topics(inputTopic(), predictionsTopic(), name + "-dlq"));
    }

    /**
     * Input records whose offsets the application has committed but which have no committed outcome.
     * Right after a kill these are the frames that lived only in the pending-frames store (and its
     * changelog): Kafka will never deliver them again, so only the store can bring them back.
     */
    long framesOnlyInThePendingStore() throws InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> committed;
        try (Admin admin = kafka.admin()) {
            committed = admin.listConsumerGroupOffsets(applicationId())
                    .partitionsToOffsetAndMetadata()
                    .get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the committed offsets of " + applicationId(), e);
        }
        Verification v = verify();
        long frames = 0;
        for (var e : committed.entrySet()) {
            if (e.getValue() == null || !e.getKey().topic().equals(inputTopic())) {
                continue;
            }
            long committedOffset = e.getValue().offset();
            List<Long> missing = v.missingOffsets()
                    .getOrDefault(e.getKey().topic() + "/" + e.getKey().partition(), List.of());
            frames += missing.stream().filter(o -> o < committedOffset).count();
        }
        return frames;
    }

    /**
     * Waits until {@code instance} has published nothing for {@code quietMs}: it is between batches,
     * and the frames that reached it meanwhile wait in its batcher, their offsets committed every 100 ms.
     * The moment to kill it so that it leaves frames behind in the pending store.
     */
    void awaitBetweenBatches(String instance, long quietMs) throws InterruptedException {
        tail.await(
                instance + " to publish nothing for " + quietMs + " ms",
                () -> tail.millisSinceLastOutcomeOf(instance) >= quietMs,
                Duration.ofMinutes(1),
                this::diagnostics);
    }

    /** A fresh directory under the scenario's log directory, e.g. for a {@code state.dir}. */
    Path directory(String dirName) throws IOException {
        return Files.createDirectories(logDir.resolve(dirName).toAbsolutePath());
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The tail's summary and the end of every processor's log, for failure messages. */
    String diagnostics() {
        StringBuilder out = new StringBuilder(tail.summary());
        for (ProcessorJvm jvm : processors) {
            out.append('\n').append(jvm.name()).append(jvm.isAlive() ? " (running)" : " (gone)");
            out.append('\n').append(jvm.logTail());
        }
        return out.toString();
    }

    @Override
    public void close() throws Exception {
        for (ProcessorJvm jvm : processors) {
            jvm.close();
        }
        if (cameras != null) {
            cameras.close();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
        tail.close();
        kafka.close();
        registry.close();
    }
}
