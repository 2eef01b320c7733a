package io.visionstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import io.visionstream.inference.engine.EngineOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code --torchscript} baseline of {@code bench engine}, on the few-KB stand-in modules that {@code
 * export_torchscript_baseline.py --test-fixtures} wrote (no Python, no ViT files needed).
 */
class TorchScriptBaselineTest {

    private static final Path FIXTURES = Path.of("src/test/resources/bench/torchscript");
    private static final Shape ONE_IMAGE = new Shape(1, 3, 224, 224);

    @TempDir
    Path temp;

    @Test
    void missingDirectoryIsNamed() {
        Path dir = temp.resolve("nowhere");
        assertThatThrownBy(() -> TorchScriptBaseline.files(dir, List.of("vit_tiny_patch16_224")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--torchscript " + dir + " is not a directory (write one with " + TorchScriptBaseline.SCRIPT
                        + " DIR)");
    }

    @Test
    void missingFileNamesTheModelAndTheFileExpected() {
        assertThatThrownBy(() -> TorchScriptBaseline.files(
                        FIXTURES.resolve("standin"), List.of("vit_tiny_patch16_224", "vit_small_patch16_224")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--torchscript " + FIXTURES.resolve("standin")
                        + " has no vit_small_patch16_224.pt for model vit_small_patch16_224");
    }

    @Test
    void fileThatIsNotTorchScriptIsRejected() throws IOException {
        Path file = Files.writeString(temp.resolve("vit_tiny_patch16_224.pt"), "not a zip archive");
        assertThatThrownBy(() -> TorchScriptBaseline.load(file, ONE_IMAGE, 1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file + " is not a TorchScript file libtorch can load: ");
    }

    @Test
    void outputOfAnotherShapeIsRejected() {
        Path file = FIXTURES.resolve("wrong-shape/vit_tiny_patch16_224.pt");
        assertThatThrownBy(() -> TorchScriptBaseline.load(file, ONE_IMAGE, 1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + " returns (1, 10) for a (1, 3, 224, 224) input; the benchmarked model returns"
                        + " (1, 1000)");
    }

    @Test
    void standInGivesLogitsPerImage() {
        try (TorchScriptBaseline baseline =
                TorchScriptBaseline.load(FIXTURES.resolve("standin/vit_tiny_patch16_224.pt"), ONE_IMAGE, 1000)) {
            assertThat(baseline.infer(new float[2 * 3 * 224 * 224], 2, new Shape(3, 224, 224)))
                    .hasSize(2 * 1000);
        }
    }

    @Test
    void torchScriptWithSizesIsRejected() {
        assertThatThrownBy(() -> new EngineBenchmark.Options(
                        List.of("vit_tiny_patch16_224"),
                        List.of(1),
                        1,
                        0,
                        64,
                        EngineOptions.defaults(),
                        List.of(96),
                        FIXTURES.resolve("standin")))
                .hasMessage("--torchscript files take the models' default sizes only; drop --sizes [96]");
    }

    @Test
    void reportPrintsBothColumnsAndTheirRatio() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        EngineBenchmark.Options options = new EngineBenchmark.Options(
                List.of("vit_tiny_patch16_224"),
                List.of(1),
                0.01,
                0,
                64,
                EngineOptions.defaults(),
                List.of(),
                FIXTURES.resolve("standin"));
        EngineBenchmark.run(options, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .contains("cpu flags: ")
                .containsPattern("model +batch +ours med +TS med +ours/TS +ours /cpu +TS /cpu +ours/TS +ours of mm")
                .containsPattern("vit_tiny_patch16_224 +1 +[0-9.]+ +[0-9.]+ +[0-9.]+ +([0-9.]+|n/a) +([0-9.]+|n/a) ");
    }
}
