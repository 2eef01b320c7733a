package io.visionstream.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.visionstream.inference.image.DecodeLimits;
import io.visionstream.inference.image.ImageDecoder;
import io.visionstream.inference.image.Preprocessor;
import io.visionstream.inference.weights.Safetensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The whole serving path on a real file: a non-square PNG decoded by our decoder, resized and
 * center-cropped by our preprocessor (timm's eval transform), run by the engine, compared with
 * torchvision's output for the same file through PIL and torchvision's transforms
 * ({@code make_vit_fixtures.py}, case f).
 */
class PngEndToEndTest {

    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/vit");

    @Test
    void aNonSquarePngGivesTorchvisionsTopClassAndEmbedding() throws Exception {
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
                InferenceEngine engine = InferenceEngines.open(
                        FIXTURES.resolve("tiny"), EngineOptions.defaults().withDevice("cpu"))) {
            Map<String, NDArray> reference =
                    Safetensors.read(FIXTURES.resolve("png_tiny/reference.safetensors"), manager);

            Preprocessor preprocessor = new Preprocessor(engine.info().preprocess());
            float[] pixels = new float[preprocessor.floatsPerImage()];
            preprocessor.preprocess(
                    new ImageDecoder(DecodeLimits.defaults())
                            .decode(Files.readAllBytes(FIXTURES.resolve("png_tiny/image_96x64.png"))),
                    pixels,
                    0);
            ImageResult result = engine.infer(pixels, 1).get(0);

            float[] expectedInput = reference.get("input").toFloatArray();
            assertThat(maxAbsDifference(pixels, expectedInput))
                    .as("our decode + resize + crop + normalise vs PIL + torchvision")
                    .isLessThan(1e-4);
            float[] expectedLogits = reference.get("logits").toFloatArray();
            assertThat(result.top1().index()).isEqualTo(argmax(expectedLogits));
            assertThat(cosine(result.embedding(), reference.get("embedding").toFloatArray()))
                    .isGreaterThanOrEqualTo(0.999);
            assertThat(maxAbsDifference(result.logits(), expectedLogits)).isLessThan(1e-3);
        }
    }

    private static double maxAbsDifference(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void aCropModeThePreprocessorDoesNotImplementIsRefusedNotServedWithACenterCrop() throws Exception {
        // Hugging Face transformers folders resize without keeping the aspect ratio (timm's "squash").
        try (InferenceEngine engine = InferenceEngines.open(
                FIXTURES.resolve("hf_vit"), EngineOptions.defaults().withDevice("cpu"))) {
            assertThat(engine.info().preprocess().cropMode())
                    .isEqualTo(io.visionstream.inference.image.PreprocessConfig.CropMode.SQUASH);
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> new Preprocessor(engine.info().preprocess()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("pretrained_cfg.crop_mode 'squash' is not supported, only 'center'");
        }
    }
}
