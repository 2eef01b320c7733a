package io.visionstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.training.Recipe;
import io.visionstream.training.recipe.MixupCutmix;
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

    private TrainCommand parsed(String... args) {
        CommandLine.ParseResult result = VisionApp.commandLine().parseArgs(args);
        return (TrainCommand) result.subcommand().commandSpec().userObject();
    }

    @Test
    void withoutRecipeFlagsEveryRecipeOptionIsOff() {
        assertThat(parsed("train", "--out", dir.toString()).config().recipe()).isEqualTo(Recipe.NONE);
    }

    @Test
    void everyRecipeFlagReachesTheConfig() {
        Recipe recipe = parsed(
                        "train",
                        "--out",
                        dir.toString(),
                        "--label-smoothing",
                        "0.1",
                        "--mixup",
                        "0.8",
                        "--cutmix",
                        "1.0",
                        "--mixup-prob",
                        "0.9",
                        "--mixup-switch-prob",
                        "0.4",
                        "--cutmix-minmax",
                        "0.2,0.8",
                        "--rand-augment",
                        "m9-mstd0.5",
                        "--drop-path",
                        "0.1",
                        "--ema",
                        "0.9998",
                        "--ema-warmup",
                        "--teacher",
                        dir.resolve("teacher").toString())
                .config()
                .recipe();

        assertThat(recipe)
                .isEqualTo(new Recipe(
                        0.1,
                        0.8,
                        1.0,
                        0.9,
                        0.4,
                        new MixupCutmix.MinMax(0.2, 0.8),
                        "m9-mstd0.5",
                        0.1,
                        0.9998,
                        true,
                        dir.resolve("teacher")));
    }

    @Test
    void helpListsTheRecipeOptions() {
        assertThat(run("train", "--help")).isZero();
        assertThat(out.toString())
                .contains("--label-smoothing")
                .contains("--mixup")
                .contains("--cutmix-minmax")
                .contains("--rand-augment")
                .contains("--drop-path")
                .contains("--ema-warmup")
                .contains("--teacher");
    }

    @Test
    void mixupWithAnOddBatchIsAUsageError() {
        assertThat(run("train", "--out", dir.toString(), "--mixup", "0.8", "--batch-size", "5"))
                .isEqualTo(2);
        assertThat(err.toString())
                .contains("--batch-size must be even with --mixup/--cutmix (timm pairs each image with its mirror),"
                        + " got 5");
    }

    @Test
    void badRecipeValuesAreUsageErrorsNamingTheFlag() {
        assertThat(run("train", "--out", dir.toString(), "--drop-path", "1")).isEqualTo(2);
        assertThat(err.toString()).contains("--drop-path must be in [0, 1), got 1.0");
        assertThat(run("train", "--out", dir.toString(), "--cutmix-minmax", "0.2"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--cutmix-minmax needs two fractions MIN,MAX, got [0.2]");
        assertThat(run("train", "--out", dir.toString(), "--ema-warmup")).isEqualTo(2);
        assertThat(err.toString()).contains("--ema-warmup needs --ema");
    }
}
