package io.visionstream.inference.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.visionstream.inference.backbone.BackboneConfig;
import io.visionstream.inference.heads.DenseHeadConfig;
import io.visionstream.inference.heads.UperNetHead;
import io.visionstream.inference.weights.CheckpointConfig;
import io.visionstream.inference.weights.InvalidCheckpointException;
import io.visionstream.inference.weights.Safetensors;
import io.visionstream.inference.weights.TimmCheckpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes a model directory: timm's hub layout extended with a dense head.
 *
 * <ul>
 *   <li>{@code config.json}: every key timm writes ({@code architecture}, {@code num_classes}, {@code
 *       global_pool}, {@code model_args}, {@code pretrained_cfg}, {@code label_names}) plus, when the
 *       model has a dense head, a {@code dense_head} object holding the {@link DenseHeadConfig} JSON
 *       ({@code in_channels}, {@code in_strides}, {@code feature_indices}, {@code channels}, {@code
 *       pool_scales}, {@code num_classes}, {@code class_names}; the earlier {@code in_dim} and {@code
 *       block_indices} of a plain ViT's head are read too).
 *   <li>{@code model.safetensors}: the backbone's tensors under timm's keys and the head's under {@code
 *       decode_head.*}.
 * </ul>
 *
 * <p>The backbone may be of any registered family. A plain timm directory (no {@code dense_head}) loads
 * as a model without a head. Stateless and
 * thread-safe; loaded parameters belong to the caller's manager.
 */
public final class ModelDirectory {

    /** The {@code config.json} key of the dense head's configuration. */
    public static final String DENSE_HEAD_KEY = "dense_head";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelDirectory() {}

    /**
     * Loads a model directory at its own input size.
     *
     * @see #load(Path, NDManager, int, int)
     */
    public static VisionModel load(Path dir, NDManager manager) throws IOException {
        return load(dir, manager, 0, 0);
    }

    /**
     * Loads a model directory in float32 onto {@code manager}'s device, to run at {@code height x width}
     * (0, 0 for the checkpoint's own size; a ViT's position embedding is then resampled as timm does).
     *
     * @throws NoSuchFileException when config.json or model.safetensors is absent
     * @throws InvalidCheckpointException for a bad config.json (timm keys or {@code dense_head}), or
     *     tensors that are missing, unexpected or wrongly shaped; the message names each of them
     * @throws IOException when a file cannot be read
     */
    public static VisionModel load(Path dir, NDManager manager, int height, int width) throws IOException {
        CheckpointConfig ckpt = TimmCheckpoints.readConfig(dir);
        DenseHeadConfig headConfig = readHeadConfig(dir.resolve(TimmCheckpoints.CONFIG_FILE));
        Path weights = dir.resolve(TimmCheckpoints.WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) {
            throw new NoSuchFileException(
                    weights.toString(), null, "model folder has no " + TimmCheckpoints.WEIGHTS_FILE);
        }
        BackboneConfig own = ckpt.model();
        BackboneConfig target = height == 0 && width == 0 ? own : own.withImageSize(height, width);
        VisionModel model;
        try {
            model = new VisionModel(
                    target,
                    headConfig,
                    ckpt.architecture(),
                    ckpt.preprocess().withSize(target.imgHeight(), target.imgWidth()),
                    ckpt.labelNames());
        } catch (IllegalArgumentException e) {
            throw new InvalidCheckpointException(dir.resolve(TimmCheckpoints.CONFIG_FILE) + ": " + e.getMessage(), e);
        }
        try (NDManager scratch = manager.newSubManager()) {
            Map<String, NDArray> tensors = Safetensors.read(weights, scratch);
            Map<String, NDArray> backboneTensors = new LinkedHashMap<>();
            Map<String, NDArray> headTensors = new LinkedHashMap<>();
            tensors.forEach((name, t) -> {
                if (headConfig != null && name.startsWith(UperNetHead.PREFIX)) {
                    headTensors.put(name, t);
                } else {
                    backboneTensors.put(name, t);
                }
            });
            Map<String, Parameter> params = model.backbone().checkpointParameters();
            String hint = backboneTensors.keySet().stream().anyMatch(k -> k.startsWith(UperNetHead.PREFIX))
                    ? "(decode_head.* tensors but config.json has no " + DENSE_HEAD_KEY + ")"
                    : "";
            Map<String, NDArray> ready = TimmCheckpoints.matchBackbone(
                    weights, ckpt.architecture(), model.backbone(), own, backboneTensors, hint);
            model.initialize(manager);
            TimmCheckpoints.copyInto(params, ready, manager, DataType.FLOAT32);
            if (model.head().isPresent()) {
                try {
                    model.head().get().loadWeights(headTensors);
                } catch (IllegalArgumentException e) {
                    throw new InvalidCheckpointException(weights + ": " + e.getMessage(), e);
                }
            }
        }
        return model;
    }

    /**
     * The dense head a model directory declares in {@code config.json}, if any, without loading weights.
     *
     * @throws InvalidCheckpointException when {@code dense_head} is present but invalid
     * @throws IOException when {@code config.json} cannot be read
     */
    public static java.util.Optional<DenseHeadConfig> denseHead(Path dir) throws IOException {
        return java.util.Optional.ofNullable(readHeadConfig(dir.resolve(TimmCheckpoints.CONFIG_FILE)));
    }

    private static DenseHeadConfig readHeadConfig(Path configFile) throws IOException {
        JsonNode root = JSON.readTree(configFile.toFile());
        JsonNode node = root.get(DENSE_HEAD_KEY);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new InvalidCheckpointException(configFile + ": '" + DENSE_HEAD_KEY + "' is not an object: " + node);
        }
        try {
            return JSON.treeToValue(node, DenseHeadConfig.class);
        } catch (IOException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            throw new InvalidCheckpointException(
                    configFile + ": '" + DENSE_HEAD_KEY + "' is invalid: " + cause.getMessage(), e);
        }
    }

    /**
     * Writes {@code model} as a model directory (see the class comment); reading it back with {@link
     * #load(Path, NDManager)} gives a model with identical outputs. Files are replaced atomically one by
     * one.
     *
     * @throws IllegalArgumentException when the model cannot be written in timm's format (see {@link
     *     TimmCheckpoints#save})
     * @throws IOException when the directory cannot be written
     */
    public static void save(Path dir, VisionModel model) throws IOException {
        TimmCheckpoints.save(dir, model.backbone(), model.architecture(), model.preprocess(), model.labelNames());
        if (model.head().isEmpty()) {
            return;
        }
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        model.checkpointParameters().forEach((name, p) -> tensors.put(name, p.getArray()));
        Safetensors.write(dir.resolve(TimmCheckpoints.WEIGHTS_FILE), tensors);
        Path configFile = dir.resolve(TimmCheckpoints.CONFIG_FILE);
        ObjectNode root = (ObjectNode) JSON.readTree(configFile.toFile());
        root.set(DENSE_HEAD_KEY, JSON.valueToTree(model.head().get().config()));
        Path tmp = dir.resolve(TimmCheckpoints.CONFIG_FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), root);
        Files.move(tmp, configFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
