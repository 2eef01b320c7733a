package io.visionstream.inference.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.visionstream.inference.layers.DirectConv;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpatialOpsTest {

    private static NDManager manager;
    private static Map<String, NDArray> pool;
    private static Map<String, NDArray> resize;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        pool = Fixtures.load(manager, "adaptive_avg_pool.safetensors");
        resize = Fixtures.load(manager, "resize.safetensors");
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    // cases: 3x3->6x6, 3x3->1x1, 5x7->3x3, 6x6->2x2, 7x5->6x4, 1x1->6x6, 4x6->3x5
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6})
    void adaptiveAvgPoolMatchesTorchIncludingOutputLargerThanInput(int c) {
        NDArray expected = pool.get("case" + c + ".output");
        Shape out = expected.getShape();
        NDArray actual = SpatialOps.adaptiveAvgPool(pool.get("case" + c + ".input"), out.get(2), out.get(3));
        Fixtures.assertClose(actual, expected, 1e-6);
    }

    // cases: 3x4->7x9, 6x6->24x24, 8x12->64x96, 5x5->5x5, 6x6->3x3, 6x6->1x1, 4x10->8x5
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6})
    void bilinearMatchesTorchInterpolateWithoutAntialias(int c) {
        NDArray expected = resize.get("bilinear" + c + ".output");
        Shape out = expected.getShape();
        NDArray actual = SpatialOps.bilinear(resize.get("bilinear" + c + ".input"), out.get(2), out.get(3));
        Fixtures.assertClose(actual, expected, 1e-6);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void classMapResizeMatchesTorchNearest(int c) {
        NDArray expected = resize.get("nearest" + c + ".output");
        Shape out = expected.getShape();
        NDArray actual = SpatialOps.resizeClassMap(resize.get("nearest" + c + ".input"), out.get(1), out.get(2));
        assertThat(actual.getDataType()).isEqualTo(DataType.INT64);
        assertThat(actual.getShape()).isEqualTo(out);
        assertThat(actual.toLongArray()).containsExactly(expected.toLongArray());
    }

    @Test
    void classMapResizeKeepsTwoDimensionalMapsTwoDimensional() {
        NDArray map = manager.create(new int[] {0, 1, 2, 3}, new Shape(2, 2));
        NDArray resized = SpatialOps.resizeClassMap(map, 4, 2);
        assertThat(resized.getShape()).isEqualTo(new Shape(4, 2));
        assertThat(resized.toIntArray()).containsExactly(0, 1, 0, 1, 2, 3, 2, 3);
    }

    @Test
    void bilinearRejectsMapsThatAreNotFourDimensional() {
        NDArray x = manager.zeros(new Shape(3, 4, 4));
        assertThatThrownBy(() -> SpatialOps.bilinear(x, 8, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bilinear expects a 4-D map [B, C, H, W], got (3, 4, 4)");
    }

    /**
     * {@code F.conv2d(x, w, b, padding=k // 2)} and its three gradients against a direct sum. 40 input
     * channels is 8 mod 16, where libtorch's (oneDNN's) convolution got even the forward wrong on the
     * AMD EPYC build machines; its 3x3 input gradient was wrong there for every channel count.
     */
    @ParameterizedTest
    @CsvSource({"40, 3, 2, 2", "40, 3, 5, 3", "32, 3, 4, 4", "8, 3, 16, 16", "40, 1, 3, 2", "8, 1, 4, 4"})
    void conv2dAndItsGradientsMatchADirectSum(int channels, int k, int h, int w) {
        int batch = 2;
        int out = 8;
        int pad = k / 2;
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.randomNormal(new Shape(batch, channels, h, w));
            NDArray weight = m.randomNormal(0f, 0.1f, new Shape(out, channels, k, k), DataType.FLOAT32);
            NDArray bias = m.randomNormal(new Shape(out));
            NDArray upstream = m.randomNormal(new Shape(batch, out, h, w));
            x.setRequiresGradient(true);
            weight.setRequiresGradient(true);
            bias.setRequiresGradient(true);
            NDArray y;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                y = SpatialOps.conv2d(x, weight, bias);
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
                    1,
                    pad);
            Fixtures.assertClose(y, m.create(expected.output(), y.getShape()), 1e-4);
            Fixtures.assertClose(x.getGradient(), m.create(expected.inputGradient(), x.getShape()), 1e-4);
            Fixtures.assertClose(weight.getGradient(), m.create(expected.weightGradient(), weight.getShape()), 1e-4);
            Fixtures.assertClose(bias.getGradient(), m.create(expected.biasGradient(), bias.getShape()), 1e-4);
        }
    }

    @Test
    void conv2dRejectsAnEvenOrMismatchedKernel() {
        NDArray x = manager.zeros(new Shape(1, 4, 3, 3));
        assertThatThrownBy(() -> SpatialOps.conv2d(x, manager.zeros(new Shape(2, 4, 2, 2)), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("conv2d expects a weight [out, 4, k, k] with odd k, got (2, 4, 2, 2)");
        assertThatThrownBy(() -> SpatialOps.conv2d(x, manager.zeros(new Shape(2, 3, 3, 3)), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("conv2d expects a weight [out, 4, k, k] with odd k, got (2, 3, 3, 3)");
    }

    @Test
    void adaptiveAvgPoolRejectsNonPositiveSizes() {
        NDArray x = manager.zeros(new Shape(1, 1, 4, 4));
        assertThatThrownBy(() -> SpatialOps.adaptiveAvgPool(x, 0, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("output size must be positive, got 0x2");
    }
}
