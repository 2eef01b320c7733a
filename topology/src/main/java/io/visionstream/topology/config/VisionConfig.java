package io.visionstream.topology.config;

import io.visionstream.inference.engine.EngineOptions;
import io.visionstream.schemas.registry.RegistryClientConfig;
import io.visionstream.schemas.serde.AvroSerdeConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Every setting of the processor, validated. Build it with {@link #from(Map)}; each bad value fails
 * with a {@link ConfigException} naming the key and the value.
 *
 * @param bootstrapServers {@code bootstrap.servers}: the Kafka cluster
 * @param applicationId {@code application.id}: the Kafka Streams application (consumer group, state)
 * @param schemaRegistryUrl {@code schema.registry.url}: the registry, or {@code mock://scope} in-process
 * @param topics every topic read or written
 * @param modelDir {@code model.dir}: the model directory (timm layout plus optional dense head)
 * @param maxBatchSize {@code max.batch.size}: frames per inference batch, at most
 * @param maxBatchDelayMs {@code max.batch.delay.ms}: how long the oldest frame of a batch may wait
 * @param maxInFlightBatches {@code max.inflight.batches}: closed batches a stream thread may have running
 *     or queued for the model while it goes on reading and preparing frames; 0 means {@code
 *     inference.workers + 1}, so that a finished worker always finds the next batch waiting (see {@link
 *     #inFlightBatchesPerThread()})
 * @param inferenceWorkers {@code inference.workers}: threads running closed batches side by side on the
 *     one model (one batch per worker at a time)
 * @param inferenceThreads {@code inference.threads}: libtorch intra-op threads of each inference worker;
 *     0 keeps libtorch's default (one per physical core)
 * @param inferenceTimeoutMs {@code inference.timeout.ms}: how long one batch may run on the model before
 *     the model is taken for hung and processing stops, as for an engine failure
 * @param maxFrameAgeMs {@code max.frame.age.ms}: frames older than this on arrival are skipped, 0 = never
 * @param maxFrameBytes {@code max.frame.bytes}: the largest frame record accepted; sizes the clients
 * @param maxImagePixels {@code max.image.pixels}: decoded images above this many pixels are refused
 * @param processingGuarantee {@code processing.guarantee}: exactly_once_v2 or at_least_once
 * @param streamThreads {@code num.stream.threads}: stream threads sharing the one model
 * @param topK {@code top.k}: classes reported per frame
 * @param embeddingsEnabled {@code embeddings.enabled}: publish embeddings
 * @param masksEnabled {@code masks.enabled}: publish segmentation masks (needs a dense head)
 * @param normalizeEmbeddings {@code embeddings.normalize}: L2-normalise published embeddings
 * @param device {@code device}: auto, cpu, gpu or gpu:N (one GPU of several; whether it exists is checked
 *     when the model loads)
 * @param precision {@code precision}: fp32, fp16 or bf16 (the last two on GPU only)
 * @param stateDir {@code state.dir}: Kafka Streams' local state, empty for its default
 * @param createTopics {@code topics.create}: create missing topics at start-up (sized for frames)
 * @param topicPartitions {@code topics.partitions}: partitions of topics this creates
 * @param topicReplicationFactor {@code topics.replication.factor}: replicas of topics this creates, -1
 *     for the broker's default
 * @param metrics the metrics and health endpoints ({@code metrics.*})
 * @param kafka every other setting Kafka's clients know, passed through unchanged (security, tuning)
 * @param schemaRegistry settings for the Avro serdes ({@code schema.registry.*}, {@code basic.auth.*},
 *     subject name strategies, {@code auto.register.schemas}, {@code use.latest.version})
 */
public record VisionConfig(
        String bootstrapServers,
        String applicationId,
        String schemaRegistryUrl,
        Topics topics,
        Path modelDir,
        int maxBatchSize,
        long maxBatchDelayMs,
        int maxInFlightBatches,
        int inferenceWorkers,
        int inferenceThreads,
        long inferenceTimeoutMs,
        long maxFrameAgeMs,
        int maxFrameBytes,
        long maxImagePixels,
        String processingGuarantee,
        int streamThreads,
        int topK,
        boolean embeddingsEnabled,
        boolean masksEnabled,
        boolean normalizeEmbeddings,
        String device,
        String precision,
        Optional<Path> stateDir,
        boolean createTopics,
        int topicPartitions,
        int topicReplicationFactor,
        Metrics metrics,
        Map<String, String> kafka,
        Map<String, String> schemaRegistry) {

    /** Topic names. */
    public record Topics(String input, String predictions, String embeddings, String masks, String deadLetters) {
        public Topics {
            requireTopic("input.topic", input);
            requireTopic("predictions.topic", predictions);
            requireTopic("embeddings.topic", embeddings);
            requireTopic("masks.topic", masks);
            requireTopic("dead.letter.topic", deadLetters);
            if (Set.of(predictions, embeddings, masks, deadLetters).contains(input)) {
                throw new ConfigException("input.topic '" + input + "' must differ from every output topic");
            }
        }

        private static void requireTopic(String key, String name) {
            if (name == null || !name.matches("[a-zA-Z0-9._-]{1,249}")) {
                throw new ConfigException(key + " must be a legal Kafka topic name, got '" + name + "'");
            }
        }
    }

    /**
     * The metrics and health endpoints.
     *
     * @param port {@code metrics.port}: where {@code /metrics}, {@code /healthz} and {@code /readyz} are
     *     served on every interface; 0 picks a free port, -1 serves nothing (the meters still count)
     * @param camerasEnabled {@code metrics.cameras.enabled}: count frames per camera ({@code camera} label)
     * @param camerasMax {@code metrics.cameras.max}: distinct cameras given a label of their own; frames of
     *     cameras seen after that many count under {@code camera="other"}, so a fleet that grows (or a
     *     producer that makes up source ids) cannot grow the scrape without bound
     */
    public record Metrics(int port, boolean camerasEnabled, int camerasMax) {

        /** The port the processor serves on unless told otherwise (the OpenTelemetry/Prometheus Java default). */
        public static final int DEFAULT_PORT = 9464;

        /** {@code metrics.port} value that turns the server off. */
        public static final int OFF = -1;

        public Metrics {
            if (port < OFF || port > 65_535) {
                throw new ConfigException(
                        "metrics.port must be -1 (off), 0 (any free port) or a port up to 65535, got " + port);
            }
            requireRange("metrics.cameras.max", camerasMax, 1, 10_000);
        }

        /** Whether an HTTP server is wanted. */
        public boolean serves() {
            return port != OFF;
        }
    }

    /**
     * {@code inference.timeout.ms} unless told otherwise: far beyond any batch a working model takes
     * (seconds on a CPU at 224x224 and {@code max.batch.size=64}), short of Kafka's five-minute {@code
     * max.poll.interval.ms}.
     */
    public static final long DEFAULT_INFERENCE_TIMEOUT_MS = 60_000;

    /** The shortest {@code inference.timeout.ms}: below a second, a loaded machine's pauses would trip it. */
    public static final long MIN_INFERENCE_TIMEOUT_MS = 1_000;

    /**
     * The longest {@code inference.timeout.ms}, an hour. There is no "never": a model that has not
     * answered in an hour will not, and a processor that waits for ever holds its frames for ever.
     */
    public static final long MAX_INFERENCE_TIMEOUT_MS = 3_600_000;

    /** Default value of every setting that has one. */
    public static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("application.id", "visionstream");
        d.put("input.topic", "frames");
        d.put("predictions.topic", "predictions");
        d.put("embeddings.topic", "embeddings");
        d.put("masks.topic", "masks");
        d.put("dead.letter.topic", "frames-dlq");
        d.put("max.batch.size", "16");
        d.put("max.batch.delay.ms", "50");
        d.put("max.inflight.batches", "0");
        d.put("inference.workers", "1");
        d.put("inference.threads", "0");
        d.put("inference.timeout.ms", String.valueOf(DEFAULT_INFERENCE_TIMEOUT_MS));
        d.put("max.frame.age.ms", "0");
        d.put("max.frame.bytes", String.valueOf(8 << 20));
        d.put("max.image.pixels", String.valueOf(40_000_000));
        d.put("processing.guarantee", StreamsConfig.EXACTLY_ONCE_V2);
        d.put("num.stream.threads", "1");
        d.put("top.k", "5");
        d.put("embeddings.enabled", "true");
        d.put("masks.enabled", "true");
        d.put("embeddings.normalize", "true");
        d.put("device", "auto");
        d.put("precision", "fp32");
        d.put("topics.create", "true");
        d.put("topics.partitions", "6");
        d.put("topics.replication.factor", "-1");
        d.put("metrics.port", String.valueOf(Metrics.DEFAULT_PORT));
        d.put("metrics.cameras.enabled", "true");
        d.put("metrics.cameras.max", "100");
        return Map.copyOf(d);
    }

    /** Keys this record reads itself (some of them also go to Kafka Streams). */
    static final Set<String> OWN_KEYS = Set.of(
            "bootstrap.servers",
            "application.id",
            "schema.registry.url",
            "input.topic",
            "predictions.topic",
            "embeddings.topic",
            "masks.topic",
            "dead.letter.topic",
            "model.dir",
            "max.batch.size",
            "max.batch.delay.ms",
            "max.inflight.batches",
            "inference.workers",
            "inference.threads",
            "inference.timeout.ms",
            "max.frame.age.ms",
            "max.frame.bytes",
            "max.image.pixels",
            "processing.guarantee",
            "num.stream.threads",
            "top.k",
            "embeddings.enabled",
            "masks.enabled",
            "embeddings.normalize",
            "device",
            "precision",
            "state.dir",
            "topics.create",
            "topics.partitions",
            "topics.replication.factor",
            "metrics.port",
            "metrics.cameras.enabled",
            "metrics.cameras.max");

    /** Our serdes' and registry client's keys (Confluent's names); {@code schema.registry.*} too. */
    private static final Set<String> SCHEMA_REGISTRY_KEYS = Set.of(
            AvroSerdeConfig.AUTO_REGISTER_SCHEMAS,
            AvroSerdeConfig.USE_LATEST_VERSION,
            AvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY,
            AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY,
            RegistryClientConfig.CREDENTIALS_SOURCE,
            RegistryClientConfig.USER_INFO,
            RegistryClientConfig.MAX_RETRIES,
            RegistryClientConfig.RETRIES_WAIT_MS,
            RegistryClientConfig.RETRIES_MAX_WAIT_MS,
            RegistryClientConfig.CONNECT_TIMEOUT_MS,
            RegistryClientConfig.READ_TIMEOUT_MS,
            RegistryClientConfig.LATEST_CACHE_TTL_SEC);

    private static final List<String> KAFKA_PREFIXES = List.of(
            StreamsConfig.PRODUCER_PREFIX,
            StreamsConfig.CONSUMER_PREFIX,
            StreamsConfig.MAIN_CONSUMER_PREFIX,
            StreamsConfig.RESTORE_CONSUMER_PREFIX,
            StreamsConfig.GLOBAL_CONSUMER_PREFIX,
            StreamsConfig.ADMIN_CLIENT_PREFIX,
            StreamsConfig.TOPIC_PREFIX);

    private static final Set<String> KAFKA_KEYS = kafkaKeys();

    private static Set<String> kafkaKeys() {
        Set<String> keys = new TreeSet<>(StreamsConfig.configDef().names());
        keys.addAll(ProducerConfig.configNames());
        keys.addAll(ConsumerConfig.configNames());
        keys.addAll(AdminClientConfig.configNames());
        return Set.copyOf(keys);
    }

    public VisionConfig {
        requireNonBlank("bootstrap.servers", bootstrapServers);
        requireNonBlank("application.id", applicationId);
        requireNonBlank("schema.registry.url", schemaRegistryUrl);
        if (modelDir == null) {
            throw new ConfigException("model.dir is required: the model directory to serve");
        }
        requireRange("max.batch.size", maxBatchSize, 1, 4096);
        requireRange("max.batch.delay.ms", maxBatchDelayMs, 0, 60_000);
        requireRange("max.inflight.batches", maxInFlightBatches, 0, 64);
        requireRange("inference.workers", inferenceWorkers, 1, 64);
        requireRange("inference.threads", inferenceThreads, 0, 1024);
        requireRange("inference.timeout.ms", inferenceTimeoutMs, MIN_INFERENCE_TIMEOUT_MS, MAX_INFERENCE_TIMEOUT_MS);
        requireRange("max.frame.age.ms", maxFrameAgeMs, 0, Long.MAX_VALUE);
        requireRange("max.frame.bytes", maxFrameBytes, 1024, 256 << 20);
        requireRange("max.image.pixels", maxImagePixels, 1, 1L << 31);
        if (!Set.of(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE).contains(processingGuarantee)) {
            throw new ConfigException(
                    "processing.guarantee must be exactly_once_v2 or at_least_once, got '" + processingGuarantee + "'");
        }
        requireRange("num.stream.threads", streamThreads, 1, 256);
        requireRange("top.k", topK, 1, 1000);
        if (device == null || !EngineOptions.isDevice(device)) {
            throw new ConfigException("device " + EngineOptions.DEVICES + ", got '" + device + "'");
        }
        if (!Set.of("fp32", "fp16", "bf16").contains(precision)) {
            throw new ConfigException("precision must be fp32, fp16 or bf16, got '" + precision + "'");
        }
        requireRange("topics.partitions", topicPartitions, 1, 10_000);
        Objects.requireNonNull(metrics, "metrics");
        if (topicReplicationFactor != -1 && (topicReplicationFactor < 1 || topicReplicationFactor > 32)) {
            throw new ConfigException("topics.replication.factor must be -1 (broker default) or between 1 and 32, got "
                    + topicReplicationFactor);
        }
        kafka = Map.copyOf(kafka);
        schemaRegistry = Map.copyOf(schemaRegistry);
    }

    /**
     * Builds the config from settings layered over {@link #DEFAULTS}.
     *
     * @throws ConfigException naming the first bad key: a missing required setting, a malformed or
     *     out-of-range value, or a key that is neither ours nor a Kafka or schema-registry client setting
     */
    public static VisionConfig from(Map<String, String> settings) {
        Map<String, String> s = new HashMap<>(DEFAULTS);
        s.putAll(settings);
        Map<String, String> kafka = new LinkedHashMap<>();
        Map<String, String> registry = new LinkedHashMap<>();
        for (var e : new java.util.TreeMap<>(settings).entrySet()) {
            String key = e.getKey();
            if (OWN_KEYS.contains(key)) {
                continue;
            }
            if (key.startsWith("schema.registry.") || SCHEMA_REGISTRY_KEYS.contains(key)) {
                registry.put(key, e.getValue());
            } else if (KAFKA_KEYS.contains(key) || KAFKA_PREFIXES.stream().anyMatch(key::startsWith)) {
                kafka.put(key, e.getValue());
            } else {
                throw new ConfigException("unknown setting '" + key
                        + "': not a vision setting, nor a Kafka or schema-registry client setting");
            }
        }
        registry.put("schema.registry.url", s.get("schema.registry.url"));
        return new VisionConfig(
                s.get("bootstrap.servers"),
                s.get("application.id"),
                s.get("schema.registry.url"),
                new Topics(
                        s.get("input.topic"),
                        s.get("predictions.topic"),
                        s.get("embeddings.topic"),
                        s.get("masks.topic"),
                        s.get("dead.letter.topic")),
                s.get("model.dir") == null ? null : Path.of(s.get("model.dir")),
                parseInt(s, "max.batch.size"),
                parseLong(s, "max.batch.delay.ms"),
                parseInt(s, "max.inflight.batches"),
                parseInt(s, "inference.workers"),
                parseInt(s, "inference.threads"),
                parseLong(s, "inference.timeout.ms"),
                parseLong(s, "max.frame.age.ms"),
                parseInt(s, "max.frame.bytes"),
                parseLong(s, "max.image.pixels"),
                s.get("processing.guarantee"),
                parseInt(s, "num.stream.threads"),
                parseInt(s, "top.k"),
                parseBoolean(s, "embeddings.enabled"),
                parseBoolean(s, "masks.enabled"),
                parseBoolean(s, "embeddings.normalize"),
                s.get("device").trim().toLowerCase(Locale.ROOT),
                s.get("precision").toLowerCase(Locale.ROOT),
                Optional.ofNullable(s.get("state.dir")).map(Path::of),
                parseBoolean(s, "topics.create"),
                parseInt(s, "topics.partitions"),
                parseInt(s, "topics.replication.factor"),
                new Metrics(
                        parseInt(s, "metrics.port"),
                        parseBoolean(s, "metrics.cameras.enabled"),
                        parseInt(s, "metrics.cameras.max")),
                kafka,
                registry);
    }

    /**
     * The closed batches one stream thread may have out at once: {@code max.inflight.batches}, or {@code
     * inference.workers + 1} when that is 0.
     */
    public int inFlightBatchesPerThread() {
        return maxInFlightBatches > 0 ? maxInFlightBatches : inferenceWorkers + 1;
    }

    /** Every setting with secrets masked, sorted, for logging at start-up. */
    public Map<String, String> describe() {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("bootstrap.servers", bootstrapServers);
        all.put("application.id", applicationId);
        all.put("input.topic", topics.input());
        all.put("predictions.topic", topics.predictions());
        all.put("embeddings.topic", topics.embeddings());
        all.put("masks.topic", topics.masks());
        all.put("dead.letter.topic", topics.deadLetters());
        all.put("model.dir", modelDir.toString());
        all.put("max.batch.size", String.valueOf(maxBatchSize));
        all.put("max.batch.delay.ms", String.valueOf(maxBatchDelayMs));
        all.put("max.inflight.batches", String.valueOf(maxInFlightBatches));
        all.put("inference.workers", String.valueOf(inferenceWorkers));
        all.put("inference.threads", String.valueOf(inferenceThreads));
        all.put("inference.timeout.ms", String.valueOf(inferenceTimeoutMs));
        all.put("max.frame.age.ms", String.valueOf(maxFrameAgeMs));
        all.put("max.frame.bytes", String.valueOf(maxFrameBytes));
        all.put("max.image.pixels", String.valueOf(maxImagePixels));
        all.put("processing.guarantee", processingGuarantee);
        all.put("num.stream.threads", String.valueOf(streamThreads));
        all.put("top.k", String.valueOf(topK));
        all.put("embeddings.enabled", String.valueOf(embeddingsEnabled));
        all.put("masks.enabled", String.valueOf(masksEnabled));
        all.put("embeddings.normalize", String.valueOf(normalizeEmbeddings));
        all.put("device", device);
        all.put("precision", precision);
        stateDir.ifPresent(d -> all.put("state.dir", d.toString()));
        all.put("topics.create", String.valueOf(createTopics));
        all.put("topics.partitions", String.valueOf(topicPartitions));
        all.put("topics.replication.factor", String.valueOf(topicReplicationFactor));
        all.put("metrics.port", String.valueOf(metrics.port()));
        all.put("metrics.cameras.enabled", String.valueOf(metrics.camerasEnabled()));
        all.put("metrics.cameras.max", String.valueOf(metrics.camerasMax()));
        all.putAll(kafka);
        all.putAll(schemaRegistry);
        return Secrets.masked(all);
    }

    /** Same as {@link #describe()}: a config is printed in logs, so its secrets never are. */
    @Override
    public String toString() {
        return "VisionConfig" + describe();
    }

    private static void requireNonBlank(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(key + " is required");
        }
    }

    private static void requireRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ConfigException(key + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    private static int parseInt(Map<String, String> s, String key) {
        long value = parseLong(s, key);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new ConfigException(key + " must be a 32-bit integer, got '" + s.get(key) + "'");
        }
        return (int) value;
    }

    private static long parseLong(Map<String, String> s, String key) {
        String raw = s.get(key);
        try {
            return Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be an integer, got '" + raw + "'");
        }
    }

    private static boolean parseBoolean(Map<String, String> s, String key) {
        String raw = s.get(key).trim().toLowerCase(Locale.ROOT);
        return switch (raw) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(key + " must be true or false, got '" + s.get(key) + "'");
        };
    }
}
