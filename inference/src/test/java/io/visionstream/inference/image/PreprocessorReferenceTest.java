package io.visionstream.inference.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.inference.image.Fixtures.ImageFixture;
import io.visionstream.inference.image.Fixtures.TensorFixture;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Preprocessing and decoding compared with PIL + torchvision outputs (see make_preprocess_fixtures.py). */
class PreprocessorReferenceTest {

    private static final ImageDecoder DECODER = new ImageDecoder(DecodeLimits.defaults());

    static Stream<TensorFixture> allTensors() {
        return Fixtures.tensors().stream();
    }

    static Stream<ImageFixture> pngImages() {
        return Fixtures.images().stream().filter(ImageFixture::isPng);
    }

    static Stream<ImageFixture> jpegImages() {
        return Fixtures.images().stream().filter(f -> !f.isPng());
    }

    static Stream<TensorFixture> pngTensors() {
        return allTensors().filter(t -> t.image().endsWith(".png"));
    }

    static Stream<TensorFixture> jpegTensors() {
        return allTensors().filter(t -> t.image().endsWith(".jpg"));
    }

    private static float[] run(PreprocessConfig config, DecodedImage img) {
        Preprocessor p = new Preprocessor(config);
        float[] out = new float[config.floatsPerImage()];
        p.preprocess(img, out, 0);
        return out;
    }

    private static double maxAbs(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static double meanAbs(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += Math.abs(a[i] - b[i]);
        }
        return s / a.length;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allTensors")
    void preprocessingPilPixelsMatchesTorchvisionToFloatPrecision(TensorFixture t) {
        // Same input pixels as the reference, so any difference is ours: resize, crop or normalise.
        ImageFixture image = Fixtures.image(t.image());
        float[] expected = Fixtures.floats(t.file());
        float[] actual = run(t.preprocessConfig(), Fixtures.pilRgb(image));
        assertThat(actual).hasSameSizeAs(expected);
        assertThat(maxAbs(actual, expected)).as("max |java - torchvision|").isLessThanOrEqualTo(1e-6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pngImages")
    void decodedPngEqualsPilConvertRgb(ImageFixture f) throws ImageDecodeException {
        DecodedImage img = DECODER.decode(Fixtures.bytes(f.file()));
        assertThat(img.width()).isEqualTo(f.width());
        assertThat(img.height()).isEqualTo(f.height());
        assertThat(img.rgb()).isEqualTo(Fixtures.bytes(f.file() + ".rgb.bin"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jpegImages")
    void decodedJpegIsCloseToPilAndOriented(ImageFixture f) throws ImageDecodeException {
        DecodedImage img = DECODER.decode(Fixtures.bytes(f.file()));
        byte[] expected = Fixtures.bytes(f.file() + ".rgb.bin");
        assertThat(img.width()).isEqualTo(f.width());
        assertThat(img.height()).isEqualTo(f.height());
        long sum = 0;
        int max = 0;
        for (int i = 0; i < expected.length; i++) {
            int d = Math.abs((img.rgb()[i] & 0xFF) - (expected[i] & 0xFF));
            sum += d;
            max = Math.max(max, d);
        }
        // ImageIO (IJG libjpeg 6b) and PIL (libjpeg-turbo) differ in IDCT and chroma upsampling rounding;
        // a wrong orientation would give a mean difference of tens of levels.
        assertThat((double) sum / expected.length)
                .as("mean |ImageIO - PIL| pixel")
                .isLessThan(1.5);
        assertThat(max).as("max |ImageIO - PIL| pixel").isLessThanOrEqualTo(16);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pngTensors")
    void pngDecodeThenPreprocessMatchesReferenceExactly(TensorFixture t) throws ImageDecodeException {
        DecodedImage img = DECODER.decode(Fixtures.bytes(t.image()));
        float[] expected = Fixtures.floats(t.file());
        assertThat(maxAbs(run(t.preprocessConfig(), img), expected)).isLessThanOrEqualTo(1e-6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jpegTensors")
    void jpegDecodeThenPreprocessIsWithinJpegDecoderNoise(TensorFixture t) throws ImageDecodeException {
        DecodedImage img = DECODER.decode(Fixtures.bytes(t.image()));
        float[] expected = Fixtures.floats(t.file());
        float[] actual = run(t.preprocessConfig(), img);
        // One 8-bit level is 1/255/std in normalised units, ~0.0175 for std 0.224; the resize averages
        // decoder differences, so the mean stays below half a level and the worst pixel within a few.
        double level = 1.0 / 255 / 0.224;
        assertThat(meanAbs(actual, expected)).isLessThan(0.5 * level);
        assertThat(maxAbs(actual, expected)).isLessThan(8 * level);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allTensors")
    void batchBlocksAreIndependentOfPosition(TensorFixture t) {
        PreprocessConfig config = t.preprocessConfig();
        Preprocessor p = new Preprocessor(config);
        int n = config.floatsPerImage();
        float[] batch = new float[3 * n];
        DecodedImage img = Fixtures.pilRgb(Fixtures.image(t.image()));
        p.preprocess(img, batch, 2 * n);
        float[] expected = Fixtures.floats(t.file());
        assertThat(maxAbs(java.util.Arrays.copyOfRange(batch, 2 * n, 3 * n), expected))
                .isLessThanOrEqualTo(1e-6);
        assertThat(java.util.Arrays.copyOfRange(batch, 0, 2 * n)).containsOnly(0f);
    }
}
