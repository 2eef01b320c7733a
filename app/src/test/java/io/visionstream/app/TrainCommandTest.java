package io.visionstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    private int run(String... args) {
        CommandLine cli = VisionApp.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void helpListsTheTrainingOptions() {
        assertThat(run("train", "--help")).isZero();
        assertThat(out.toString())
                .startsWith("Usage: vision train")
                .contains("--out")
                .contains("--init-from")
                .contains("--eval-every")
                .contains("--threads");
    }

    @Test
    void sameSeedForTrainingAndEvaluationIsAUsageError() {
        assertThat(run("train", "--out", dir.toString(), "--seed", "3", "--eval-seed", "3"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--eval-seed must differ from --seed (3) to hold data out");
    }

    @Test
    void twoStepsOnATinyModelWriteAModelDirectoryAndReportTheHeldOutMetrics() {
        Path model = dir.resolve("model");

        int code = run(
                "train",
                "--out",
                model.toString(),
                "--steps",
                "2",
                "--batch-size",
                "2",
                "--warmup-steps",
                "1",
                "--image-size",
                "32",
                "--dim",
                "16",
                "--depth",
                "4",
                "--heads",
                "2",
                "--head-channels",
                "8",
                "--eval-every",
                "0",
                "--eval-images",
                "4");

        assertThat(code).as(err.toString()).isZero();
        assertThat(model.resolve("config.json")).isRegularFile();
        assertThat(model.resolve("model.safetensors")).isRegularFile();
        assertThat(out.toString()).contains("trained 2 steps (").contains("held-out (seed 1000): 4 images: top-1 ");
        assertThat(err.toString()).contains("2/2 loss");
        assertThat(Files.exists(model.resolve("config.json.tmp"))).isFalse();
    }

    @Test
    void convStemTrainsAndWritesItsWidthsToTheModelDirectory() throws Exception {
        Path model = dir.resolve("model");

        int code = run(
                "train",
                "--out",
                model.toString(),
                "--steps",
                "1",
                "--batch-size",
                "2",
                "--warmup-steps",
                "0",
                "--image-size",
                "32",
                "--stem",
                "conv",
                "--stem-channels",
                "8,16,16",
                "--dim",
                "16",
                "--depth",
                "4",
                "--heads",
                "2",
                "--head-channels",
                "8",
                "--eval-every",
                "0",
                "--eval-images",
                "2");

        assertThat(code).as(err.toString()).isZero();
        assertThat(Files.readString(model.resolve("config.json")))
                .contains("\"stem\" : \"conv\"")
                .containsPattern("\"stem_channels\" : \\[ 8, 16, 16 \\]");
    }

    @Test
    void convStemWithoutWidthsIsAUsageError() {
        assertThat(run("train", "--out", dir.toString(), "--stem", "conv")).isEqualTo(2);
        assertThat(err.toString()).contains("--stem conv needs --stem-channels, e.g. 24,48,96");
    }
}
