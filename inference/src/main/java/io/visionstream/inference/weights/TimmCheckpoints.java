package io.visionstream.inference.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.visionstream.inference.architectures.Architectures;
import io.visionstream.inference.backbone.Backbone;
import io.visionstream.inference.backbone.BackboneConfig;
import io.visionstream.inference.backbone.ModelArgs;
import io.visionstream.inference.image.PreprocessConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads and writes model folders in timm's Hugging Face hub layout ({@code config.json} + {@code
 * model.safetensors}); also reads Hugging Face transformers' ViT folders (see {@link HfVitFormat}),
 * whose tensors are renamed to timm's keys before matching. Stateless and thread-safe; the arrays it
 * creates belong to the caller's manager.
 */
public final class TimmCheckpoints {

    /** The config file name in a model folder. */
    public static final String CONFIG_FILE = "config.json";
    /** The weights file name in a model folder. */
    public static final String WEIGHTS_FILE = "model.safetensors";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String BATCHES_TRACKED = "num_batches_tracked";
    // timm defaults for ViT when pretrained_cfg omits them (timm's vision_transformer._cfg)
    private static final double DEFAULT_CROP_PCT = 0.9;
    private static final String DEFAULT_INTERPOLATION = "bicubic";

    private TimmCheckpoints() {}

    /**
     * Parses {@code dir/config.json}.
     *
     * @throws NoSuchFileException when config.json is absent
     * @throws InvalidCheckpointException for malformed JSON, an unknown architecture (the message lists
     *     the known ones) or a missing or unsupported setting (the message names the key and value)
     */
    public static CheckpointConfig readConfig(Path dir) throws IOException {
        Path file = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "model folder has no " + CONFIG_FILE);
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new InvalidCheckpointException(file + ": malformed JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidCheckpointException(file + ": expected a JSON object");
        }
        try {
            return HfVitFormat.matches(root) ? HfVitFormat.parseConfig(dir, root, JSON) : parseConfig(root);
        } catch (IllegalArgumentException e) {
            throw new InvalidCheckpointException(file + ": " + e.getMessage(), e);
        }
    }

    private static CheckpointConfig parseConfig(JsonNode root) {
        JsonNode arch = root.get("architecture");
        if (arch == null || !arch.isTextual()) {
            throw new IllegalArgumentException("'architecture' is missing or not a string");
        }
        JsonNode args = root.path("model_args");
        if (!args.isMissingNode() && !args.isObject()) {
            throw new IllegalArgumentException("'model_args' is not an object: " + args);
        }
        // timm's create_model(architecture, num_classes=..., global_pool=..., **model_args)
        Map<String, Object> topLevel = new LinkedHashMap<>();
        for (String key : List.of("num_classes", "global_pool")) {
            if (root.hasNonNull(key)) {
                topLevel.put(key, JSON.convertValue(root.get(key), Object.class));
            }
        }
        Map<String, Object> modelArgs = args.isMissingNode()
                ? Map.of()
                : JSON.convertValue(args, new TypeReference<LinkedHashMap<String, Object>>() {});
        BackboneConfig model = Architectures.configure(arch.asText(), ModelArgs.of(topLevel, modelArgs));
        JsonNode cfg = root.path("pretrained_cfg");
        if (!cfg.isObject()) {
            throw new IllegalArgumentException("'pretrained_cfg' is missing or not an object");
        }
        double[] inputSize = doubles(cfg, "input_size");
        if (inputSize.length != 3) {
            throw new IllegalArgumentException(
                    "pretrained_cfg.input_size=" + cfg.get("input_size") + " is not [C, H, W]");
        }
        double crop = cfg.hasNonNull("crop_pct") ? cfg.get("crop_pct").asDouble() : DEFAULT_CROP_PCT;
        String interpolation =
                cfg.hasNonNull("interpolation") ? cfg.get("interpolation").asText() : DEFAULT_INTERPOLATION;
        String cropMode = cfg.hasNonNull("crop_mode") ? cfg.get("crop_mode").asText() : "center";
        if ((int) inputSize[0] != model.inChans()) {
            throw new IllegalArgumentException(
                    "pretrained_cfg.input_size C=" + (int) inputSize[0] + " but in_chans=" + model.inChans());
        }
        PreprocessConfig pre = PreprocessConfig.fromTimm(
                new int[] {(int) inputSize[0], (int) inputSize[1], (int) inputSize[2]},
                doubles(cfg, "mean"),
                doubles(cfg, "std"),
                crop,
                interpolation,
                cropMode);
        List<String> labels = new ArrayList<>();
        JsonNode names = root.path("label_names");
        if (names.isArray()) {
            names.forEach(n -> labels.add(n.asText()));
        } else if (!names.isMissingNode() && !names.isNull()) {
            throw new IllegalArgumentException("'label_names' is not a list: " + names);
        }
        return new CheckpointConfig(arch.asText(), CheckpointConfig.Format.TIMM, model, pre, labels);
    }

    /**
     * Loads a model folder of any registered family onto {@code manager}'s device: parses config.json,
     * builds the backbone at the requested size, checks every tensor of model.safetensors against it (all
     * problems are collected and reported together), adapts what the family adapts for another size (a
     * ViT's position grid, as timm's {@code resample_abs_pos_embed}) and copies the weights in.
     *
     * @throws NoSuchFileException when config.json or model.safetensors is absent
     * @throws InvalidCheckpointException for bad config (see {@link #readConfig}) or tensors that are
     *     missing, unexpected or wrongly shaped; the message names each of them
     */
    public static LoadedBackbone load(Path dir, NDManager manager, LoadOptions options) throws IOException {
        if (options.dataType() != DataType.FLOAT32 && !manager.getDevice().isGpu()) {
            // DJL 0.32 aborts the JVM converting to BFLOAT16 on CPU, and CPU half matmul crawls
            throw new IllegalArgumentException(
                    "dataType=" + options.dataType() + " needs a GPU; device is " + manager.getDevice());
        }
        CheckpointConfig ckpt = readConfig(dir);
        Path weights = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) {
            throw new NoSuchFileException(weights.toString(), null, "model folder has no " + WEIGHTS_FILE);
        }
        BackboneConfig own = ckpt.model();
        BackboneConfig target =
                options.imgHeight() == 0 ? own : own.withImageSize(options.imgHeight(), options.imgWidth());
        Backbone model = target.newBackbone();
        try (NDManager scratch = manager.newSubManager()) {
            Map<String, NDArray> tensors = Safetensors.read(weights, scratch);
            if (ckpt.format() == CheckpointConfig.Format.HF_TRANSFORMERS) {
                tensors = HfVitFormat.toTimmKeys(tensors);
            }
            tensors = model.filterCheckpoint(tensors);
            Map<String, NDArray> ready = matchBackbone(weights, ckpt.architecture(), model, own, tensors, "");
            model.initialize(manager, options.dataType());
            copyInto(model.checkpointParameters(), ready, manager, options.dataType());
        }
        return new LoadedBackbone(model, ckpt, ckpt.preprocess().withSize(target.imgHeight(), target.imgWidth()));
    }

    /**
     * Matches checkpoint tensors (timm names) to a backbone's parameters, adapting those the family adapts
     * when the backbone runs at another size than the checkpoint's ({@link
     * Backbone#adaptCheckpointTensor}). A batch norm's {@code num_batches_tracked} is accepted and
     * ignored.
     *
     * @param file the weights file, for messages
     * @param architecture the checkpoint's architecture, for messages
     * @param backbone the backbone as it will run
     * @param checkpointConfig the backbone as the checkpoint was made
     * @param unexpectedHint appended to the list of unexpected tensors when there are any (e.g. why they
     *     are there), or empty
     * @return the tensors to copy, by parameter name
     * @throws InvalidCheckpointException naming every missing, unexpected and wrongly shaped tensor at once,
     *     in one line
     */
    public static Map<String, NDArray> matchBackbone(
            Path file,
            String architecture,
            Backbone backbone,
            BackboneConfig checkpointConfig,
            Map<String, NDArray> tensors,
            String unexpectedHint)
            throws InvalidCheckpointException {
        Map<String, Parameter> params = backbone.checkpointParameters();
        List<String> missing = new ArrayList<>();
        List<String> wrongShape = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        Map<String, NDArray> ready = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            String key = e.getKey();
            NDArray t = tensors.get(key);
            Shape want = e.getValue().getShape();
            if (t == null) {
                missing.add(key);
            } else if (t.getShape().equals(want)) {
                ready.put(key, t);
            } else {
                String problem = key + " " + t.getShape() + " (model " + want;
                try {
                    NDArray adapted = backbone.adaptCheckpointTensor(key, t, checkpointConfig);
                    if (adapted != null && adapted.getShape().equals(want)) {
                        ready.put(key, adapted);
                        continue;
                    }
                } catch (IllegalArgumentException notAdaptable) {
                    problem += ", " + notAdaptable.getMessage();
                }
                wrongShape.add(problem + ")");
            }
        }
        for (String key : tensors.keySet()) {
            if (!params.containsKey(key) && !isBatchCounter(key, params)) {
                unexpected.add(key);
            }
        }
        if (missing.isEmpty() && wrongShape.isEmpty() && unexpected.isEmpty()) {
            return ready;
        }
        StringBuilder msg = new StringBuilder(String.format(
                Locale.ROOT,
                "%s does not match %s (%s):",
                file,
                architecture,
                backbone.config().summary()));
        if (!missing.isEmpty()) {
            msg.append(" missing ")
                    .append(missing.size())
                    .append(' ')
                    .append(missing)
                    .append(';');
        }
        if (!unexpected.isEmpty()) {
            msg.append(" unexpected ")
                    .append(unexpected.size())
                    .append(' ')
                    .append(unexpected)
                    .append(unexpectedHint.isEmpty() ? "" : " " + unexpectedHint)
                    .append(';');
        }
        if (!wrongShape.isEmpty()) {
            msg.append(" wrong shape ")
                    .append(wrongShape.size())
                    .append(' ')
                    .append(wrongShape)
                    .append(';');
        }
        msg.setLength(msg.length() - 1);
        throw new InvalidCheckpointException(msg.toString());
    }

    /** PyTorch's batch-norm counter, which nothing here uses (it only matters for momentum=None). */
    private static boolean isBatchCounter(String key, Map<String, Parameter> params) {
        return key.endsWith("." + BATCHES_TRACKED)
                && params.containsKey(key.substring(0, key.length() - BATCHES_TRACKED.length()) + "running_mean");
    }

    /**
     * Copies matched tensors into initialised parameters, on {@code manager}'s device and in {@code
     * dataType}, each into storage of its own (the file's buffer is not kept alive).
     */
    public static void copyInto(
            Map<String, Parameter> params, Map<String, NDArray> ready, NDManager manager, DataType dataType) {
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Parameter p = e.getValue();
            NDArray src = ready.get(e.getKey())
                    .toDevice(manager.getDevice(), false) // convert on the GPU, never BF16 on CPU
                    .toType(dataType, false)
                    .duplicate();
            p.getArray().intern(src);
            p.getArray().setRequiresGradient(p.requiresGradient());
        }
    }

    /**
     * Writes a backbone of any family as a timm hub folder: config.json ({@code architecture}, {@code
     * num_classes}, {@code num_features}, {@code global_pool}, complete {@code model_args}, {@code
     * pretrained_cfg}, {@code label_names} when given) and model.safetensors (F32, timm keys). Reading the
     * folder back gives the same model: the architecture with these {@code model_args} must resolve to
     * the backbone's configuration, which is checked before anything is written.
     *
     * @param architecture a registered name whose family and fixed settings (distillation, LayerNorm
     *     epsilon) match the backbone's
     * @param labels one per class, or empty
     * @throws IllegalArgumentException for an unknown architecture, one that cannot describe this
     *     backbone, or labels that do not match the classes
     * @throws IOException when the folder cannot be written
     */
    public static void save(
            Path dir, Backbone backbone, String architecture, PreprocessConfig preprocess, List<String> labels)
            throws IOException {
        BackboneConfig c = backbone.config();
        Map<String, Object> modelArgs = c.modelArgs();
        BackboneConfig reread =
                Architectures.configure(architecture, ModelArgs.of(Map.of("num_classes", c.numClasses()), modelArgs));
        if (!reread.equals(c)) {
            // e.g. a transformers ViT's LayerNorm epsilon 1e-12, which no timm argument carries
            String hidden = reread.summary().equals(c.summary())
                    ? "; they differ in a setting no model_args key carries, such as the LayerNorm epsilon"
                    : "";
            throw new IllegalArgumentException("architecture '" + architecture + "' cannot describe this model: with"
                    + " its model_args it gives (" + reread.summary() + "), the model is (" + c.summary() + ")"
                    + hidden);
        }
        if (!labels.isEmpty() && labels.size() != c.numClasses()) {
            throw new IllegalArgumentException(
                    "labels has " + labels.size() + " entries but num_classes=" + c.numClasses());
        }
        Map<String, Parameter> params = backbone.checkpointParameters();
        ObjectNode root = JSON.createObjectNode();
        root.put("architecture", architecture);
        root.put("num_classes", c.numClasses());
        root.put("num_features", c.numFeatures());
        if (modelArgs.get("global_pool") instanceof String pool) {
            root.put("global_pool", pool);
        }
        root.set("model_args", JSON.valueToTree(modelArgs));
        ObjectNode cfg = root.putObject("pretrained_cfg");
        cfg.putArray("input_size").add(c.inChans()).add(preprocess.height()).add(preprocess.width());
        cfg.put("interpolation", preprocess.interpolation().timmName());
        cfg.put("crop_pct", preprocess.cropPct());
        cfg.put("crop_mode", preprocess.cropMode().timmName());
        ArrayNode mean = cfg.putArray("mean");
        Arrays.stream(preprocess.mean()).forEach(mean::add);
        ArrayNode std = cfg.putArray("std");
        Arrays.stream(preprocess.std()).forEach(std::add);
        cfg.put("num_classes", c.numClasses());
        firstConv(params).ifPresent(conv -> cfg.put("first_conv", conv));
        cfg.put("classifier", "head");
        if (!labels.isEmpty()) {
            ArrayNode names = root.putArray("label_names");
            labels.forEach(names::add);
        }
        Files.createDirectories(dir);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        params.forEach((k, p) -> tensors.put(k, p.getArray()));
        Safetensors.write(dir.resolve(WEIGHTS_FILE), tensors);
        Path tmp = dir.resolve(CONFIG_FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), root);
        Files.move(tmp, dir.resolve(CONFIG_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** timm's {@code pretrained_cfg.first_conv}: the module of the first 4-D weight, in module order. */
    private static java.util.Optional<String> firstConv(Map<String, Parameter> params) {
        return params.entrySet().stream()
                .filter(e -> e.getKey().endsWith(".weight")
                        && e.getValue().getShape().dimension() == 4)
                .map(e -> e.getKey().substring(0, e.getKey().length() - ".weight".length()))
                .findFirst();
    }

    private static double[] doubles(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || !v.isArray()) {
            throw new IllegalArgumentException("pretrained_cfg." + key + " is missing or not a list: " + v);
        }
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).isNumber()) {
                throw new IllegalArgumentException("pretrained_cfg." + key + "=" + v + " holds a non-number");
            }
            out[i] = v.get(i).asDouble();
        }
        return out;
    }
}
