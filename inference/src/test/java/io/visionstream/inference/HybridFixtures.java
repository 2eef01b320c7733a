package io.visionstream.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The fixtures written by {@code src/test/python/make_hybrid_fixtures.py} (torch functional ops and
 * torchvision outputs) and the Java twin of that script's {@code value(name, shape)} rule.
 */
public final class HybridFixtures {

    private static final Set<String> NORM_NAMES = Set.of("norm", "norm1", "norm2", "norm3", "bn", "fc_norm");

    private HybridFixtures() {}

    /** The folder {@code fixtures/hybrid/<fixture>} on the test classpath. */
    public static java.nio.file.Path dir(String fixture) {
        java.net.URL url = HybridFixtures.class.getResource("/fixtures/hybrid/" + fixture);
        assertThat(url)
                .as("fixture folder fixtures/hybrid/%s on the test classpath", fixture)
                .isNotNull();
        try {
            return java.nio.file.Path.of(url.toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A safetensors file of {@code fixtures/hybrid/<fixture>/}, each array under its name. */
    public static Map<String, NDArray> read(NDManager manager, String fixture, String file) {
        String resource = "/fixtures/hybrid/" + fixture + "/" + file;
        try (InputStream in = HybridFixtures.class.getResourceAsStream(resource)) {
            assertThat(in).as("fixture %s on the test classpath", resource).isNotNull();
            Map<String, NDArray> byName = new LinkedHashMap<>();
            NDList.decode(manager, in).forEach(a -> byName.put(a.getName(), a));
            return byName;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tensors whose key starts with {@code prefix}, under the rest of their key. */
    public static Map<String, NDArray> under(Map<String, NDArray> tensors, String prefix) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /**
     * Copies {@code tensors} into initialised parameters after asserting that the keys are the same set
     * and every shape matches; trainable parameters stay trainable.
     */
    public static void copyInto(Map<String, Parameter> params, Map<String, NDArray> tensors) {
        assertThat(new TreeMap<>(params).keySet())
                .as("parameter keys vs checkpoint keys")
                .containsExactlyElementsOf(new TreeMap<>(tensors).keySet());
        params.forEach((k, p) -> {
            NDArray src = tensors.get(k);
            assertThat(p.getArray().getShape()).as("shape of %s", k).isEqualTo(src.getShape());
            p.getArray().intern(src.duplicate());
            p.getArray().setRequiresGradient(p.requiresGradient()); // intern replaces the flag with src's
        });
    }

    /** The script's {@code value(name, shape)}, computed in double and rounded once to float. */
    public static NDArray value(NDManager manager, String name, Shape shape) {
        double[] u = Fixtures.uniform(name, shape.size());
        String[] parts = name.split("\\.");
        String last = parts[parts.length - 1];
        boolean normWeight = parts.length >= 2 && last.equals("weight") && NORM_NAMES.contains(parts[parts.length - 2]);
        float[] v = new float[u.length];
        for (int i = 0; i < v.length; i++) {
            double x;
            if (last.equals("running_var")) {
                x = 1.0 + 0.5 * u[i];
            } else if (last.equals("running_mean")) {
                x = 0.2 * u[i];
            } else if (name.equals("cls_token") || name.equals("pos_embed")) {
                x = 0.5 * u[i];
            } else if (normWeight) {
                x = 1.0 + 0.25 * u[i];
            } else if (shape.dimension() >= 2) {
                x = Math.sqrt(3.0 / (shape.size() / shape.get(0))) * u[i];
            } else {
                x = 0.1 * u[i];
            }
            v[i] = (float) x;
        }
        return manager.create(v, shape);
    }
}
