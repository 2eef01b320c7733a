package io.visionstream.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Configuration errors of {@code ./vision run}: one line naming the key, before anything connects. */
class RunCommandTest {

    private final StringWriter err = new StringWriter();

    private int run(Map<String, String> environment, String... args) {
        RunCommand command = new RunCommand();
        command.settings.environment = environment;
        CommandLine cli = new CommandLine(command).setExecutionExceptionHandler(CommandLines::reportFailure);
        cli.setErr(new PrintWriter(err));
        return cli.execute(java.util.Arrays.copyOfRange(args, 1, args.length));
    }

    @Test
    void aMissingModelDirIsOneLineNamingTheKey() {
        int exit =
                run(Map.of(), "run", "--set", "bootstrap.servers=localhost:1", "--set", "schema.registry.url=mock://x");
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("vision run: model.dir is required: the model directory to serve");
    }

    @Test
    void environmentVariablesAreReadAndCommandLineSettingsWinOverThem() {
        int exit = run(
                Map.of(
                        "VISION_BOOTSTRAP_SERVERS",
                        "localhost:1",
                        "VISION_SCHEMA_REGISTRY_URL",
                        "mock://x",
                        "VISION_MODEL_DIR",
                        "m",
                        "VISION_MAX_BATCH_SIZE",
                        "8"),
                "run",
                "--set",
                "max.batch.size=0");
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("vision run: max.batch.size must be between 1 and 4096, got 0");
    }

    @Test
    void aConfigFileIsReadAndATypoInItIsNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("vision.properties");
        Files.writeString(
                file, "bootstrap.servers=localhost:1\nschema.registry.url=mock://x\nmodel.dir=m\nmax.bach.size=8\n");
        int exit = run(Map.of(), "run", "--config", file.toString());
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().strip())
                .isEqualTo("vision run: unknown setting 'max.bach.size': not a vision"
                        + " setting, nor a Kafka or schema-registry client setting");
    }

    @Test
    void aModelDirectoryThatDoesNotExistIsNamed(@TempDir Path dir) {
        int exit = run(
                Map.of(),
                "run",
                "--set",
                "bootstrap.servers=localhost:1",
                "--set",
                "schema.registry.url=mock://x",
                "--set",
                "model.dir=" + dir.resolve("missing"),
                "--set",
                "metrics.port=0");
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString())
                .startsWith("vision run: ")
                .contains(dir.resolve("missing").toString());
    }

    @Test
    void aMetricsPortAlreadyInUseIsOneLineNamingTheSettingAndThePortBeforeTheModelLoads() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            int port = taken.getLocalPort();
            // model.dir does not exist: the port is checked first, so its line is the one printed
            int exit = run(Map.of(), runSetting("metrics.port=" + port));
            assertThat(exit).isEqualTo(1);
            assertThat(err.toString().strip()).isEqualTo("vision run: metrics.port " + port + " is already in use");
        }
    }

    @Test
    void aMetricsPortOutOfRangeIsNamed() {
        int exit = run(Map.of(), runSetting("metrics.port=70000"));
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().strip())
                .isEqualTo("vision run: metrics.port must be -1 (off), 0 (any free port) or a port up to 65535, got"
                        + " 70000");
    }

    private static final String JAAS =
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p4ss\";";

    /** {@code run} with the three required settings and {@code more}, each as {@code --set KEY=VALUE}. */
    private static String[] runSetting(String... more) {
        List<String> args = new ArrayList<>(List.of("run"));
        for (String setting : List.of("bootstrap.servers=localhost:1", "schema.registry.url=mock://x", "model.dir=m")) {
            args.addAll(List.of("--set", setting));
        }
        for (String setting : more) {
            args.addAll(List.of("--set", setting));
        }
        return args.toArray(String[]::new);
    }

    @Test
    void aBadValueNextToSecretsIsNamedWithoutEchoingTheSecrets() {
        int exit = run(
                Map.of("VISION_BASIC_AUTH_USER_INFO", "svc:s3cret"),
                runSetting("sasl.jaas.config=" + JAAS, "max.batch.size=many"));
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("vision run: max.batch.size must be an integer, got 'many'");
    }

    @Test
    void aTypoInTheKeyOfASecretNamesTheKeyButNotTheValue() {
        int exit = run(Map.of(), runSetting("basic.auth.userinfo=svc:s3cret"));
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().strip())
                .isEqualTo("vision run: unknown setting 'basic.auth.userinfo': not a vision"
                        + " setting, nor a Kafka or schema-registry client setting");
    }

    @Test
    void aMistypedOptionBeforeASecretDoesNotEchoTheSecret() {
        StringWriter out = new StringWriter();
        CommandLine cli = ProcessorApp.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute("run", "--sett", "sasl.jaas.config=" + JAAS);
        assertThat(exit).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString())
                .isEqualTo("Unknown options: '--sett', 'sasl.jaas.config=[hidden]'%nPossible solutions: --set%n"
                        .formatted());
    }

    @Test
    void aMistypedSecretKeyOrARegistryUrlWithUserInfoIsNotEchoedByAUsageError() {
        CommandLine cli = ProcessorApp.commandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(
                "run", "--sett", "sasl.jass.config=" + JAAS, "schema.registry.url=http://svc:Url-S3cret@registry:8081");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString())
                .isEqualTo(("Unknown options: '--sett', 'sasl.jass.config=[hidden]',"
                                + " 'schema.registry.url=http://[hidden]@registry:8081'%nPossible solutions: --set%n")
                        .formatted())
                .doesNotContain("Url-S3cret");
    }
}
