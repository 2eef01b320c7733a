package io.visionstream.app.reliability;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.app.VisionApp;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.registry.BasicCredentials;
import io.visionstream.schemas.registry.LocalSchemaRegistryServer;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.topology.config.ClientSettings;
import io.visionstream.topology.config.Sources;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.runtime.ProcessorInstance;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor and the command-line clients against a broker whose client listener demands SASL/PLAIN
 * and a schema registry that demands basic auth, configured by settings alone: {@code security.protocol},
 * {@code sasl.mechanism}, {@code sasl.jaas.config}, {@code basic.auth.credentials.source} and {@code
 * basic.auth.user.info} in a {@code --config} file.
 *
 * <p>One processor run, in {@link #processFramesThroughTheSecuredCluster}, is shared by the tests that
 * check what came out of it and what it logged. Every password is random, so finding one in the output can
 * only be a leak.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SecuredClusterIT {

    private static final Path MODEL = Path.of("../inference/src/test/resources/fixtures/vit/tiny");
    private static final Path IMAGE = Path.of("../inference/src/test/resources/fixtures/vit/png_tiny/image_96x64.png");
    private static final int FRAMES = 4;

    private static final String KAFKA_USER = "vision";
    private static final String KAFKA_PASSWORD = "kafka-pw-" + UUID.randomUUID();
    private static final String REGISTRY_USER = "vision-registry";
    private static final String REGISTRY_PASSWORD = "registry-pw-" + UUID.randomUUID();
    // These two are set but unused under SASL_PLAINTEXT; Kafka's clients still print every ssl.* setting.
    private static final String TRUSTSTORE_PASSWORD = "truststore-pw-" + UUID.randomUUID();
    private static final String KEY_PASSWORD = "key-pw-" + UUID.randomUUID();

    private static EmbeddedKafkaCluster kafka;
    private static LocalSchemaRegistryServer registry;
    private static Path work;

    /** What the shared run saw. */
    private static List<Prediction> predictions;

    private static CliResult produced;
    private static CliResult verified;
    private static String captured;

    private record CliResult(int exit, String out, String err) {}

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        work = dir;
        kafka = EmbeddedKafkaCluster.start(
                EmbeddedKafkaCluster.Settings.singleBroker(16 << 20).withSaslPlain(Map.of(KAFKA_USER, KAFKA_PASSWORD)));
        registry =
                LocalSchemaRegistryServer.start(0, Optional.of(new BasicCredentials(REGISTRY_USER, REGISTRY_PASSWORD)));
        processFramesThroughTheSecuredCluster();
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /**
     * Settings for one scenario: its own topics, application id and state, with the right credentials for
     * both the broker and the registry.
     */
    private static Map<String, String> settings(String scenario) throws IOException {
        Map<String, String> s = new HashMap<>();
        s.put("bootstrap.servers", kafka.bootstrapServers());
        s.put("schema.registry.url", registry.url());
        s.put("security.protocol", "SASL_PLAINTEXT");
        s.put("sasl.mechanism", "PLAIN");
        s.put("sasl.jaas.config", jaas(KAFKA_PASSWORD));
        s.put("basic.auth.credentials.source", "USER_INFO");
        s.put("basic.auth.user.info", REGISTRY_USER + ":" + REGISTRY_PASSWORD);
        s.put("ssl.truststore.password", TRUSTSTORE_PASSWORD);
        s.put("ssl.key.password", KEY_PASSWORD);
        s.put("model.dir", MODEL.toString());
        s.put("application.id", "secured-" + scenario);
        s.put("input.topic", scenario + "-frames");
        s.put("predictions.topic", scenario + "-predictions");
        s.put("embeddings.topic", scenario + "-embeddings");
        s.put("masks.topic", scenario + "-masks");
        s.put("dead.letter.topic", scenario + "-dlq");
        s.put("topics.partitions", "2");
        s.put("state.dir", Files.createTempDirectory(work, "state-").toString());
        // Kafka Streams does not leave its group on close; a short session lets the next test's group settle.
        s.put("consumer.session.timeout.ms", "6000");
        // Any free port: a fixed one could be taken on a shared machine.
        s.put("metrics.port", "0");
        return s;
    }

    private static String jaas(String password) {
        return EmbeddedKafkaCluster.SaslPlain.jaasConfig(KAFKA_USER, password);
    }

    /** Writes settings as a Java properties file, as an operator would for {@code --config}. */
    private static Path configFile(Map<String, String> settings) throws IOException {
        Properties props = new Properties();
        props.putAll(settings);
        Path file = Files.createTempFile(work, "vision-", ".properties");
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            props.store(out, null);
        }
        return file;
    }

    private static CliResult vision(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = VisionApp.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new CliResult(exit, out.toString(), err.toString());
    }

    /**
     * Starts the processor from a config file, sends frames with {@code ./vision produce --config} and the
     * same file, waits for their predictions, and runs {@code ./vision verify --config}; all of it while
     * capturing the logs and the console.
     */
    private static void processFramesThroughTheSecuredCluster() throws Exception {
        Map<String, String> settings = settings("shared");
        Path config = configFile(settings);
        try (LogCapture capture = LogCapture.start()) {
            try (ProcessorInstance processor = ProcessorInstance.start(VisionConfig.from(Sources.fromFile(config)))) {
                assertThat(processor.awaitRunning(Duration.ofSeconds(90))).isTrue();
                List<String> args = new ArrayList<>(List.of("produce", "--config", config.toString()));
                for (int i = 0; i < FRAMES; i++) {
                    args.add(IMAGE.toString());
                }
                produced = vision(args.toArray(String[]::new));
                predictions = consumePredictions(settings, FRAMES);
                verified = vision("verify", "--config", config.toString());
            }
            captured = capture.everything();
        }
    }

    /** Reads predictions (read_committed) with the clients' settings, as {@code ./vision consume} would. */
    private static List<Prediction> consumePredictions(Map<String, String> settings, int n) {
        ClientSettings client = ClientSettings.from(settings);
        var values = AvroSerdes.specific(Prediction.class, client.schemaRegistry(), false)
                .deserializer();
        List<Prediction> out = new ArrayList<>();
        Map<String, Object> extra = Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "secured-it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (var consumer = new KafkaConsumer<>(client.clientProperties(extra), new StringDeserializer(), values)) {
            consumer.subscribe(List.of(client.topics().predictions()));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (out.size() < n && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }

    private static List<String> secrets() {
        return List.of(
                KAFKA_PASSWORD,
                REGISTRY_PASSWORD,
                TRUSTSTORE_PASSWORD,
                KEY_PASSWORD,
                // The registry's Authorization header, as a client would send it.
                Base64.getEncoder()
                        .encodeToString((REGISTRY_USER + ":" + REGISTRY_PASSWORD).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void framesSentWithTheSameSettingsComeOutAsPredictions() {
        assertThat(produced.exit()).as(produced.err()).isZero();
        assertThat(produced.out()).isEqualTo("sent " + FRAMES + " frames to shared-frames\n");
        assertThat(predictions).hasSize(FRAMES);
        assertThat(predictions).allSatisfy(p -> {
            assertThat(p.getSourceId()).isEqualTo("files");
            assertThat(p.getLineage().getModelName()).isEqualTo("tiny");
        });
    }

    @Test
    void verifyWithTheSameSettingsFindsEveryFrameWithExactlyOneOutcome() {
        assertThat(verified.exit()).as(verified.out() + verified.err()).isZero();
    }

    @Test
    void noPasswordAppearsInAnythingLoggedOrPrintedDuringTheRun() {
        assertThat(captured).isNotBlank();
        for (String secret : secrets()) {
            assertThat(captured).as("captured output contains a secret").doesNotContain(secret);
        }
    }

    @Test
    void theProcessorLogsItsSettingsWithEverySecretMasked() {
        assertThat(captured)
                .contains("Starting with {")
                .contains("sasl.jaas.config=[hidden]")
                .contains("basic.auth.user.info=[hidden]")
                .contains("ssl.truststore.password=[hidden]")
                .contains("ssl.key.password=[hidden]")
                .contains("security.protocol=SASL_PLAINTEXT")
                .contains("basic.auth.credentials.source=USER_INFO");
    }

    @Test
    void kafkasOwnClientConfigDumpsWereCapturedAndHideTheJaasConfig() {
        // The capture turned Kafka's INFO on: these dumps are what a leak there would look like.
        assertThat(captured)
                .contains("ProducerConfig values:")
                .contains("ConsumerConfig values:")
                .contains("AdminClientConfig values:")
                .contains("StreamsConfig values:")
                .contains("sasl.jaas.config = [hidden]")
                .contains("ssl.truststore.password = [hidden]")
                .contains("security.protocol = SASL_PLAINTEXT");
    }

    private static void assertNoSecretIn(String text, String... more) {
        List<String> all = new ArrayList<>(secrets());
        all.addAll(List.of(more));
        for (String secret : all) {
            assertThat(text).as("output contains a secret").doesNotContain(secret);
        }
    }

    @Test
    void aWrongBrokerPasswordFailsStartUpWithAnAuthenticationError() throws Exception {
        String wrong = "not-" + KAFKA_PASSWORD;
        Map<String, String> settings = settings("wrong-broker-password");
        settings.put("sasl.jaas.config", jaas(wrong));
        VisionConfig config = VisionConfig.from(settings);

        try (LogCapture capture = LogCapture.start()) {
            assertThatThrownBy(() -> ProcessorInstance.start(config).close())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("could not list topics: Authentication failed: Invalid username or password");
            assertNoSecretIn(capture.everything(), wrong);
        }
    }

    @Test
    void aWrongBrokerPasswordAlsoFailsStartUpOfAProcessorThatCreatesNoTopics() throws Exception {
        String wrong = "not-" + KAFKA_PASSWORD;
        Map<String, String> settings = settings("wrong-broker-password-no-setup");
        settings.put("sasl.jaas.config", jaas(wrong));
        settings.put("topics.create", "false");
        VisionConfig config = VisionConfig.from(settings);

        // Checking that its topics exist is the first thing it asks of the cluster.
        try (LogCapture capture = LogCapture.start()) {
            assertThatThrownBy(() -> ProcessorInstance.start(config).close())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("could not list topics: Authentication failed: Invalid username or password");
            assertNoSecretIn(capture.everything(), wrong);
        }
    }

    @Test
    void aWrongRegistryPasswordStopsRunAtStartUpWithOneLineNamingTheTopicAnd401() throws Exception {
        String wrong = "not-" + REGISTRY_PASSWORD;
        Map<String, String> bad = settings("wrong-registry-password");
        bad.put("basic.auth.user.info", REGISTRY_USER + ":" + wrong);
        Path badFile = configFile(bad);

        try (LogCapture capture = LogCapture.start()) {
            // No frame is needed: the output schemas are resolved before Kafka Streams starts.
            CliResult result = vision("run", "--config", badFile.toString());

            assertThat(result.exit()).isEqualTo(1);
            assertThat(result.err().lines())
                    .singleElement(as(InstanceOfAssertFactories.STRING))
                    .startsWith("vision run: the schema registry cannot take the records of output topic"
                            + " 'wrong-registry-password-predictions': ")
                    .contains("Schema Registry refused POST /subjects/wrong-registry-password-predictions-value/")
                    .endsWith(": HTTP 401, error_code 401: Unauthorized");
            assertThat(capture.everything())
                    .contains("Starting with {")
                    .contains("sasl.jaas.config=[hidden]")
                    .contains("basic.auth.user.info=[hidden]")
                    .doesNotContain("Kafka Streams CREATED -> REBALANCING");
            assertNoSecretIn(capture.everything() + result.out() + result.err(), wrong);
        }
    }

    @Test
    void aMalformedJaasConfigIsReportedWithoutItsPassword() {
        try (LogCapture capture = LogCapture.start()) {
            // No closing semicolon: Kafka refuses the JAAS config when the first client is made.
            CliResult result = vision(
                    "run",
                    "--set",
                    "bootstrap.servers=" + kafka.bootstrapServers(),
                    "--set",
                    "schema.registry.url=" + registry.url(),
                    "--set",
                    "model.dir=" + MODEL,
                    "--set",
                    "security.protocol=SASL_PLAINTEXT",
                    "--set",
                    "sasl.mechanism=PLAIN",
                    "--set",
                    "sasl.jaas.config=" + jaas(KAFKA_PASSWORD).replace(";", ""),
                    "--set",
                    "metrics.port=0");

            assertThat(result.exit()).isEqualTo(1);
            assertThat(result.err())
                    .isEqualTo("vision run: Failed to create new KafkaAdminClient: Failed to create new NetworkClient:"
                            + " JAAS config entry not terminated by semi-colon%n".formatted());
            assertNoSecretIn(capture.everything() + result.out() + result.err());
        }
    }
}
