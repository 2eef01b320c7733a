package io.visionstream.inference.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Linear} on inputs of more than two axes: the arithmetic, and the one fused op it runs as. */
class LinearTest {

    private NDManager manager;
    private ParameterStore ps;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager("PyTorch");
        ps = new ParameterStore(manager, false);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private Linear layer(int in, int out, boolean bias, Random random) {
        Linear linear = new Linear(in, out, bias);
        linear.initialize(manager, DataType.FLOAT32, new Shape(1, in));
        linear.checkpointParameters().forEach((name, p) -> p.getArray()
                .set(gaussian(random, (int) p.getArray().size())));
        return linear;
    }

    private static float[] gaussian(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    @Test
    void threeAxisInputGivesTheSumOfProductsPlusBiasInEveryPosition() {
        Random random = new Random(7);
        int in = 5;
        int out = 3;
        for (boolean withBias : new boolean[] {true, false}) {
            Linear linear = layer(in, out, withBias, random);
            float[] x = gaussian(random, 2 * 4 * in);
            NDArray y = linear.forward(ps, manager.create(x, new Shape(2, 4, in)), false);
            assertThat(y.getShape()).isEqualTo(new Shape(2, 4, out));
            float[] w = linear.checkpointParameters().get("weight").getArray().toFloatArray();
            float[] b = withBias
                    ? linear.checkpointParameters().get("bias").getArray().toFloatArray()
                    : new float[out];
            float[] got = y.toFloatArray();
            for (int row = 0; row < 8; row++) {
                for (int o = 0; o < out; o++) {
                    double expected = b[o];
                    for (int i = 0; i < in; i++) {
                        expected += (double) x[row * in + i] * w[o * in + i];
                    }
                    assertThat((double) got[row * out + o])
                            .as("bias %s row %d out %d", withBias, row, o)
                            .isCloseTo(expected, offset(1e-5));
                }
            }
        }
    }

    @Test
    void fourAxisInputKeepsItsLeadingAxes() {
        Linear linear = layer(6, 2, true, new Random(3));
        NDArray y = linear.forward(ps, manager.randomNormal(new Shape(2, 3, 4, 6)), false);
        assertThat(y.getShape()).isEqualTo(new Shape(2, 3, 4, 2));
    }

    /**
     * The bias is fused into the matrix product (one {@code addmm}) rather than added by a second pass over
     * the output, as the C++ frontend's {@code linear} does for an input of three axes. Read from
     * libtorch's own profiler, which records every aten op the forward dispatches.
     */
    @Test
    void threeAxisInputRunsAsOneAddmmWithoutASeparateBiasPass(@TempDir Path dir) throws IOException {
        Linear linear = layer(64, 96, true, new Random(11));
        NDArray x = manager.randomNormal(new Shape(4, 50, 64));
        linear.forward(ps, x, false).close(); // first call outside the trace (lazy initialisation)
        Path trace = dir.resolve("trace.json");
        JniUtils.startProfile(false, false, false);
        try {
            linear.forward(ps, x, false).close();
        } finally {
            JniUtils.stopProfile(trace.toString());
        }
        String json = Files.readString(trace, StandardCharsets.UTF_8);
        assertThat(count(json, "aten::addmm")).as(json).isEqualTo(1);
        assertThat(count(json, "aten::add_") + count(json, "aten::add"))
                .as(json)
                .isZero();
        assertThat(count(json, "aten::matmul")).as(json).isZero();
    }

    private static int count(String json, String op) {
        Matcher m = Pattern.compile("\"name\"\\s*:\\s*\"" + Pattern.quote(op) + "\"")
                .matcher(json);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
