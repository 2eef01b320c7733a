package io.visionstream.inference.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.inference.engine.InputBatch;
import io.visionstream.inference.image.Fixtures.TensorFixture;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Preprocessing straight into a slot of an engine input batch: the frame's one copy on its way to the model. */
class PreprocessorIntoSlotTest {

    private static final float SENTINEL = -123.5f;

    static Stream<TensorFixture> tensors() {
        return Fixtures.tensors().stream().filter(t -> t.image().endsWith(".png"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tensors")
    void aSlotInTheMiddleOfABatchGetsTheTorchvisionFloatsAndItsNeighboursAreUntouched(TensorFixture t)
            throws Exception {
        PreprocessConfig config = t.preprocessConfig();
        int n = config.floatsPerImage();
        InputBatch batch = InputBatch.allocate(4, n);
        float[] sentinels = new float[4 * n];
        Arrays.fill(sentinels, SENTINEL);
        batch.copyFrom(sentinels, 0);

        new Preprocessor(config).preprocess(Fixtures.pilRgb(Fixtures.image(t.image())), batch.slot(2));

        float[] all = new float[4 * n];
        batch.copyTo(0, 4, all, 0);
        float[] expected = Fixtures.floats(t.file());
        float[] slot = Arrays.copyOfRange(all, 2 * n, 3 * n);
        double max = 0;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, Math.abs(slot[i] - expected[i]));
        }
        assertThat(max).isLessThanOrEqualTo(1e-6);
        assertThat(Arrays.copyOfRange(all, 0, 2 * n)).containsOnly(SENTINEL);
        assertThat(Arrays.copyOfRange(all, 3 * n, 4 * n)).containsOnly(SENTINEL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tensors")
    void aSlotGetsExactlyTheFloatsOfTheArrayPath(TensorFixture t) throws Exception {
        Preprocessor preprocessor = new Preprocessor(t.preprocessConfig());
        DecodedImage image = Fixtures.pilRgb(Fixtures.image(t.image()));
        float[] viaArray = new float[preprocessor.floatsPerImage()];
        preprocessor.preprocess(image, viaArray, 0);
        InputBatch batch = InputBatch.allocate(3, preprocessor.floatsPerImage());

        preprocessor.preprocess(image, batch.slot(1));

        float[] viaSlot = new float[preprocessor.floatsPerImage()];
        batch.copyTo(1, 1, viaSlot, 0);
        assertThat(viaSlot).containsExactly(viaArray);
    }

    @Test
    void aBufferTooSmallForTheImageIsRefused() {
        Preprocessor preprocessor = new Preprocessor(PreprocessConfig.fromTimm(
                new int[] {3, 8, 8}, new double[] {0.5, 0.5, 0.5}, new double[] {0.5, 0.5, 0.5}, 1.0, "bilinear"));
        assertThatThrownBy(() ->
                        preprocessor.preprocess(new DecodedImage(8, 8, new byte[8 * 8 * 3]), FloatBuffer.allocate(100)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("destination of 100 floats cannot hold an image of 192");
    }
}
