package io.visionstream.inference.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MatmulConvTest {

    /**
     * {@code F.conv2d(x, w, b, stride, padding)} and its three gradients against a direct sum, strided and
     * padded as the conv stem and the ResNet stages use it. 24 input channels is 8 mod 16, where libtorch's
     * (oneDNN's) convolution got even the forward wrong on the AMD EPYC build machines; its 3x3 input
     * gradient was wrong there for every channel count.
     */
    @ParameterizedTest
    @CsvSource({
        "24, 3, 2, 1, 8, 8",
        "24, 3, 2, 1, 7, 9",
        "3, 3, 2, 1, 16, 16",
        "16, 3, 1, 1, 5, 4",
        "8, 1, 2, 0, 6, 6",
        "8, 3, 2, 0, 9, 7",
        // many input channels for 6 outputs: multiplied per pixel rather than gathered (MatmulConv picks the
        // smaller intermediate), at stride 1 and 2
        "32, 3, 1, 1, 6, 6",
        "48, 3, 2, 1, 8, 8"
    })
    void convolutionAndItsGradientsMatchADirectSum(int channels, int k, int stride, int pad, int h, int w) {
        int batch = 2;
        int out = 6;
        int outH = (h + 2 * pad - k) / stride + 1;
        int outW = (w + 2 * pad - k) / stride + 1;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(batch, channels, h, w));
            NDArray weight = m.randomNormal(0f, 0.1f, new Shape(out, channels, k, k), DataType.FLOAT32);
            NDArray bias = m.randomNormal(new Shape(out));
            NDArray upstream = m.randomNormal(new Shape(batch, out, outH, outW));
            x.setRequiresGradient(true);
            weight.setRequiresGradient(true);
            bias.setRequiresGradient(true);
            NDArray y;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                y = MatmulConv.conv2d(x, weight, bias, stride, pad);
                collector.backward(y.mul(upstream).sum());
            }

            DirectConv expected = DirectConv.of(
                    x.toFloatArray(),
                    weight.toFloatArray(),
                    bias.toFloatArray(),
                    upstream.toFloatArray(),
                    batch,
                    channels,
                    h,
                    w,
                    k,
                    stride,
                    pad);
            assertThat(y.getShape()).isEqualTo(new Shape(batch, out, outH, outW));
            assertClose(y.toFloatArray(), expected.output(), "output");
            assertClose(x.getGradient().toFloatArray(), expected.inputGradient(), "input gradient");
            assertClose(weight.getGradient().toFloatArray(), expected.weightGradient(), "weight gradient");
            assertClose(bias.getGradient().toFloatArray(), expected.biasGradient(), "bias gradient");
        }
    }

    @Test
    void aWeightThatDoesNotFitTheInputIsRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(1, 4, 5, 5));
            assertThatThrownBy(() -> MatmulConv.conv2d(x, m.zeros(new Shape(2, 3, 3, 3)), null, 1, 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("conv2d expects x [B, C, H, W] and a weight [out, C, k, k], got (1, 4, 5, 5) and"
                            + " (2, 3, 3, 3)");
            assertThatThrownBy(() -> MatmulConv.conv2d(x, m.zeros(new Shape(2, 4, 3, 3)), null, 0, 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("conv2d expects stride >= 1 and padding >= 0, got 0 and 1");
        }
    }

    private static void assertClose(float[] actual, float[] expected, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        assertThat(worst).as("largest difference of the %s", what).isLessThan(1e-4);
    }
}
