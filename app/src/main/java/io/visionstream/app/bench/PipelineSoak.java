package io.visionstream.app.bench;

import io.visionstream.app.verify.Verification;
import io.visionstream.app.verify.Verifier;
import io.visionstream.inference.image.ImageEncoder;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.registry.LocalSchemaRegistryServer;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.testkit.ScratchDirectories;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.runtime.ProcessorInstance;
import io.visionstream.topology.topics.FrameSizing;
import io.visionstream.training.synthetic.SceneConfig;
import io.visionstream.training.synthetic.SyntheticScenes;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The memory soak of the whole pipeline: frames (and, optionally, a poison record every so often) go
 * through the embedded broker and the processor, as fast as it takes them, with a bounded backlog; at
 * intervals it prints the process's resident set, the heap after a collection, the JVM's own native
 * memory (when the JVM runs with {@code -XX:NativeMemoryTracking=summary}) and the NIO buffer pools
 * (direct and mapped: the broker's memory-mapped index files are in the latter). At the end
 * the verifier checks that every frame got exactly one outcome, and the growth of each figure from the
 * first sample after warm-up to the last is printed.
 *
 * <p>Everything runs in this JVM, so the resident set includes the broker and the clients: a leak in
 * any of them shows.
 */
public final class PipelineSoak {

    /**
     * @param frames records to send (poison included)
     * @param poisonEvery every n-th record is random bytes (a dead letter); 0 for none
     * @param sampleEvery outcomes between memory samples
     * @param maxBacklog records sent but without an outcome yet, at most
     */
    public record Options(
            Path modelDir,
            long frames,
            int batchSize,
            int partitions,
            int cameras,
            int frameWidth,
            int frameHeight,
            int poisonEvery,
            long sampleEvery,
            int maxBacklog,
            int workers) {
        public Options {
            if (workers < 1) {
                throw new IllegalArgumentException("need at least one inference worker, got " + workers);
            }
            if (frames < 1
                    || batchSize < 1
                    || partitions < 1
                    || cameras < 1
                    || poisonEvery < 0
                    || sampleEvery < 1
                    || maxBacklog < batchSize) {
                throw new IllegalArgumentException("need frames, batch size, partitions, cameras, sample interval"
                        + " >= 1, poison interval >= 0 and a backlog of at least one batch");
            }
        }
    }

    /** One memory sample. Native JVM memory is -1 when native memory tracking is off. */
    public record Sample(
            long outcomes,
            double seconds,
            long rssBytes,
            long heapUsedBytes,
            long heapCommittedBytes,
            long jvmNativeBytes,
            long bufferBytes) {}

    /** What the soak measured. */
    public record Report(List<Sample> samples, Verification verification, double framesPerSecond) {

        /** The sample from which growth is measured: the first one after 10% of the run. */
        public Sample baseline() {
            long after = samples.get(samples.size() - 1).outcomes() / 10;
            return samples.stream()
                    .filter(s -> s.outcomes() >= after)
                    .findFirst()
                    .orElseThrow();
        }

        public Sample last() {
            return samples.get(samples.size() - 1);
        }
    }

    private static final int DISTINCT_IMAGES = 256;

    private PipelineSoak() {}

    public static Report run(Options o, PrintStream out) throws Exception {
        out.println(Machine.describe());
        out.printf(
                Locale.ROOT,
                "settings: model %s, %d records (%s), batch %d, %d partitions, %d sources, %dx%d JPEG,"
                        + " backlog <= %d, %d inference worker(s)%n",
                o.modelDir(),
                o.frames(),
                o.poisonEvery() == 0 ? "no poison" : "every " + o.poisonEvery() + "th random bytes",
                o.batchSize(),
                o.partitions(),
                o.cameras(),
                o.frameWidth(),
                o.frameHeight(),
                o.maxBacklog(),
                o.workers());
        if (jvmNativeBytes() < 0) {
            out.println("JVM native memory: not tracked (run with -XX:NativeMemoryTracking=summary to see it)");
        }
        List<byte[]> jpegs = jpegs(o);
        try (LocalSchemaRegistryServer schemaRegistry = LocalSchemaRegistryServer.start(0);
                EmbeddedKafkaCluster kafka =
                        EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(32 << 20))) {
            VisionConfig config = config(o, kafka, schemaRegistry.url());
            Map<String, Object> registry = Map.of("schema.registry.url", schemaRegistry.url());
            Report report;
            try (ProcessorInstance processor = ProcessorInstance.start(config)) {
                if (!processor.awaitRunning(Duration.ofMinutes(2))) {
                    throw new IllegalStateException("the processor did not start: " + processor.state());
                }
                report = soak(o, kafka, config, registry, jpegs, processor, out);
            } finally {
                config.stateDir().ifPresent(ScratchDirectories::delete);
            }
            Verification v = Verifier.verify(
                    clientProps(kafka),
                    registry,
                    new Verifier.Topics(
                            config.topics().input(),
                            config.topics().predictions(),
                            config.topics().deadLetters()));
            report = new Report(report.samples(), v, report.framesPerSecond());
            print(report, out);
            out.println(Machine.loadAverage("load average at end"));
            return report;
        }
    }

    private static Report soak(
            Options o,
            EmbeddedKafkaCluster kafka,
            VisionConfig config,
            Map<String, Object> registry,
            List<byte[]> jpegs,
            ProcessorInstance processor,
            PrintStream out)
            throws Exception {
        AtomicLong outcomes = new AtomicLong();
        AtomicReference<Exception> producerFailure = new AtomicReference<>();
        Thread producer = new Thread(
                () -> produce(o, kafka, config, registry, jpegs, outcomes, producerFailure), "soak-producer");
        producer.setDaemon(true);
        try {
            return soakWith(o, kafka, config, outcomes, producerFailure, producer, processor, out);
        } finally {
            // On a failure the producer may be waiting for the backlog to drain: stop it and its client.
            producer.interrupt();
            producer.join(Duration.ofSeconds(30).toMillis());
        }
    }

    private static Report soakWith(
            Options o,
            EmbeddedKafkaCluster kafka,
            VisionConfig config,
            AtomicLong outcomes,
            AtomicReference<Exception> producerFailure,
            Thread producer,
            ProcessorInstance processor,
            PrintStream out)
            throws Exception {
        List<Sample> samples = new ArrayList<>();
        long started = System.nanoTime();
        out.printf(
                Locale.ROOT,
                "%10s %8s %10s %12s %14s %14s %12s %12s%n",
                "outcomes",
                "seconds",
                "frames/s",
                "RSS MiB",
                "heap MiB (gc)",
                "heap committed",
                "JVM native",
                "buffers MiB");
        samples.add(sample(0, started, out));
        producer.start();
        long nextSample = o.sampleEvery();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(consumerProps(kafka), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(
                    List.of(config.topics().predictions(), config.topics().deadLetters()));
            long lastProgress = System.nanoTime();
            while (outcomes.get() < o.frames()) {
                int n = consumer.poll(Duration.ofMillis(200)).count();
                if (n > 0) {
                    outcomes.addAndGet(n);
                    lastProgress = System.nanoTime();
                }
                if (processor.failure() != null) {
                    throw new IllegalStateException("the processor failed during the soak", processor.failure());
                }
                if (producerFailure.get() != null) {
                    throw new IllegalStateException("the producer failed during the soak", producerFailure.get());
                }
                if (System.nanoTime() - lastProgress > Duration.ofMinutes(2).toNanos()) {
                    throw new IllegalStateException(
                            "no outcome for 2 minutes at " + outcomes.get() + " of " + o.frames());
                }
                if (outcomes.get() >= nextSample) {
                    samples.add(sample(outcomes.get(), started, out));
                    nextSample += o.sampleEvery();
                }
            }
        }
        producer.join(Duration.ofSeconds(30).toMillis());
        Sample last = sample(outcomes.get(), started, out);
        if (last.outcomes() != samples.get(samples.size() - 1).outcomes()) {
            samples.add(last);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Report(samples, null, outcomes.get() / seconds);
    }

    private static void produce(
            Options o,
            EmbeddedKafkaCluster kafka,
            VisionConfig config,
            Map<String, Object> registry,
            List<byte[]> jpegs,
            AtomicLong outcomes,
            AtomicReference<Exception> failure) {
        Serializer<Frame> frames =
                AvroSerdes.specific(Frame.class, registry, false).serializer();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putAll(new FrameSizing(config.maxFrameBytes()).frameProducerOverrides());
        String topic = config.topics().input();
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < o.frames(); i++) {
                while (i - outcomes.get() >= o.maxBacklog()) {
                    Thread.sleep(2);
                }
                String camera = "cam-" + (i % o.cameras());
                byte[] value;
                if (o.poisonEvery() > 0 && i % o.poisonEvery() == o.poisonEvery() - 1) {
                    value = new byte[64 + random.nextInt(512)];
                    for (int b = 0; b < value.length; b++) {
                        value[b] = (byte) random.nextInt(256);
                    }
                } else {
                    Frame frame = PipelineBenchmark.jpegFrame(
                            camera, i / o.cameras(), o.frameWidth(), o.frameHeight(), jpegs.get((int)
                                    (i % jpegs.size())));
                    value = frames.serialize(topic, frame);
                }
                producer.send(new ProducerRecord<>(topic, camera.getBytes(StandardCharsets.UTF_8), value), (m, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    private static Sample sample(long outcomes, long started, PrintStream out) throws IOException {
        System.gc();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long buffers = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            buffers += Math.max(0, pool.getMemoryUsed());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Sample s = new Sample(
                outcomes, seconds, rssBytes(), heap.getUsed(), heap.getCommitted(), jvmNativeBytes(), buffers);
        out.printf(
                Locale.ROOT,
                "%10d %8.1f %10.1f %12.1f %14.1f %14.1f %12s %12.1f%n",
                s.outcomes(),
                s.seconds(),
                seconds > 0 ? s.outcomes() / seconds : 0.0,
                mib(s.rssBytes()),
                mib(s.heapUsedBytes()),
                mib(s.heapCommittedBytes()),
                s.jvmNativeBytes() < 0 ? "-" : String.format(Locale.ROOT, "%.1f MiB", mib(s.jvmNativeBytes())),
                mib(s.bufferBytes()));
        return s;
    }

    private static void print(Report r, PrintStream out) {
        Sample base = r.baseline();
        Sample last = r.last();
        out.printf(Locale.ROOT, "throughput: %.1f outcomes/s over the whole soak%n", r.framesPerSecond());
        out.printf(
                Locale.ROOT,
                "growth from %d to %d outcomes: RSS %+.1f MiB, heap after GC %+.1f MiB%s, buffers %+.1f MiB;"
                        + " peak RSS %.1f MiB%n",
                base.outcomes(),
                last.outcomes(),
                mib(last.rssBytes() - base.rssBytes()),
                mib(last.heapUsedBytes() - base.heapUsedBytes()),
                last.jvmNativeBytes() < 0
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                ", JVM native %+.1f MiB",
                                mib(last.jvmNativeBytes() - base.jvmNativeBytes())),
                mib(last.bufferBytes() - base.bufferBytes()),
                mib(r.samples().stream().mapToLong(Sample::rssBytes).max().orElse(0)));
        r.verification().lines().forEach(out::println);
    }

    private static List<byte[]> jpegs(Options o) {
        SyntheticScenes scenes = new SyntheticScenes(SceneConfig.defaults(o.frameWidth(), o.frameHeight()), 23);
        List<byte[]> out = new ArrayList<>(DISTINCT_IMAGES);
        for (int i = 0; i < DISTINCT_IMAGES; i++) {
            out.add(ImageEncoder.jpeg(scenes.scene(i).image(), 90));
        }
        return out;
    }

    private static VisionConfig config(Options o, EmbeddedKafkaCluster kafka, String registry) throws IOException {
        Map<String, String> s = new HashMap<>();
        s.put("bootstrap.servers", kafka.bootstrapServers());
        s.put("schema.registry.url", registry);
        s.put("model.dir", o.modelDir().toString());
        s.put("application.id", "soak");
        // Keep the intra-op threads the run was started with.
        s.put("inference.threads", String.valueOf(io.visionstream.inference.engine.InferenceEngines.intraOpThreads()));
        s.put("inference.workers", String.valueOf(o.workers()));
        s.put("max.batch.size", String.valueOf(o.batchSize()));
        s.put("topics.partitions", String.valueOf(o.partitions()));
        s.put("state.dir", Files.createTempDirectory("vision-soak").toString());
        s.put("device", "cpu");
        return VisionConfig.from(s);
    }

    private static Properties clientProps(EmbeddedKafkaCluster kafka) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return props;
    }

    private static Properties consumerProps(EmbeddedKafkaCluster kafka) {
        Properties props = clientProps(kafka);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "soak-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return props;
    }

    /** The process's resident set, from {@code /proc/self/status}. */
    static long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("/proc/self/status has no VmRSS line");
    }

    private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB");

    /**
     * Memory the JVM itself has committed outside the Java heap (threads, code, GC, metaspace...), from
     * native memory tracking; -1 when tracking is off. libtorch's allocations are not in it, only in RSS.
     */
    static long jvmNativeBytes() {
        try {
            Object text = ManagementFactory.getPlatformMBeanServer()
                    .invoke(
                            new ObjectName("com.sun.management:type=DiagnosticCommand"),
                            "vmNativeMemory",
                            new Object[] {new String[] {"summary"}},
                            new String[] {String[].class.getName()});
            Matcher m = NMT_TOTAL.matcher(String.valueOf(text));
            if (!m.find()) {
                return -1;
            }
            long committed = Long.parseLong(m.group(1)) * 1024;
            long heapCommitted =
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
            return committed - heapCommitted;
        } catch (javax.management.JMException e) {
            return -1;
        }
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
