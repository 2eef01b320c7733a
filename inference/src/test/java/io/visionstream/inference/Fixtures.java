package io.visionstream.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.visionstream.inference.weights.Safetensors;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Access to the reference fixtures written by {@code src/test/python/make_vit_fixtures.py} (torchvision
 * outputs), and the Java twin of that script's deterministic value generator.
 */
public final class Fixtures {

    private Fixtures() {}

    /** The folder {@code fixtures/vit/<name>} on the test classpath. */
    public static Path dir(String name) {
        URL url = Fixtures.class.getResource("/fixtures/vit/" + name);
        if (url == null) {
            throw new IllegalStateException("fixture folder fixtures/vit/" + name + " is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code reference.safetensors} of a fixture: input, logits, embedding, block0, ... */
    public static Map<String, NDArray> reference(String name, NDManager manager) throws IOException {
        return Safetensors.read(dir(name).resolve("reference.safetensors"), manager);
    }

    /** Asserts equal shapes and every element within {@code tol} of the reference. */
    public static void assertClose(String what, NDArray actual, NDArray expected, double tol) {
        assertThat(actual.getShape()).as(what + " shape").isEqualTo(expected.getShape());
        float[] a = actual.toType(DataType.FLOAT32, false).toFloatArray();
        float[] e = expected.toFloatArray();
        double worst = 0;
        int at = -1;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - e[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        assertThat(worst)
                .as(
                        "%s: max |actual - reference| at flat index %d (actual %s, reference %s)",
                        what, at, at >= 0 ? a[at] : 0, at >= 0 ? e[at] : 0)
                .isLessThanOrEqualTo(tol);
    }

    /** splitmix64 finaliser, as {@code splitmix64} in the fixture script. */
    static long splitmix64(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The script's {@code uniform(name, shape)}: values in [-1, 1), as doubles. */
    static double[] uniform(String name, long count) {
        CRC32 crc = new CRC32();
        crc.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        long seed = crc.getValue() << 32;
        double[] out = new double[Math.toIntExact(count)];
        for (int i = 0; i < out.length; i++) {
            long h = splitmix64(seed | i);
            double u = (double) (h >>> 40) / (double) (1 << 24);
            out[i] = 2.0 * u - 1.0;
        }
        return out;
    }

    /** The script's {@code param_value(name, shape)} rule, rounded once to float32. */
    public static NDArray paramValue(NDManager manager, String name, Shape shape) {
        double[] u = uniform(name, shape.size());
        String[] parts = name.split("\\.");
        boolean normWeight = parts.length >= 2
                && parts[parts.length - 1].equals("weight")
                && java.util.Set.of("norm", "norm1", "norm2", "fc_norm").contains(parts[parts.length - 2]);
        float[] v = new float[u.length];
        for (int i = 0; i < v.length; i++) {
            double x;
            if (name.equals("cls_token") || name.equals("dist_token") || name.equals("pos_embed")) {
                x = 0.5 * u[i];
            } else if (normWeight) {
                x = 1.0 + 0.25 * u[i];
            } else if (shape.dimension() >= 2) {
                long fanIn = shape.size() / shape.get(0);
                x = Math.sqrt(3.0 / fanIn) * u[i];
            } else {
                x = 0.1 * u[i];
            }
            v[i] = (float) x;
        }
        return manager.create(v, shape);
    }

    /** The script's input tensor {@code uniform("input", shape)} as float32. */
    public static NDArray input(NDManager manager, Shape shape) {
        double[] u = uniform("input", shape.size());
        float[] v = new float[u.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) u[i];
        }
        return manager.create(v, shape);
    }
}
