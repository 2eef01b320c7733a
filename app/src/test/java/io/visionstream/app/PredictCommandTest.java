package io.visionstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./vision predict} on the inference module's tiny torchvision-made fixture models. */
class PredictCommandTest {

    private static final Path FIXTURES = Path.of("../inference/src/test/resources/fixtures/vit");
    private static final Path MODEL = FIXTURES.resolve("tiny");
    private static final Path IMAGE = FIXTURES.resolve("png_tiny/image_96x64.png");

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        var cli = VisionApp.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void jsonOutputHasTheTopClassesAllLogitsAndTheEmbedding() throws Exception {
        int exit = run(
                "predict", "--model", MODEL.toString(), "--top-k", "3", "--json", "--device", "cpu", IMAGE.toString());

        assertThat(exit).as(err.toString()).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(1);
        JsonNode node = new ObjectMapper().readTree(lines.get(0));
        assertThat(node.get("image").asText()).isEqualTo(IMAGE.toString());
        assertThat(node.get("top")).hasSize(3);
        assertThat(node.get("logits")).hasSize(10);
        assertThat(node.get("embedding")).hasSize(32);
        // Scores are softmax probabilities, best first.
        double first = node.get("top").get(0).get("score").asDouble();
        double second = node.get("top").get(1).get("score").asDouble();
        assertThat(first).isBetween(0.0, 1.0).isGreaterThanOrEqualTo(second);
        int argmax = 0;
        for (int i = 1; i < node.get("logits").size(); i++) {
            if (node.get("logits").get(i).asDouble()
                    > node.get("logits").get(argmax).asDouble()) {
                argmax = i;
            }
        }
        assertThat(node.get("top").get(0).get("index").asInt()).isEqualTo(argmax);
    }

    @Test
    void aBrokenImageGetsAnErrorLineTheOthersStillGetResultsAndTheExitCodeIsOne(@TempDir Path dir) throws Exception {
        Path truncated = dir.resolve("truncated.png");
        byte[] png = Files.readAllBytes(IMAGE);
        Files.write(truncated, java.util.Arrays.copyOf(png, png.length / 2));

        int exit = run(
                "predict",
                "--model",
                MODEL.toString(),
                "--json",
                "--device",
                "cpu",
                truncated.toString(),
                IMAGE.toString());

        assertThat(exit).isEqualTo(1);
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(2);
        JsonNode error = new ObjectMapper().readTree(lines.get(0));
        assertThat(error.get("image").asText()).isEqualTo(truncated.toString());
        assertThat(error.get("error").asText()).startsWith("TRUNCATED");
        assertThat(new ObjectMapper().readTree(lines.get(1)).get("top")).isNotEmpty();
        assertThat(err.toString()).contains("vision predict: " + truncated + ": TRUNCATED");
    }

    @Test
    void maskOutWritesAClassIndexMaskAtTheImagesSizeAndAnOverlayScaledUpToAtLeast256Pixels(@TempDir Path dir)
            throws Exception {
        Path model = io.visionstream.topology.processing.TestFrames.segmentingModel(dir.resolve("model"));
        Path masks = dir.resolve("masks");
        int exit = run(
                "predict",
                "--model",
                model.toString(),
                "--json",
                "--device",
                "cpu",
                "--mask-out",
                masks.toString(),
                IMAGE.toString());

        assertThat(exit).as(err.toString()).isZero();
        JsonNode node =
                new ObjectMapper().readTree(out.toString().lines().findFirst().orElseThrow());
        Path mask = masks.resolve("image_96x64.mask.png");
        assertThat(node.get("mask").asText()).isEqualTo(mask.toString());
        assertThat(masks.resolve("image_96x64.overlay.png")).exists();
        byte[] classes = io.visionstream.inference.image.ImageEncoder.decodeMask(
                Files.readAllBytes(mask), io.visionstream.inference.image.DecodeLimits.defaults());
        assertThat(classes).hasSize(96 * 64);
        for (byte b : classes) {
            assertThat(b & 0xFF).isIn(0, 1, 2, 3, 255);
        }
        var overlay = javax.imageio.ImageIO.read(
                masks.resolve("image_96x64.overlay.png").toFile());
        // 64 px high: scaled up 4 times, by nearest neighbour, to 256.
        assertThat(overlay.getWidth()).isEqualTo(4 * 96);
        assertThat(overlay.getHeight()).isEqualTo(4 * 64);
    }

    @Test
    void maskOutWithAModelWithoutADenseHeadIsRefusedUpFront(@TempDir Path dir) {
        int exit = run(
                "predict",
                "--model",
                MODEL.toString(),
                "--device",
                "cpu",
                "--mask-out",
                dir.toString(),
                IMAGE.toString());
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().strip())
                .isEqualTo("vision predict: --mask-out needs a model with a dense head; " + MODEL + " has none");
    }

    @Test
    void aMissingModelDirectoryFailsNamingIt() {
        int exit = run("predict", "--model", "no/such/model", IMAGE.toString());
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().lines().toList())
                .singleElement()
                .asString()
                .startsWith("vision predict: ")
                .contains("no/such/model");
    }

    @Test
    void aHybridModelDirectoryPredictsLikeTheReference() throws Exception {
        // vit_small_r26_s32_224 shrunk (ResNetV2 stages + ViT), made by make_hybrid_fixtures.py
        Path hybrid = Path.of("../inference/src/test/resources/fixtures/hybrid");
        Path image = hybrid.resolve("png_small_r26/image_100x76.png");

        int exit = run(
                "predict",
                "--model",
                hybrid.resolve("small_r26_s32").toString(),
                "--json",
                "--device",
                "cpu",
                image.toString());

        assertThat(exit).as(err.toString()).isZero();
        JsonNode node =
                new ObjectMapper().readTree(out.toString().lines().findFirst().orElseThrow());
        assertThat(node.get("embedding")).hasSize(32);
        try (var manager = ai.djl.ndarray.NDManager.newBaseManager("PyTorch")) {
            float[] expected = io.visionstream.inference.weights.Safetensors.read(
                            hybrid.resolve("png_small_r26/reference.safetensors"), manager)
                    .get("logits")
                    .toFloatArray();
            assertThat(node.get("logits")).hasSize(expected.length);
            for (int i = 0; i < expected.length; i++) {
                assertThat(node.get("logits").get(i).asDouble())
                        .as("logit %d", i)
                        .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    @Test
    void aSwinHubFolderPredicts() throws Exception {
        // swin_tiny_patch4_window7_224 shrunk (make_swin_fixtures.py); its references are for a tensor
        // input, so this checks the command end to end, the loader's numbers are checked in inference
        Path swin = Path.of("../inference/src/test/resources/fixtures/swin/native_128");
        Path image = Path.of("../inference/src/test/resources/fixtures/hybrid/png_small_r26/image_100x76.png");

        int exit = run("predict", "--model", swin.toString(), "--json", "--device", "cpu", image.toString());

        assertThat(exit).as(err.toString()).isZero();
        JsonNode node =
                new ObjectMapper().readTree(out.toString().lines().findFirst().orElseThrow());
        assertThat(node.get("embedding")).hasSize(64);
        assertThat(node.get("logits")).hasSize(10);
    }
}
