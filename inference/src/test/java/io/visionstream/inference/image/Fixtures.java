package io.visionstream.inference.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the fixtures written by {@code src/test/python/make_preprocess_fixtures.py} (PIL + torchvision
 * reference outputs) from the test class path.
 */
final class Fixtures {

    static final String DIR = "/preprocess/";

    record ImageFixture(String file, int width, int height) {
        boolean isPng() {
            return file.endsWith(".png");
        }

        @Override
        public String toString() {
            return file;
        }
    }

    record TensorFixture(String image, String caseName, String file, int[] shape, JsonNode config) {
        PreprocessConfig preprocessConfig() {
            return new PreprocessConfig(
                    config.get("height").asInt(),
                    config.get("width").asInt(),
                    config.get("crop_pct").asDouble(),
                    Interpolation.fromTimmName(config.get("interpolation").asText()),
                    doubles(config.get("mean")),
                    doubles(config.get("std")));
        }

        @Override
        public String toString() {
            return image + " / " + caseName;
        }
    }

    private static final JsonNode MANIFEST = readManifest();

    private Fixtures() {}

    private static JsonNode readManifest() {
        try {
            return new ObjectMapper().readTree(bytes("manifest.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<ImageFixture> images() {
        List<ImageFixture> out = new ArrayList<>();
        for (JsonNode n : MANIFEST.get("images")) {
            out.add(new ImageFixture(
                    n.get("file").asText(),
                    n.get("width").asInt(),
                    n.get("height").asInt()));
        }
        return out;
    }

    static ImageFixture image(String file) {
        return images().stream()
                .filter(i -> i.file().equals(file))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no fixture " + file));
    }

    static List<TensorFixture> tensors() {
        List<TensorFixture> out = new ArrayList<>();
        for (JsonNode n : MANIFEST.get("tensors")) {
            JsonNode shape = n.get("shape");
            int[] s = new int[shape.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = shape.get(i).asInt();
            }
            String caseName = n.get("case").asText();
            out.add(new TensorFixture(
                    n.get("image").asText(),
                    caseName,
                    n.get("file").asText(),
                    s,
                    MANIFEST.get("cases").get(caseName)));
        }
        return out;
    }

    static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + DIR + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** PIL's decoded RGB for an image fixture. */
    static DecodedImage pilRgb(ImageFixture f) {
        return new DecodedImage(f.width(), f.height(), bytes(f.file() + ".rgb.bin"));
    }

    static float[] floats(String name) {
        byte[] b = bytes(name);
        float[] out = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }
}
