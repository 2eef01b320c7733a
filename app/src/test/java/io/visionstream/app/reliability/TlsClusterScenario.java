package io.visionstream.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.app.VisionApp;
import io.visionstream.schemas.registry.LocalSchemaRegistryServer;
import io.visionstream.testkit.BrokerProcessCluster;
import io.visionstream.testkit.TestCertificates;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The processor and the command-line clients against one broker process whose client listener demands
 * TLS, configured by settings alone ({@code security.protocol}, {@code ssl.*}, {@code sasl.*} in one {@code
 * --config} file). A subclass picks the listener and the client's credentials.
 *
 * <p>One run, made before the tests, is shared by the tests that check what came out of it and what was
 * logged or printed meanwhile: the processor starts from the file, {@code produce --config} sends frames,
 * {@code consume --config} reads the predictions back, {@code verify --config} accounts for every frame.
 * Every password is random, so finding one in the output can only be a leak. Certificates are made once per
 * test JVM ({@link #certificates()}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TlsClusterScenario {

    static final Path MODEL = Path.of("../inference/src/test/resources/fixtures/vit/tiny");
    private static final Path IMAGE = Path.of("../inference/src/test/resources/fixtures/vit/png_tiny/image_96x64.png");
    static final int FRAMES = 4;

    private static TestCertificates certificates;

    record CliResult(int exit, String out, String err) {}

    BrokerProcessCluster cluster;
    private LocalSchemaRegistryServer registry;
    private Path work;
    CliResult produced;
    CliResult consumed;
    CliResult verified;
    String captured;

    /** The CA and key stores, made on first use and shared by every TLS scenario of this JVM. */
    static synchronized TestCertificates certificates() {
        if (certificates == null) {
            certificates = TestCertificates.create(
                    Path.of("target", "reliability", "tls").toAbsolutePath());
        }
        return certificates;
    }

    /** The scenario's name: its directory under {@code target/reliability/}, and its topics' prefix. */
    abstract String name();

    /** One node whose client listener is the one under test. */
    abstract BrokerProcessCluster.Settings clusterSettings(Path directory);

    /** Anything the cluster needs before clients connect, such as their users. */
    void prepare(BrokerProcessCluster started) {}

    /** The client's security settings: what an operator writes into the config file. */
    abstract Map<String, String> clientSecurity();

    /** Every password and key password the run knows; none may ever be printed. */
    List<String> secrets() {
        return new ArrayList<>(certificates().passwords());
    }

    @BeforeAll
    void startAndRun() throws Exception {
        work = Files.createDirectories(Path.of("target", "reliability", name()).toAbsolutePath());
        cluster = BrokerProcessCluster.start(clusterSettings(work.resolve("broker")));
        prepare(cluster);
        registry = LocalSchemaRegistryServer.start(0);
        Path config = configFile(settings("shared"));
        try (LogCapture capture = LogCapture.start()) {
            try (ProcessorInstance processor = ProcessorInstance.start(VisionConfig.from(Sources.fromFile(config)))) {
                assertThat(processor.awaitRunning(Duration.ofSeconds(90))).isTrue();
                List<String> args = new ArrayList<>(List.of("produce", "--config", config.toString()));
                for (int i = 0; i < FRAMES; i++) {
                    args.add(IMAGE.toString());
                }
                produced = vision(args.toArray(String[]::new));
                consumed = vision(
                        "consume",
                        "--config",
                        config.toString(),
                        "--from-beginning",
                        "--max",
                        String.valueOf(FRAMES),
                        "--idle",
                        "60s");
                verified = vision("verify", "--config", config.toString());
            }
            captured = capture.everything();
        }
    }

    @AfterAll
    void stop() {
        if (registry != null) {
            registry.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Settings for one scenario: its own topics, application id and state, and the client's credentials. */
    Map<String, String> settings(String scenario) throws IOException {
        Map<String, String> s = new HashMap<>();
        s.put("bootstrap.servers", cluster.bootstrapServers());
        s.put("schema.registry.url", registry.url());
        s.putAll(clientSecurity());
        s.put("model.dir", MODEL.toString());
        s.put("application.id", name() + "-" + scenario);
        s.put("input.topic", scenario + "-frames");
        s.put("predictions.topic", scenario + "-predictions");
        s.put("embeddings.topic", scenario + "-embeddings");
        s.put("masks.topic", scenario + "-masks");
        s.put("dead.letter.topic", scenario + "-dlq");
        s.put("topics.partitions", "2");
        s.put("state.dir", Files.createTempDirectory(work, "state-").toString());
        s.put("consumer.session.timeout.ms", "6000");
        return s;
    }

    /** Writes settings as a Java properties file, as an operator would for {@code --config}. */
    Path configFile(Map<String, String> settings) throws IOException {
        Properties props = new Properties();
        props.putAll(settings);
        Path file = Files.createTempFile(work, "vision-", ".properties");
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            props.store(out, null);
        }
        return file;
    }

    static CliResult vision(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = VisionApp.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new CliResult(exit, out.toString(), err.toString());
    }

    /**
     * Starts {@code run} with {@code settings}, expecting it to stop at start-up: exit status 1 and one line
     * on stderr, which is returned. Nothing it logged or printed may hold a secret.
     */
    String runFailsWithOneLine(Map<String, String> settings, String... moreSecrets) throws IOException {
        Path file = configFile(settings);
        try (LogCapture capture = LogCapture.start()) {
            CliResult result = vision("run", "--config", file.toString());
            assertThat(result.exit()).as(result.out() + result.err()).isEqualTo(1);
            assertThat(result.err().lines()).hasSize(1);
            String everything = capture.everything() + result.out() + result.err();
            List<String> all = new ArrayList<>(secrets());
            all.addAll(List.of(moreSecrets));
            for (String secret : all) {
                assertThat(everything).as("output contains a secret").doesNotContain(secret);
            }
            assertThat(everything).doesNotContain("Kafka Streams CREATED -> REBALANCING");
            System.out.println(name() + ": run refused with: " + result.err().strip());
            return result.err().strip();
        }
    }

    @Test
    void framesSentWithTheSettingsFileArePredictedAndConsumedWithIt() {
        assertThat(produced.exit()).as(produced.err()).isZero();
        assertThat(produced.out()).isEqualTo("sent " + FRAMES + " frames to shared-frames\n");
        assertThat(consumed.exit()).as(consumed.err()).isZero();
        assertThat(consumed.out().lines()).hasSize(FRAMES).allSatisfy(line -> assertThat(line)
                .contains("\"topic\":\"shared-predictions\"")
                .contains("\"modelName\":\"tiny\""));
    }

    @Test
    void verifyWithTheSettingsFileFindsEveryFrameWithExactlyOneOutcome() {
        assertThat(verified.exit()).as(verified.out() + verified.err()).isZero();
        assertThat(verified.out())
                .contains("inputs " + FRAMES + ", predictions " + FRAMES + ", dead letters 0")
                .contains("CLEAN");
    }

    @Test
    void noPasswordAppearsInAnythingLoggedOrPrintedDuringTheRun() {
        assertThat(captured).isNotBlank();
        for (String secret : secrets()) {
            assertThat(captured).as("captured output contains a secret").doesNotContain(secret);
        }
    }

    @Test
    void ourStartUpLineAndKafkasConfigDumpsMaskEverySslAndSaslSecret() {
        assertThat(captured).contains("Starting with {").contains("ProducerConfig values:");
        for (String key : clientSecurity().keySet()) {
            if (key.contains("password") || key.endsWith("jaas.config")) {
                assertThat(captured).contains(key + "=[hidden]").contains(key + " = [hidden]");
            }
        }
        assertThat(captured)
                .contains("security.protocol = " + clientSecurity().get("security.protocol"))
                .doesNotContain("Kafka Streams ERROR");
    }
}
