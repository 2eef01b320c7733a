package io.visionstream.topology.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.processing.TestFrames;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} of a live processor on a real broker: the counters move exactly with known events, the
 * scrape passes {@code promtool check metrics}, and every metric the Grafana dashboard queries is in it.
 * Each test compares scrapes before and after its own records, so the tests share one processor in any
 * order.
 */
class MonitoringIT {

    private static final Path MODEL = Path.of("../inference/src/test/resources/fixtures/vit/tiny");
    private static final Path DASHBOARD = Path.of("../monitoring/grafana/dashboards/visionstream.json");
    private static final String TOPIC = "frames";
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    /** Metrics the dashboard queries that a processor on a CPU does not have. */
    private static final Set<String> GPU_ONLY = Set.of("visionstream_device_memory_used_bytes");

    private static EmbeddedKafkaCluster kafka;
    private static Monitoring monitoring;
    private static ProcessorInstance processor;
    private static KafkaProducer<byte[], byte[]> producer;
    private static TestFrames frames;
    private static URI metrics;
    private static long sequence;

    @BeforeAll
    static void start() throws Exception {
        String registryUrl = "mock://monitoring-it-" + UUID.randomUUID();
        kafka = EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(16 << 20));
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", kafka.bootstrapServers());
        settings.put("schema.registry.url", registryUrl);
        settings.put("application.id", "monitoring-it");
        settings.put("model.dir", MODEL.toString());
        settings.put("state.dir", Files.createTempDirectory("monitoring-it").toString());
        settings.put("topics.partitions", "2");
        settings.put("max.batch.size", "4");
        settings.put("max.batch.delay.ms", "30");
        settings.put("metrics.port", "0");
        VisionConfig config = VisionConfig.from(settings);
        monitoring = Monitoring.start(config.metrics());
        processor = ProcessorInstance.start(config, monitoring);
        assertThat(processor.awaitRunning(Duration.ofSeconds(90))).isTrue();
        metrics = monitoring.metricsUrl().orElseThrow();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        frames = new TestFrames(Map.of("schema.registry.url", registryUrl));
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
        if (processor != null) {
            processor.close();
        }
        if (monitoring != null) {
            monitoring.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static void send(byte[] key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(TOPIC, key, value)).get();
    }

    private static Frame goodFrame(String camera) {
        return frames.frame(camera, sequence++, System.currentTimeMillis());
    }

    /** Sends {@code n} good frames, alternating between cam-0 and cam-1. */
    private static void sendGoodFrames(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            String camera = "cam-" + (i % 2);
            send(TestFrames.key(camera), frames.serialize(TOPIC, goodFrame(camera)));
        }
    }

    /** Scrapes until {@code outcomes} more outcomes than {@code before} are counted and nothing is pending. */
    private static Scrape awaitOutcomes(Scrape before, int outcomes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Scrape now = Scrape.of(metrics);
        while (System.nanoTime() < deadline) {
            now = Scrape.of(metrics);
            double published = now.sum("visionstream_outcomes_total") - before.sum("visionstream_outcomes_total");
            if (published >= outcomes
                    && now.value("visionstream_pending_frames") == 0
                    && now.value("visionstream_inflight_batches") == 0) {
                return now;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + outcomes + " outcomes within 60 s; last scrape:\n" + now.text());
    }

    private static double delta(Scrape before, Scrape after, String series) {
        return after.value(series) - before.value(series);
    }

    @Test
    void countersMoveExactlyWithFramesPoisonRecordsAndBatches() throws Exception {
        Scrape before = Scrape.of(metrics);
        int good = 12;
        sendGoodFrames(good);
        byte[] key = TestFrames.key("cam-0");
        Frame frame = goodFrame("cam-0");
        byte[] jpeg = frame.getImage().array();
        Frame truncated = Frame.newBuilder(frame)
                .setImage(ByteBuffer.wrap(Arrays.copyOf(jpeg, jpeg.length / 2)))
                .build();
        send(key, "not a frame at all".getBytes(StandardCharsets.UTF_8)); // deserialize
        send(key, new byte[] {0, 0x7f, 0, 0, 0, 1, 2, 3}); // deserialize: unknown schema id
        send(null, frames.serialize(TOPIC, goodFrame("cam-0"))); // validate: no key
        send(TestFrames.key("cam-9"), frames.serialize(TOPIC, goodFrame("cam-0"))); // validate: key mismatch
        send(key, frames.serialize(TOPIC, truncated)); // decode
        int poison = 5;

        Scrape after = awaitOutcomes(before, good + poison);

        assertThat(delta(before, after, "visionstream_frames_received_total")).isEqualTo(good + poison);
        assertThat(delta(before, after, "visionstream_outcomes_total{outcome=\"ok\"}"))
                .isEqualTo(good);
        assertThat(delta(before, after, "visionstream_outcomes_total{outcome=\"dead_letter\"}"))
                .isEqualTo(poison);
        assertThat(delta(before, after, "visionstream_outcomes_total{outcome=\"skipped_stale\"}"))
                .isZero();
        assertThat(delta(before, after, "visionstream_dead_letters_total{stage=\"deserialize\"}"))
                .isEqualTo(2);
        assertThat(delta(before, after, "visionstream_dead_letters_total{stage=\"validate\"}"))
                .isEqualTo(2);
        assertThat(delta(before, after, "visionstream_dead_letters_total{stage=\"decode\"}"))
                .isEqualTo(1);
        for (String stage : new String[] {"infer", "produce", "unknown"}) {
            assertThat(delta(before, after, "visionstream_dead_letters_total{stage=\"" + stage + "\"}"))
                    .isZero();
        }
        assertThat(delta(before, after, "visionstream_camera_frames_total{camera=\"cam-0\"}"))
                .isEqualTo(good / 2);
        assertThat(delta(before, after, "visionstream_camera_frames_total{camera=\"cam-1\"}"))
                .isEqualTo(good / 2);

        double batches = after.sum("visionstream_batches_total") - before.sum("visionstream_batches_total");
        assertThat(batches).isBetween(good / 4.0, (double) good);
        assertThat(delta(before, after, "visionstream_batch_size_count")).isEqualTo(batches);
        assertThat(delta(before, after, "visionstream_batch_size_sum")).isEqualTo(good);
        assertThat(delta(before, after, "visionstream_batch_inference_seconds_count"))
                .isEqualTo(batches);
        assertThat(delta(before, after, "visionstream_frame_queue_seconds_count"))
                .isEqualTo(good);
        assertThat(delta(before, after, "visionstream_end_to_end_seconds_count"))
                .isEqualTo(good);
        assertThat(after.value("visionstream_pending_frames")).isZero();
        assertThat(after.value("visionstream_inflight_batches")).isZero();
    }

    /**
     * {@code promtool check metrics} must parse the whole scrape, and find nothing to say about our own
     * families. It does lint some names that Kafka's clients and Micrometer's JVM binders choose ({@code
     * *_time_ns_total}, {@code kafka_*_connection_count}, {@code system_cpu_count}); renaming those would
     * part them from every Kafka dashboard, so they are reported, not failed.
     */
    @Test
    void aScrapeDuringARunPassesPromtool() throws Exception {
        assumeThat(Files.isExecutable(PROMTOOL))
                .as("promtool is not installed (Debian package prometheus; .ci/run installs it)")
                .isTrue();
        Scrape before = Scrape.of(metrics);
        sendGoodFrames(4);
        Scrape scrape = awaitOutcomes(before, 4);

        Promtool whole = promtoolCheckMetrics(scrape.text());
        assertThat(whole.exit()).as(whole.report()).isIn(0, 3); // 1 would be a parse error
        assertThat(whole.report()).doesNotContain("error while linting").doesNotContain("visionstream_");
        String ours = scrape.text()
                .lines()
                .filter(line -> line.startsWith("visionstream_")
                        || line.startsWith("# HELP visionstream_")
                        || line.startsWith("# TYPE visionstream_"))
                .collect(Collectors.joining("\n", "", "\n"));
        assertThat(ours).contains("# TYPE visionstream_end_to_end_seconds histogram");
        Promtool own = promtoolCheckMetrics(ours);
        assertThat(own.exit()).as(own.report()).isZero();
        assertThat(own.report()).isEmpty();
    }

    /** What {@code promtool check metrics} said and its exit status (0 clean, 3 lint problems, 1 unparsable). */
    private record Promtool(int exit, String report) {}

    private static Promtool promtoolCheckMetrics(String exposition) throws Exception {
        Process check = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics")
                .redirectErrorStream(true)
                .start();
        try (OutputStream in = check.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String report;
        try (InputStream out = check.getInputStream()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            out.transferTo(bytes);
            report = bytes.toString(StandardCharsets.UTF_8).strip();
        }
        assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Promtool(check.exitValue(), report);
    }

    @Test
    void everyMetricTheDashboardQueriesIsInAScrape() throws Exception {
        Scrape before = Scrape.of(metrics);
        sendGoodFrames(4);
        Scrape scrape = awaitOutcomes(before, 4);

        Set<String> queried = dashboardMetricNames(new ObjectMapper().readTree(DASHBOARD.toFile()));
        assertThat(queried)
                .as("names the dashboard queries")
                .contains("visionstream_frames_received_total", "visionstream_end_to_end_seconds_bucket");
        Set<String> onThisMachine = new TreeSet<>(queried);
        onThisMachine.removeAll(GPU_ONLY);
        assertThat(scrape.names()).containsAll(onThisMachine);
    }

    /** Metric names in every {@code expr} of the dashboard's panels: ours, the JVM's, Kafka's, the process'. */
    private static Set<String> dashboardMetricNames(JsonNode dashboard) {
        Pattern name = Pattern.compile("\\b((?:visionstream|jvm|kafka|process|system)_[a-zA-Z0-9_]+)");
        Set<String> names = new TreeSet<>();
        for (JsonNode expr : dashboard.findValues("expr")) {
            Matcher m = name.matcher(expr.asText());
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }
}
