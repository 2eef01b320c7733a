package io.visionstream.inference.swin;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fixtures written by {@code src/test/python/make_swin_fixtures.py} (torchvision's Swin, keyed as
 * timm), and a small loader for the package's own tests, which need stage norms the hub folders do not
 * carry: {@code config.json} through {@link SwinArchitectures#get(String, Map)}, {@code model.safetensors}
 * through {@link SwinWeights}. The hub-folder path ({@code TimmCheckpoints.load}) is tested in {@code
 * weights.SwinCheckpointsTest}.
 */
final class SwinFixtures {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SwinFixtures() {}

    /** A safetensors file of {@code fixtures/swin/<fixture>/}, each array under its name (F32 and I64). */
    static Map<String, NDArray> read(NDManager manager, String fixture, String file) {
        String resource = "/fixtures/swin/" + fixture + "/" + file;
        try (InputStream in = SwinFixtures.class.getResourceAsStream(resource)) {
            assertThat(in).as("fixture %s on the test classpath", resource).isNotNull();
            Map<String, NDArray> byName = new LinkedHashMap<>();
            NDList.decode(manager, in).forEach(a -> byName.put(a.getName(), a));
            return byName;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The configuration {@code config.json} describes: architecture defaults, model_args, num_classes. */
    @SuppressWarnings("unchecked")
    static SwinConfig config(String fixture) {
        String resource = "/fixtures/swin/" + fixture + "/config.json";
        try (InputStream in = SwinFixtures.class.getResourceAsStream(resource)) {
            assertThat(in).as("fixture %s on the test classpath", resource).isNotNull();
            Map<String, Object> json = JSON.readValue(in, Map.class);
            Map<String, Object> args = new LinkedHashMap<>((Map<String, Object>) json.get("model_args"));
            args.put("num_classes", json.get("num_classes"));
            return SwinArchitectures.get((String) json.get("architecture"), args);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture's model with its {@code model.safetensors} loaded (old keys filtered as timm does). */
    static SwinTransformer load(NDManager manager, String fixture, boolean withStageNorms) {
        SwinTransformer model = new SwinTransformer(config(fixture), withStageNorms);
        model.initialize(manager, DataType.FLOAT32);
        Map<String, NDArray> weights = SwinWeights.filterTimmKeys(read(manager, fixture, "model.safetensors"));
        if (withStageNorms) {
            read(manager, "native_128", "stage_norms.safetensors").forEach((k, v) -> {
                if (k.startsWith("norm")) {
                    weights.put(k, v);
                }
            });
        }
        SwinWeights.copyInto(model, weights);
        return model;
    }
}
