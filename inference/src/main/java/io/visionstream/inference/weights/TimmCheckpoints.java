package io.visionstream.inference.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.visionstream.inference.image.PreprocessConfig;
import io.visionstream.inference.vit.GlobalPool;
import io.visionstream.inference.vit.PosEmbed;
import io.visionstream.inference.vit.VisionTransformer;
import io.visionstream.inference.vit.VitArchitectures;
import io.visionstream.inference.vit.VitConfig;
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
import java.util.Set;

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
    // model_args that only matter for training regularisation, which this model does not implement
    private static final Set<String> IGNORED_ARGS = Set.of(
            "drop_rate",
            "pos_drop_rate",
            "patch_drop_rate",
            "proj_drop_rate",
            "attn_drop_rate",
            "drop_path_rate",
            "weight_init");
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
        VitConfig model = VitArchitectures.get(arch.asText());
        JsonNode args = root.path("model_args");
        if (!args.isMissingNode() && !args.isObject()) {
            throw new IllegalArgumentException("'model_args' is not an object: " + args);
        }
        if (root.has("num_classes")) {
            model = model.withNumClasses(intValue(root, "num_classes"));
        }
        if (root.hasNonNull("global_pool")) {
            model = model.withGlobalPool(
                    GlobalPool.fromTimm(root.get("global_pool").asText()), null);
        }
        model = applyModelArgs(model, args);
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

    private static VitConfig applyModelArgs(VitConfig base, JsonNode args) {
        if (args.isMissingNode()) {
            return base;
        }
        // collect first, validate once: intermediate combinations (dim 32 with base's 3 heads) are invalid
        int height = base.imgHeight();
        int width = base.imgWidth();
        int patch = base.patchSize();
        int chans = base.inChans();
        int classes = base.numClasses();
        int dim = base.embedDim();
        int depth = base.depth();
        int heads = base.numHeads();
        double mlpRatio = base.mlpRatio();
        boolean qkvBias = base.qkvBias();
        GlobalPool pool = base.globalPool();
        Boolean fcNorm = null;
        boolean poolGiven = false;
        for (Map.Entry<String, JsonNode> e : args.properties()) {
            String key = e.getKey();
            JsonNode v = e.getValue();
            switch (key) {
                case "img_size" -> {
                    height = v.isArray() ? v.get(0).asInt() : v.asInt();
                    width = v.isArray() ? v.get(v.size() - 1).asInt() : v.asInt();
                }
                case "patch_size" -> patch = v.isArray() ? v.get(0).asInt() : v.asInt();
                case "embed_dim" -> dim = v.asInt();
                case "depth" -> depth = v.asInt();
                case "num_heads" -> heads = v.asInt();
                case "num_classes" -> classes = v.asInt();
                case "mlp_ratio" -> mlpRatio = v.asDouble();
                case "qkv_bias" -> qkvBias = v.asBoolean();
                case "in_chans" -> chans = v.asInt();
                case "global_pool" -> {
                    pool = GlobalPool.fromTimm(v.asText());
                    poolGiven = true;
                }
                case "fc_norm" -> fcNorm = v.isNull() ? null : v.asBoolean();
                case "class_token", "final_norm" -> requireValue(key, v, v.isBoolean() && v.asBoolean());
                case "no_embed_class", "pre_norm", "dynamic_img_size", "dynamic_img_pad" ->
                    requireValue(key, v, v.isBoolean() && !v.asBoolean());
                case "reg_tokens" -> requireValue(key, v, v.asInt(-1) == 0);
                case "init_values" -> requireValue(key, v, v.isNull());
                default -> {
                    if (!IGNORED_ARGS.contains(key)) {
                        throw new IllegalArgumentException("model_args." + key + "=" + v + " is not supported");
                    }
                }
            }
        }
        boolean resolvedFcNorm = fcNorm != null ? fcNorm : (poolGiven ? pool == GlobalPool.AVG : base.fcNorm());
        return new VitConfig(
                height,
                width,
                patch,
                chans,
                classes,
                pool,
                dim,
                depth,
                heads,
                mlpRatio,
                qkvBias,
                resolvedFcNorm,
                base.distilled(),
                base.layerNormEps());
    }

    private static void requireValue(String key, JsonNode v, boolean supported) {
        if (!supported) {
            throw new IllegalArgumentException("model_args." + key + "=" + v + " is not supported");
        }
    }

    /**
     * Loads a model folder onto {@code manager}'s device: parses config.json, builds the model at the
     * requested size, checks every tensor of model.safetensors against the model (all problems are
     * collected and reported together), resamples {@code pos_embed} when the grid differs (timm's
     * {@code resample_abs_pos_embed}) and copies the weights in.
     *
     * @throws NoSuchFileException when config.json or model.safetensors is absent
     * @throws InvalidCheckpointException for bad config (see {@link #readConfig}) or tensors that are
     *     missing, unexpected or wrongly shaped; the message names each of them
     */
    public static LoadedVit load(Path dir, NDManager manager, LoadOptions options) throws IOException {
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
        VitConfig native_ = ckpt.model();
        VitConfig target =
                options.imgHeight() == 0 ? native_ : native_.withImageSize(options.imgHeight(), options.imgWidth());
        VisionTransformer model = new VisionTransformer(target);
        try (NDManager scratch = manager.newSubManager()) {
            Map<String, NDArray> tensors = Safetensors.read(weights, scratch);
            if (ckpt.format() == CheckpointConfig.Format.HF_TRANSFORMERS) {
                tensors = HfVitFormat.toTimmKeys(tensors);
            }
            Map<String, Parameter> params = model.timmParameters();
            Map<String, NDArray> ready =
                    matchBackbone(weights, ckpt.architecture(), native_, target, params, tensors, "");
            model.initialize(manager, options.dataType());
            copyInto(params, ready, manager, options.dataType());
        }
        return new LoadedVit(model, ckpt, ckpt.preprocess().withSize(target.imgHeight(), target.imgWidth()));
    }

    /**
     * Matches checkpoint tensors (timm names) to a backbone's parameters, resampling {@code pos_embed} as
     * timm does when the model runs at another grid.
     *
     * @param file the weights file, for messages
     * @param architecture the checkpoint's architecture, for messages
     * @param nativeCfg the model as the checkpoint was made
     * @param target the model as it will run (another input size resamples the position grid)
     * @param unexpectedHint appended to the list of unexpected tensors when there are any (e.g. why they
     *     are there), or empty
     * @return the tensors to copy, by parameter name
     * @throws InvalidCheckpointException naming every missing, unexpected and wrongly shaped tensor at once
     */
    public static Map<String, NDArray> matchBackbone(
            Path file,
            String architecture,
            VitConfig nativeCfg,
            VitConfig target,
            Map<String, Parameter> params,
            Map<String, NDArray> tensors,
            String unexpectedHint)
            throws InvalidCheckpointException {
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
            } else if (key.equals("pos_embed") && !t.getShape().equals(want)) {
                NDArray resampled = resamplePosEmbed(t, nativeCfg, target);
                if (resampled == null) {
                    wrongShape.add(key + " " + t.getShape() + " (model " + want + ", not a resamplable grid)");
                } else {
                    ready.put(key, resampled);
                }
            } else if (!t.getShape().equals(want)) {
                wrongShape.add(key + " " + t.getShape() + " (model " + want + ")");
            } else {
                ready.put(key, t);
            }
        }
        for (String key : tensors.keySet()) {
            if (!params.containsKey(key)) {
                unexpected.add(key);
            }
        }
        if (missing.isEmpty() && wrongShape.isEmpty() && unexpected.isEmpty()) {
            return ready;
        }
        StringBuilder msg = new StringBuilder(
                String.format(Locale.ROOT, "%s does not match %s (%s):", file, architecture, describe(target)));
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

    /** The checkpoint grid is the config's own when its size fits, else the square that fits (timm). */
    private static NDArray resamplePosEmbed(NDArray posEmbed, VitConfig nativeCfg, VitConfig target) {
        Shape s = posEmbed.getShape();
        int prefix = target.numPrefixTokens();
        if (s.dimension() != 3 || s.get(0) != 1 || s.get(2) != target.embedDim() || s.get(1) <= prefix) {
            return null;
        }
        long grid = s.get(1) - prefix;
        int oldH;
        int oldW;
        if (grid == nativeCfg.numPatches()) {
            oldH = nativeCfg.gridHeight();
            oldW = nativeCfg.gridWidth();
        } else {
            int side = (int) Math.round(Math.sqrt(grid));
            if ((long) side * side != grid) {
                return null;
            }
            oldH = side;
            oldW = side;
        }
        return PosEmbed.resample(posEmbed, prefix, oldH, oldW, target.gridHeight(), target.gridWidth());
    }

    private static String describe(VitConfig c) {
        return String.format(
                Locale.ROOT,
                "%dx%d patch %d, dim %d, depth %d, heads %d, classes %d, pool %s",
                c.imgHeight(),
                c.imgWidth(),
                c.patchSize(),
                c.embedDim(),
                c.depth(),
                c.numHeads(),
                c.numClasses(),
                c.globalPool().timmName());
    }

    /**
     * Writes {@code model} as a timm hub folder: config.json ({@code architecture}, {@code num_classes},
     * {@code global_pool}, complete {@code model_args}, {@code pretrained_cfg}, {@code label_names} when
     * given) and model.safetensors (F32, timm keys). Reading the folder back gives the same model.
     *
     * @param architecture a known timm name whose distilled flag matches the model's
     * @param labels one per class, or empty
     * @throws IllegalArgumentException for an unknown or mismatched architecture, a LayerNorm epsilon
     *     timm cannot express, or labels that do not match the classes
     * @throws IOException when the folder cannot be written
     */
    public static void save(
            Path dir, VisionTransformer model, String architecture, PreprocessConfig preprocess, List<String> labels)
            throws IOException {
        VitConfig c = model.config();
        if (VitArchitectures.get(architecture).distilled() != c.distilled()) {
            throw new IllegalArgumentException("architecture '" + architecture + "' does not match a "
                    + (c.distilled() ? "distilled" : "non-distilled") + " model");
        }
        if (c.layerNormEps() != VitConfig.TIMM_LAYER_NORM_EPS) {
            throw new IllegalArgumentException(
                    "layer_norm_eps=" + c.layerNormEps() + " cannot be written in timm's format (timm uses 1e-6)");
        }
        if (!labels.isEmpty() && labels.size() != c.numClasses()) {
            throw new IllegalArgumentException(
                    "labels has " + labels.size() + " entries but num_classes=" + c.numClasses());
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("architecture", architecture);
        root.put("num_classes", c.numClasses());
        root.put("num_features", c.embedDim());
        root.put("global_pool", c.globalPool().timmName());
        ObjectNode args = root.putObject("model_args");
        args.putArray("img_size").add(c.imgHeight()).add(c.imgWidth());
        args.put("patch_size", c.patchSize());
        args.put("in_chans", c.inChans());
        args.put("embed_dim", c.embedDim());
        args.put("depth", c.depth());
        args.put("num_heads", c.numHeads());
        args.put("mlp_ratio", c.mlpRatio());
        args.put("qkv_bias", c.qkvBias());
        args.put("global_pool", c.globalPool().timmName());
        args.put("fc_norm", c.fcNorm());
        ObjectNode cfg = root.putObject("pretrained_cfg");
        cfg.putArray("input_size").add(3).add(preprocess.height()).add(preprocess.width());
        cfg.put("interpolation", preprocess.interpolation().timmName());
        cfg.put("crop_pct", preprocess.cropPct());
        cfg.put("crop_mode", preprocess.cropMode().timmName());
        ArrayNode mean = cfg.putArray("mean");
        Arrays.stream(preprocess.mean()).forEach(mean::add);
        ArrayNode std = cfg.putArray("std");
        Arrays.stream(preprocess.std()).forEach(std::add);
        cfg.put("num_classes", c.numClasses());
        cfg.put("first_conv", "patch_embed.proj");
        cfg.put("classifier", "head");
        if (!labels.isEmpty()) {
            ArrayNode names = root.putArray("label_names");
            labels.forEach(names::add);
        }
        Files.createDirectories(dir);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        model.timmParameters().forEach((k, p) -> tensors.put(k, p.getArray()));
        Safetensors.write(dir.resolve(WEIGHTS_FILE), tensors);
        Path tmp = dir.resolve(CONFIG_FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), root);
        Files.move(tmp, dir.resolve(CONFIG_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static int intValue(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || !v.canConvertToInt()) {
            throw new IllegalArgumentException("'" + key + "'=" + v + " is not an integer");
        }
        return v.asInt();
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

    private static List<Double> boxed(double[] values) {
        List<Double> out = new ArrayList<>(values.length);
        for (double v : values) {
            out.add(v);
        }
        return out;
    }
}
