package io.visionstream.app.bench;

import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.registry.LocalSchemaRegistryServer;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.testkit.ScratchDirectories;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.processing.VisionTopology;
import io.visionstream.topology.runtime.ProcessorInstance;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Scale-out checked on one machine: the same backlog through 1, then N, processor instances of one
 * application that share the input partitions, as separate deployments would. Each instance is a complete
 * processor (its own Kafka Streams client, consumer group member, inference workers, model copy and state
 * directory); Kafka Streams' own assignment spreads the partitions over them, nothing here assigns them.
 * The instances run in this JVM beside the embedded broker, so they share its heap and JIT with each other.
 *
 * <p>Per run: total frames/s (from the first frame produced to the last prediction read, the instances
 * already running with their partitions assigned) and, per instance, the input partitions it owned and
 * the frames it processed (predictions counted by their lineage's input partition). The counts are rounds
 * of the instance counts in turn (1, 2, 1, 2, ...), so drift in the shared machine's speed shows as a
 * difference between rounds rather than between settings. After the runs, the bytes each topic took on
 * the broker per frame: the figures a retention and disk plan multiplies by frames per day.
 */
public final class ScaleOutBenchmark {

    /**
     * @param pipeline model, batch, frames, frame size, partitions, cameras, warm-up and inference workers per
     *     instance, as the pipeline benchmark takes them
     * @param instances the instance counts to compare, each at least 1 and at most the partition count
     * @param rounds how many times each count runs, at least 1
     */
    public record Options(PipelineBenchmark.Options pipeline, List<Integer> instances, int rounds) {
        public Options {
            instances = List.copyOf(instances);
            if (instances.isEmpty() || rounds < 1) {
                throw new IllegalArgumentException(
                        "need at least one instance count and one round; got " + instances + ", " + rounds);
            }
            for (int n : instances) {
                if (n < 1 || n > pipeline.partitions()) {
                    throw new IllegalArgumentException("instance counts must be 1 to the " + pipeline.partitions()
                            + " input partitions (an instance without a partition idles); got " + n);
                }
            }
        }
    }

    /** One instance's part of a run: the input partitions it owned and the frames it processed. */
    public record Share(SortedSet<Integer> partitions, long frames) {}

    /**
     * One timed backlog.
     *
     * @param rebalanced whether some instance's partitions changed between the start and the end of the run
     */
    public record Run(int instances, int round, double framesPerSecond, List<Share> shares, boolean rebalanced) {}

    /** Every run, and the bytes per frame of each topic (input, outputs, changelog) of the first run. */
    public record Report(List<Run> runs, Map<String, Double> bytesPerFrame) {}

    private ScaleOutBenchmark() {}

    public static Report run(Options o, PrintStream out) throws Exception {
        PipelineBenchmark.Options p = o.pipeline();
        out.println(Machine.describe());
        out.printf(
                Locale.ROOT,
                "settings: model %s, batch %d, delay %d ms, %d frames %dx%d JPEG, %d partitions, %d cameras, %d"
                        + " inference worker(s) per instance, instances %s, %d round(s), %d warm-up frames%n",
                p.modelDir(),
                p.batchSize(),
                p.batchDelayMs(),
                p.frames(),
                p.frameWidth(),
                p.frameHeight(),
                p.partitions(),
                p.cameras(),
                p.workers(),
                o.instances(),
                o.rounds(),
                p.warmupFrames());
        List<byte[]> jpegs = PipelineBenchmark.jpegs(p);
        Path state = Files.createTempDirectory("vision-scale");
        try (LocalSchemaRegistryServer schemaRegistry = LocalSchemaRegistryServer.start(0);
                EmbeddedKafkaCluster kafka =
                        EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(32 << 20))) {
            String registry = schemaRegistry.url();
            if (p.warmupFrames() > 0) {
                List<byte[]> warmup = new ArrayList<>(p.warmupFrames());
                for (int i = 0; i < p.warmupFrames(); i++) {
                    warmup.add(jpegs.get(i % jpegs.size()));
                }
                Run warm = backlog(p, kafka, registry, state, warmup, 1, 0, "scale-warmup");
                out.printf(
                        Locale.ROOT,
                        "warm-up, 1 instance, %d frames (untimed): %.1f frames/s%n",
                        warmup.size(),
                        warm.framesPerSecond());
            }
            List<Run> runs = new ArrayList<>();
            Map<String, Double> bytes = null;
            for (int round = 1; round <= o.rounds(); round++) {
                for (int n : o.instances()) {
                    String app = "scale-r" + round + "-x" + n;
                    Run run = backlog(p, kafka, registry, state, jpegs, n, round, app);
                    runs.add(run);
                    print(run, out);
                    if (bytes == null) {
                        bytes = bytesPerFrame(kafka, PipelineBenchmark.config(p, kafka, registry, state, app), jpegs);
                    }
                }
            }
            summarise(runs, o.instances(), out);
            out.println("broker bytes per frame (one replica, as written in the first run):");
            bytes.forEach((topic, perFrame) -> out.printf(Locale.ROOT, "  %-14s %10.0f bytes%n", topic, perFrame));
            out.println(Machine.loadAverage("load average at end"));
            return new Report(runs, bytes);
        } finally {
            ScratchDirectories.delete(state);
        }
    }

    /** A backlog through {@code n} instances started, and assigned their partitions, before it is produced. */
    private static Run backlog(
            PipelineBenchmark.Options p,
            EmbeddedKafkaCluster kafka,
            String registry,
            Path state,
            List<byte[]> jpegs,
            int n,
            int round,
            String app)
            throws Exception {
        List<VisionConfig> configs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            // One application id, a state directory each: two instances must not share one directory
            configs.add(PipelineBenchmark.config(p, kafka, registry, state.resolve(app + "-" + i), app));
        }
        VisionConfig first = configs.get(0);
        String input = first.topics().input();
        PipelineBenchmark.createTopics(p, kafka, first);
        List<ProcessorInstance> instances = new ArrayList<>(n);
        try (var consumer = PipelineBenchmark.predictionsConsumer(kafka, first)) {
            for (VisionConfig config : configs) {
                instances.add(ProcessorInstance.start(config));
            }
            List<SortedSet<Integer>> before = awaitAssignment(instances, input, p.partitions());
            var predictions = AvroSerdes.specific(Prediction.class, Map.of("schema.registry.url", registry), false)
                    .deserializer();
            long started = System.nanoTime();
            PipelineBenchmark.sendFrames(p, kafka, registry, first, jpegs);
            Map<Integer, Long> perPartition = new TreeMap<>();
            long seen = 0;
            long last = started;
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            while (seen < jpegs.size() && System.nanoTime() < deadline) {
                for (ProcessorInstance instance : instances) {
                    if (instance.failure() != null) {
                        throw new IllegalStateException(app + ": an instance failed", instance.failure());
                    }
                }
                for (var record : consumer.poll(Duration.ofMillis(100))) {
                    Prediction prediction = predictions.deserialize(record.topic(), record.value());
                    perPartition.merge(prediction.getLineage().getInputPartition(), 1L, Long::sum);
                    seen++;
                    last = System.nanoTime();
                }
            }
            if (seen < jpegs.size()) {
                throw new IllegalStateException(app + ": " + seen + " of " + jpegs.size()
                        + " predictions within 30 minutes; no figures from an unfinished run");
            }
            List<Share> shares = new ArrayList<>(n);
            boolean rebalanced = false;
            for (int i = 0; i < n; i++) {
                SortedSet<Integer> owned = instances.get(i).assignedPartitions(input);
                rebalanced |= !owned.equals(before.get(i));
                long frames = before.get(i).stream()
                        .mapToLong(part -> perPartition.getOrDefault(part, 0L))
                        .sum();
                shares.add(new Share(before.get(i), frames));
            }
            return new Run(n, round, seen / PipelineBenchmark.seconds(last - started), shares, rebalanced);
        } finally {
            for (ProcessorInstance instance : instances) {
                instance.close();
            }
        }
    }

    /**
     * Waits until every instance is RUNNING and together they own every input partition, each at least one;
     * returns each instance's partitions.
     */
    private static List<SortedSet<Integer>> awaitAssignment(
            List<ProcessorInstance> instances, String input, int partitions) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        List<SortedSet<Integer>> owned = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            owned.clear();
            SortedSet<Integer> all = new TreeSet<>();
            boolean ready = true;
            for (ProcessorInstance instance : instances) {
                if (instance.failure() != null) {
                    throw new IllegalStateException("an instance failed while starting", instance.failure());
                }
                SortedSet<Integer> mine = instance.assignedPartitions(input);
                ready &= instance.state() == KafkaStreams.State.RUNNING && !mine.isEmpty();
                owned.add(mine);
                all.addAll(mine);
            }
            if (ready && all.size() == partitions) {
                return owned;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(instances.size() + " instances did not settle on an assignment of all "
                + partitions + " input partitions within 2 minutes: " + owned);
    }

    private static Map<String, Double> bytesPerFrame(
            EmbeddedKafkaCluster kafka, VisionConfig config, List<byte[]> jpegs) throws Exception {
        var t = config.topics();
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("input", perFrame(kafka, t.input(), jpegs.size()));
        out.put("predictions", perFrame(kafka, t.predictions(), jpegs.size()));
        out.put("embeddings", perFrame(kafka, t.embeddings(), jpegs.size()));
        out.put("masks", perFrame(kafka, t.masks(), jpegs.size()));
        out.put(
                "changelog",
                perFrame(
                        kafka,
                        config.applicationId() + "-" + VisionTopology.PENDING_STORE + "-changelog",
                        jpegs.size()));
        return out;
    }

    private static double perFrame(EmbeddedKafkaCluster kafka, String topic, int frames) throws Exception {
        return (double) PipelineBenchmark.topicBytes(kafka, topic) / frames;
    }

    private static void print(Run run, PrintStream out) {
        StringBuilder spread = new StringBuilder();
        for (int i = 0; i < run.shares().size(); i++) {
            Share s = run.shares().get(i);
            spread.append(String.format(
                    Locale.ROOT, "%s#%d partitions %s: %d frames", i == 0 ? "" : "; ", i, s.partitions(), s.frames()));
        }
        out.printf(
                Locale.ROOT,
                "round %d, %d instance(s): %8.1f frames/s  [%s]%s%n",
                run.round(),
                run.instances(),
                run.framesPerSecond(),
                spread,
                run.rebalanced() ? " (REBALANCED during the run)" : "");
    }

    private static void summarise(List<Run> runs, List<Integer> counts, PrintStream out) {
        Map<Integer, List<Double>> byCount = new TreeMap<>();
        for (Run run : runs) {
            byCount.computeIfAbsent(run.instances(), k -> new ArrayList<>()).add(run.framesPerSecond());
        }
        double base = mean(byCount.get(counts.get(0)));
        for (int n : counts) {
            double m = mean(byCount.get(n));
            out.printf(
                    Locale.ROOT,
                    "%d instance(s): mean %.1f frames/s over %d run(s), %.2fx %d instance(s)%n",
                    n,
                    m,
                    byCount.get(n).size(),
                    m / base,
                    counts.get(0));
        }
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
