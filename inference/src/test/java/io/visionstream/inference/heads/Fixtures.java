package io.visionstream.inference.heads;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Loads the safetensors fixtures written by {@code src/test/python/make_head_fixtures.py}. */
final class Fixtures {

    private Fixtures() {}

    static Map<String, NDArray> load(NDManager manager, String file) {
        try (InputStream in = Fixtures.class.getResourceAsStream(file)) {
            assertThat(in).as("fixture %s on the test classpath", file).isNotNull();
            NDList list = NDList.decode(manager, in);
            Map<String, NDArray> byName = new LinkedHashMap<>();
            list.forEach(a -> byName.put(a.getName(), a));
            return byName;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Same shape, and the largest absolute difference is at most {@code tolerance}. */
    static void assertClose(NDArray actual, NDArray expected, double tolerance) {
        assertThat(actual.getShape()).isEqualTo(expected.getShape());
        float maxDiff = actual.sub(expected).abs().max().getFloat();
        assertThat(maxDiff)
                .as("max |actual - expected| for shape %s", expected.getShape())
                .isLessThanOrEqualTo((float) tolerance);
    }
}
