package io.visionstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.inference.vit.GlobalPool;
import io.visionstream.training.Family;
import io.visionstream.training.Recipe;
import io.visionstream.training.TrainConfig;
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

    @Test
    void helpListsTheFamilyOptions() {
        assertThat(run("train", "--help")).isZero();
        assertThat(out.toString()).contains("--family").contains("--window").contains("--depths");
    }

    @Test
    void theDefaultFamilyIsAViTWithTheViTsDefaults() {
        TrainConfig config = parsed("train", "--out", dir.toString()).config();

        assertThat(config.family()).isEqualTo(Family.VIT);
        assertThat(config.patch()).isEqualTo(8);
        assertThat(config.depth()).isEqualTo(4);
        assertThat(config.globalPool()).isEqualTo(GlobalPool.TOKEN);
        assertThat(config.depths()).isEmpty();
        assertThat(config.window()).isZero();
    }

    @Test
    void familySwinTakesTimmsPatchTheWindowTheDepthsAndAvgPooling() {
        TrainConfig config =
                parsed("train", "--out", dir.toString(), "--family", "swin").config();

        assertThat(config.family()).isEqualTo(Family.SWIN);
        assertThat(config.patch()).isEqualTo(4);
        assertThat(config.window()).isEqualTo(4);
        assertThat(config.depths()).containsExactly(2, 2, 2, 2);
        assertThat(config.depth()).isZero();
        assertThat(config.globalPool()).isEqualTo(GlobalPool.AVG);
        TrainConfig shaped = parsed(
                        "train", "--out", dir.toString(), "--family", "swin", "--depths", "1,1,3,1", "--window", "8")
                .config();
        assertThat(shaped.depths()).containsExactly(1, 1, 3, 1);
        assertThat(shaped.window()).isEqualTo(8);
    }

    @Test
    void optionsThatASwinDoesNotHaveAreUsageErrors() {
        assertThat(run(
                        "train",
                        "--out",
                        dir.toString(),
                        "--family",
                        "swin",
                        "--stem",
                        "conv",
                        "--stem-channels",
                        "8,16"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--stem conv needs --family vit; a Swin has its own patch embedding");
        assertThat(run("train", "--out", dir.toString(), "--family", "swin", "--teacher", dir.toString()))
                .isEqualTo(2);
        assertThat(err.toString())
                .contains("--teacher needs --family vit; DeiT distillation adds a token and head a Swin does not have");
        assertThat(run("train", "--out", dir.toString(), "--family", "swin", "--depth", "6"))
                .isEqualTo(2);
        assertThat(err.toString())
                .contains("--depth 6 is for --family vit; a Swin takes --depths per stage, e.g. 2,2,2,2");
        assertThat(run("train", "--out", dir.toString(), "--family", "swin", "--global-pool", "token"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--global-pool token needs --family vit");
    }

    @Test
    void swinOptionsWithoutFamilySwinAndUnknownFamiliesAreUsageErrors() {
        assertThat(run("train", "--out", dir.toString(), "--window", "4")).isEqualTo(2);
        assertThat(err.toString()).contains("--window 4 needs --family swin");
        assertThat(run("train", "--out", dir.toString(), "--depths", "2,2,2,2")).isEqualTo(2);
        assertThat(err.toString()).contains("--depths 2,2,2,2 needs --family swin; a ViT takes --depth");
        assertThat(run("train", "--out", dir.toString(), "--family", "resnet")).isEqualTo(2);
        assertThat(err.toString()).contains("--family must be vit or swin, got 'resnet'");
    }

    @Test
    void aSwinWindowThatDoesNotTileIsAUsageError() {
        assertThat(run("train", "--out", dir.toString(), "--family", "swin", "--window", "7"))
                .isEqualTo(2);
        assertThat(err.toString())
                .contains("--window 7 does not tile stage 0's 16x16 map (--image-size 64 / --patch 4 / 2^0)");
    }

    @Test
    void aTinySwinTrainsAndPredictServesItsMasks() throws Exception {
        Path model = dir.resolve("model");

        int code = run(
                "train",
                "--out",
                model.toString(),
                "--family",
                "swin",
                "--steps",
                "1",
                "--batch-size",
                "2",
                "--warmup-steps",
                "0",
                "--image-size",
                "32",
                "--patch",
                "2",
                "--window",
                "4",
                "--depths",
                "1,1,1,1",
                "--dim",
                "8",
                "--heads",
                "1",
                "--head-channels",
                "8",
                "--eval-every",
                "0",
                "--eval-images",
                "2");

        assertThat(code).as(err.toString()).isZero();
        assertThat(Files.readString(model.resolve("config.json")))
                .contains("\"architecture\" : \"swin_tiny_patch4_window7_224\"")
                .contains("\"window_size\" : 4");
        Path masks = dir.resolve("masks");
        Path image = Path.of("../inference/src/test/resources/fixtures/vit/png_tiny/image_96x64.png");
        assertThat(run(
                        "predict",
                        "--model",
                        model.toString(),
                        "--json",
                        "--device",
                        "cpu",
                        "--mask-out",
                        masks.toString(),
                        image.toString()))
                .as(err.toString())
                .isZero();
        assertThat(masks.resolve("image_96x64.mask.png")).isRegularFile();
    }
}
