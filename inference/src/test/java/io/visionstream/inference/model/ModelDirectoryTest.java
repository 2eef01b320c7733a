package io.visionstream.inference.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.visionstream.inference.architectures.Architectures;
import io.visionstream.inference.backbone.BackboneConfig;
import io.visionstream.inference.backbone.ModelArgs;
import io.visionstream.inference.heads.DenseHeadConfig;
import io.visionstream.inference.image.PreprocessConfig;
import io.visionstream.inference.vit.VitConfig;
import io.visionstream.inference.weights.InvalidCheckpointException;
import io.visionstream.inference.weights.Safetensors;
import io.visionstream.inference.weights.TimmCheckpoints;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDirectoryTest {

    private static final List<String> NAMES = List.of("background", "circle", "square");
    private static final VitConfig BACKBONE = VitConfig.of(32, 8, 32, 4, 2, 3);
    private static final DenseHeadConfig HEAD = new DenseHeadConfig(32, List.of(0, 1, 2, 3), 8, null, 3, NAMES);
    private static final PreprocessConfig PRE = PreprocessConfig.fromTimm(
            new int[] {3, 32, 32},
            new double[] {0.5, 0.5, 0.5},
            new double[] {0.25, 0.25, 0.25},
            1.0,
            "bilinear",
            "center");

    @TempDir
    Path dir;

    /** A model whose every tensor, batch-norm statistics included, holds distinct random values. */
    private static VisionModel randomModel(NDManager manager, DenseHeadConfig head) {
        return randomModel(manager, BACKBONE, head, "vit_tiny_patch16_224");
    }

    private static VisionModel randomModel(
            NDManager manager, BackboneConfig backbone, DenseHeadConfig head, String architecture) {
        VisionModel model = new VisionModel(backbone, head, architecture, PRE, NAMES);
        model.initialize(manager);
        SplittableRandom random = new SplittableRandom(5);
        for (Map.Entry<String, Parameter> e : model.checkpointParameters().entrySet()) {
            float[] v = new float[Math.toIntExact(e.getValue().getShape().size())];
            boolean variance = e.getKey().endsWith("running_var");
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (variance ? 0.5 + random.nextDouble() : (random.nextDouble() - 0.5) * 0.2);
            }
            e.getValue().getArray().set(FloatBuffer.wrap(v));
        }
        return model;
    }

    private static NDArray input(NDManager manager) {
        return manager.randomNormal(0, 1, new Shape(2, 3, 32, 32), ai.djl.ndarray.types.DataType.FLOAT32);
    }

    @Test
    void saveThenLoadGivesIdenticalOutputs() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            VisionModel original = randomModel(manager, HEAD);
            NDArray x = input(manager);
            PredictionTensors before = original.predict(x);
            ModelOutputs beforeRaw = original.forward(new ai.djl.training.ParameterStore(manager, false), x, false);

            ModelDirectory.save(dir, original);
            VisionModel loaded = ModelDirectory.load(dir, manager);
            PredictionTensors after = loaded.predict(x);
            ModelOutputs afterRaw = loaded.forward(new ai.djl.training.ParameterStore(manager, false), x, false);

            assertThat(loaded.headConfig()).contains(original.headConfig().orElseThrow());
            assertThat(loaded.headConfig().orElseThrow().inStrides()).containsExactly(8, 8, 8, 8);
            assertThat(loaded.labelNames()).isEqualTo(NAMES);
            assertThat(after.logits().toFloatArray())
                    .containsExactly(before.logits().toFloatArray(), within(1e-6f));
            assertThat(after.embedding().toFloatArray())
                    .containsExactly(before.embedding().toFloatArray(), within(1e-6f));
            assertThat(afterRaw.denseLogits().toFloatArray())
                    .containsExactly(beforeRaw.denseLogits().toFloatArray(), within(1e-5f));
            assertThat(after.classMap().getShape()).isEqualTo(new Shape(2, 32, 32));
            assertThat(after.classMap().toLongArray())
                    .containsExactly(before.classMap().toLongArray());
        }
    }

    @Test
    void aSwinWithUperNetOnItsFourStagesSavesAndLoadsBack() throws IOException {
        // swin_tiny shrunk: stages of width 8, 16, 32, 64 at strides 4, 8, 16, 32 on a 32x32 input
        BackboneConfig swin = Architectures.configure(
                "swin_tiny_patch4_window7_224",
                ModelArgs.of(Map.of(
                        "img_size", 32,
                        "embed_dim", 8,
                        "depths", List.of(1, 1, 2, 1),
                        "num_heads", List.of(2, 2, 4, 4),
                        "window_size", 4,
                        "num_classes", 3)));
        DenseHeadConfig head = new DenseHeadConfig(
                List.of(8, 16, 32, 64), List.of(4, 8, 16, 32), List.of(0, 1, 2, 3), 8, null, 3, NAMES);
        try (NDManager manager = NDManager.newBaseManager()) {
            VisionModel original = randomModel(manager, swin, head, "swin_tiny_patch4_window7_224");
            NDArray x = input(manager);
            PredictionTensors before = original.predict(x);

            ModelDirectory.save(dir, original);
            VisionModel loaded = ModelDirectory.load(dir, manager);
            PredictionTensors after = loaded.predict(x);

            assertThat(loaded.backboneConfig()).isEqualTo(swin);
            assertThat(loaded.headConfig().orElseThrow().inStrides()).containsExactly(4, 8, 16, 32);
            assertThat(loaded.checkpointParameters())
                    .containsKeys("norm0.weight", "norm3.bias", "layers.3.downsample.reduction.weight")
                    .doesNotContainKey("decode_head.neck.upsample_4x.0.weight");
            assertThat(after.logits().toFloatArray())
                    .containsExactly(before.logits().toFloatArray(), within(1e-6f));
            assertThat(after.classMap().getShape()).isEqualTo(new Shape(2, 32, 32));
            assertThat(after.classMap().toLongArray())
                    .containsExactly(before.classMap().toLongArray());
        }
    }

    @Test
    void aHybridBackboneWithTheDenseHeadSavesAndLoadsBack() throws IOException {
        // vit_small_r26_s32_224 shrunk to one ResNetV2 stage (stride 4): 8x8 tokens of width 32 at 32x32
        BackboneConfig hybrid = Architectures.configure(
                "vit_small_r26_s32_224",
                ModelArgs.of(Map.of(
                        "img_size", 32,
                        "embed_dim", 32,
                        "depth", 4,
                        "num_heads", 2,
                        "num_classes", 3,
                        "backbone_args", Map.of("layers", List.of(1), "channels", List.of(128), "stem_chs", 32))));
        try (NDManager manager = NDManager.newBaseManager()) {
            VisionModel original = randomModel(manager, hybrid, HEAD, "vit_small_r26_s32_224");
            NDArray x = input(manager);
            PredictionTensors before = original.predict(x);

            ModelDirectory.save(dir, original);
            VisionModel loaded = ModelDirectory.load(dir, manager);
            PredictionTensors after = loaded.predict(x);

            assertThat(loaded.backboneConfig()).isEqualTo(hybrid);
            assertThat(loaded.headConfig().orElseThrow().inStrides()).containsExactly(4, 4, 4, 4);
            assertThat(loaded.checkpointParameters())
                    .containsKeys(
                            "patch_embed.backbone.stages.0.blocks.0.conv2.weight",
                            "decode_head.neck.upsample_4x.0.weight");
            assertThat(after.logits().toFloatArray())
                    .containsExactly(before.logits().toFloatArray(), within(1e-6f));
            assertThat(after.classMap().toLongArray())
                    .containsExactly(before.classMap().toLongArray());
        }
    }

    @Test
    void configJsonKeepsTimmKeysAndAddsTheDenseHead() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelDirectory.save(dir, randomModel(manager, HEAD));
        }
        JsonNode root = new ObjectMapper().readTree(dir.resolve("config.json").toFile());

        assertThat(root.get("architecture").asText()).isEqualTo("vit_tiny_patch16_224");
        assertThat(root.get("num_classes").asInt()).isEqualTo(3);
        assertThat(root.at("/model_args/embed_dim").asInt()).isEqualTo(32);
        assertThat(root.at("/pretrained_cfg/input_size").toString()).isEqualTo("[3,32,32]");
        assertThat(root.at("/pretrained_cfg/crop_pct").asDouble()).isEqualTo(1.0);
        assertThat(root.get("label_names").toString()).isEqualTo("[\"background\",\"circle\",\"square\"]");
        assertThat(root.at("/dense_head/feature_indices").toString()).isEqualTo("[0,1,2,3]");
        assertThat(root.at("/dense_head/in_channels").toString()).isEqualTo("[32,32,32,32]");
        assertThat(root.at("/dense_head/in_strides").toString()).isEqualTo("[8,8,8,8]");
        assertThat(root.at("/dense_head/channels").asInt()).isEqualTo(8);
        assertThat(root.at("/dense_head/class_names/2").asText()).isEqualTo("square");
    }

    @Test
    void plainTimmDirectoryLoadsWithoutHead() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            VisionModel backboneOnly = randomModel(manager, null);
            TimmCheckpoints.save(dir, backboneOnly.backbone(), "vit_tiny_patch16_224", PRE, NAMES);
            NDArray x = input(manager);
            float[] expected = backboneOnly.predict(x).logits().toFloatArray();

            VisionModel loaded = ModelDirectory.load(dir, manager);
            PredictionTensors p = loaded.predict(x);

            assertThat(loaded.head()).isEmpty();
            assertThat(p.classMap()).isNull();
            assertThat(p.logits().toFloatArray()).containsExactly(expected, within(1e-6f));
        }
    }

    @Test
    void missingHeadTensorFailsNamingIt() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelDirectory.save(dir, randomModel(manager, HEAD));
            Path weights = dir.resolve("model.safetensors");
            Map<String, NDArray> tensors = Safetensors.read(weights, manager);
            tensors.remove("decode_head.fpn_bottleneck.conv.weight");
            Safetensors.write(weights, tensors);

            assertThatThrownBy(() -> ModelDirectory.load(dir, manager))
                    .isInstanceOf(InvalidCheckpointException.class)
                    .hasMessageContaining("missing 1: [decode_head.fpn_bottleneck.conv.weight]");
        }
    }

    @Test
    void headTensorsWithoutDenseHeadConfigAreReportedAsUnexpected() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            VisionModel withHead = randomModel(manager, HEAD);
            ModelDirectory.save(dir, withHead);
            // the backbone-only writer rewrites config.json without dense_head, keep the combined weights
            Map<String, NDArray> tensors = Safetensors.read(dir.resolve("model.safetensors"), manager);
            TimmCheckpoints.save(dir, withHead.backbone(), "vit_tiny_patch16_224", PRE, NAMES);
            Safetensors.write(dir.resolve("model.safetensors"), tensors);

            assertThatThrownBy(() -> ModelDirectory.load(dir, manager))
                    .isInstanceOf(InvalidCheckpointException.class)
                    .hasMessageContaining("unexpected")
                    .hasMessageContaining("decode_head.conv_seg.weight")
                    .hasMessageContaining("config.json has no dense_head");
        }
    }

    @Test
    void invalidDenseHeadConfigFailsNamingTheKey() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelDirectory.save(dir, randomModel(manager, HEAD));
        }
        Path config = dir.resolve("config.json");
        ObjectMapper json = new ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(config.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("dense_head")).put("channels", 0);
        json.writeValue(config.toFile(), root);

        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> ModelDirectory.load(dir, manager))
                    .isInstanceOf(InvalidCheckpointException.class)
                    .hasMessageContaining("dense_head.channels must be positive, got 0");
        }
    }
}
