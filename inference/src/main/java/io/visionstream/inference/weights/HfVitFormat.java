package io.visionstream.inference.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.visionstream.inference.image.PreprocessConfig;
import io.visionstream.inference.vit.GlobalPool;
import io.visionstream.inference.vit.VitConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hugging Face transformers' ViT folders ({@code google/vit-base-patch16-224} style): {@code
 * config.json} with {@code model_type: "vit"}, {@code preprocessor_config.json}, and {@code
 * model.safetensors} with {@code vit.embeddings...} / {@code vit.encoder.layer.N...} keys and separate
 * query, key and value projections, which are fused here into timm's {@code attn.qkv}.
 *
 * <p>The maths equals timm's ViT except the LayerNorm epsilon ({@code layer_norm_eps}, 1e-12 by
 * default). {@code vit.pooler.*} (ViTModel's tanh pooler) is not used: the embedding stays the normed
 * [CLS] token.
 */
final class HfVitFormat {

    static final String PREPROCESSOR_FILE = "preprocessor_config.json";
    private static final Pattern LAYER = Pattern.compile("vit\\.encoder\\.layer\\.(\\d+)\\.(.+)");
    private static final Map<String, String> LAYER_KEYS = Map.ofEntries(
            Map.entry("attention.output.dense.weight", "attn.proj.weight"),
            Map.entry("attention.output.dense.bias", "attn.proj.bias"),
            Map.entry("intermediate.dense.weight", "mlp.fc1.weight"),
            Map.entry("intermediate.dense.bias", "mlp.fc1.bias"),
            Map.entry("output.dense.weight", "mlp.fc2.weight"),
            Map.entry("output.dense.bias", "mlp.fc2.bias"),
            Map.entry("layernorm_before.weight", "norm1.weight"),
            Map.entry("layernorm_before.bias", "norm1.bias"),
            Map.entry("layernorm_after.weight", "norm2.weight"),
            Map.entry("layernorm_after.bias", "norm2.bias"));
    private static final Map<String, String> TOP_KEYS = Map.of(
            "vit.embeddings.cls_token", "cls_token",
            "vit.embeddings.position_embeddings", "pos_embed",
            "vit.embeddings.patch_embeddings.projection.weight", "patch_embed.proj.weight",
            "vit.embeddings.patch_embeddings.projection.bias", "patch_embed.proj.bias",
            "vit.layernorm.weight", "norm.weight",
            "vit.layernorm.bias", "norm.bias",
            "classifier.weight", "head.weight",
            "classifier.bias", "head.bias");
    // PIL resample codes that ViTImageProcessor's "resample" holds
    private static final Map<Integer, String> RESAMPLE =
            Map.of(0, "nearest", 1, "lanczos", 2, "bilinear", 3, "bicubic");

    private HfVitFormat() {}

    /** Whether a parsed config.json is a transformers ViT config. */
    static boolean matches(JsonNode root) {
        return "vit".equals(root.path("model_type").asText(null)) && !root.has("architecture");
    }

    static CheckpointConfig parseConfig(Path dir, JsonNode root, ObjectMapper json) throws IOException {
        String act = root.path("hidden_act").asText("gelu");
        if (!act.equals("gelu")) {
            throw new IllegalArgumentException("hidden_act='" + act + "' is not supported (exact GELU only)");
        }
        List<String> archs = new ArrayList<>();
        root.path("architectures").forEach(a -> archs.add(a.asText()));
        String architecture = archs.isEmpty() ? "ViTModel" : archs.get(0);
        List<String> labels = new ArrayList<>();
        if (architecture.equals("ViTForImageClassification")) {
            Map<Integer, String> byId = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : root.path("id2label").properties()) {
                if (!e.getKey().matches("\\d+")) {
                    throw new IllegalArgumentException("id2label key '" + e.getKey() + "' is not a class index");
                }
                byId.put(Integer.parseInt(e.getKey()), e.getValue().asText());
            }
            labels.addAll(byId.values());
            if (labels.isEmpty()) {
                throw new IllegalArgumentException("ViTForImageClassification config has no id2label");
            }
        } else if (!architecture.equals("ViTModel")) {
            throw new IllegalArgumentException(
                    "architectures=" + archs + " is not supported; known: ViTForImageClassification, ViTModel");
        }
        int hidden = required(root, "hidden_size");
        int[] size = pair(root.path("image_size"), "image_size");
        VitConfig model = new VitConfig(
                size[0],
                size[1],
                pair(root.path("patch_size"), "patch_size")[0],
                root.path("num_channels").asInt(3),
                labels.size(),
                GlobalPool.TOKEN,
                hidden,
                required(root, "num_hidden_layers"),
                required(root, "num_attention_heads"),
                (double) required(root, "intermediate_size") / hidden,
                root.path("qkv_bias").asBoolean(true),
                false,
                false,
                root.path("layer_norm_eps").asDouble(1e-12));
        Path preFile = dir.resolve(PREPROCESSOR_FILE);
        if (!Files.isRegularFile(preFile)) {
            throw new NoSuchFileException(
                    preFile.toString(), null, "transformers ViT folder has no " + PREPROCESSOR_FILE);
        }
        JsonNode pre;
        try {
            pre = json.readTree(preFile.toFile());
        } catch (IOException e) {
            throw new InvalidCheckpointException(preFile + ": malformed JSON: " + e.getMessage(), e);
        }
        int[] target = pre.path("size").isObject()
                ? new int[] {
                    pre.path("size").path("height").asInt(),
                    pre.path("size").path("width").asInt()
                }
                : pair(pre.path("size"), "size");
        String interpolation = RESAMPLE.get(pre.path("resample").asInt(2));
        if (interpolation == null) {
            throw new IllegalArgumentException(PREPROCESSOR_FILE + " resample=" + pre.get("resample") + " is unknown");
        }
        PreprocessConfig settings = PreprocessConfig.fromTimm(
                new int[] {model.inChans(), target[0], target[1]},
                doubles(pre, "image_mean").stream()
                        .mapToDouble(Double::doubleValue)
                        .toArray(),
                doubles(pre, "image_std").stream()
                        .mapToDouble(Double::doubleValue)
                        .toArray(),
                1.0,
                interpolation,
                "squash");
        return new CheckpointConfig(architecture, CheckpointConfig.Format.HF_TRANSFORMERS, model, settings, labels);
    }

    /**
     * Renames transformers keys to timm's and fuses query, key and value into {@code qkv}; keys it does
     * not know keep their names (and are then reported as unexpected), {@code vit.pooler.*} is dropped.
     */
    static Map<String, NDArray> toTimmKeys(Map<String, NDArray> hf) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        Map<String, NDArray[]> qkv = new TreeMap<>();
        Map<NDArray, String> originals = new IdentityHashMap<>();
        for (Map.Entry<String, NDArray> e : hf.entrySet()) {
            String key = e.getKey();
            if (key.startsWith("vit.pooler.")) {
                continue;
            }
            if (TOP_KEYS.containsKey(key)) {
                out.put(TOP_KEYS.get(key), e.getValue());
                continue;
            }
            Matcher m = LAYER.matcher(key);
            if (m.matches()) {
                String prefix = "blocks." + m.group(1) + ".";
                String rest = m.group(2);
                if (LAYER_KEYS.containsKey(rest)) {
                    out.put(prefix + LAYER_KEYS.get(rest), e.getValue());
                    continue;
                }
                Matcher a = Pattern.compile("attention\\.attention\\.(query|key|value)\\.(weight|bias)")
                        .matcher(rest);
                if (a.matches()) {
                    int slot = a.group(1).equals("query") ? 0 : a.group(1).equals("key") ? 1 : 2;
                    qkv.computeIfAbsent(prefix + "attn.qkv." + a.group(2), k -> new NDArray[3])[slot] = e.getValue();
                    originals.put(e.getValue(), key);
                    continue;
                }
            }
            out.put(key, e.getValue());
        }
        for (Map.Entry<String, NDArray[]> e : qkv.entrySet()) {
            NDArray[] parts = e.getValue();
            if (parts[0] != null && parts[1] != null && parts[2] != null) {
                // qkv rows are q, then k, then v, as nn.Linear(dim, dim * 3) in timm
                out.put(e.getKey(), NDArrays.concat(new NDList(parts[0], parts[1], parts[2]), 0));
            } else {
                // incomplete: attn.qkv.* stays absent (reported missing), the parts keep their own names
                // (reported unexpected)
                for (NDArray part : parts) {
                    if (part != null) {
                        out.put(originals.get(part), part);
                    }
                }
            }
        }
        return out;
    }

    private static int required(JsonNode root, String key) {
        JsonNode v = root.get(key);
        if (v == null || !v.canConvertToInt()) {
            throw new IllegalArgumentException("'" + key + "'=" + v + " is missing or not an integer");
        }
        return v.asInt();
    }

    private static int[] pair(JsonNode v, String key) {
        if (v.isArray() && v.size() == 2) {
            return new int[] {v.get(0).asInt(), v.get(1).asInt()};
        }
        if (v.canConvertToInt()) {
            return new int[] {v.asInt(), v.asInt()};
        }
        throw new IllegalArgumentException("'" + key + "'=" + v + " is not an integer or [h, w]");
    }

    private static List<Double> doubles(JsonNode node, String key) {
        List<Double> out = new ArrayList<>();
        JsonNode v = node.path(key);
        if (!v.isArray()) {
            throw new IllegalArgumentException(PREPROCESSOR_FILE + " " + key + " is missing or not a list: " + v);
        }
        v.forEach(x -> out.add(x.asDouble()));
        return out;
    }
}
