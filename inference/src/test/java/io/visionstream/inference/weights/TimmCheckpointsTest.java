package io.visionstream.inference.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.Fixtures;
import io.visionstream.inference.image.PreprocessConfig;
import io.visionstream.inference.vit.GlobalPool;
import io.visionstream.inference.vit.VisionTransformer;
import io.visionstream.inference.vit.VitConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimmCheckpointsTest {

    @TempDir
    Path tmp;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** A copy of the tiny fixture whose tensors went through {@code edit}. */
    private Path tinyWith(java.util.function.Consumer<Map<String, NDArray>> edit) throws Exception {
        Path src = Fixtures.dir("tiny");
        Files.copy(src.resolve("config.json"), tmp.resolve("config.json"));
        Map<String, NDArray> tensors = new LinkedHashMap<>(Safetensors.read(src.resolve("model.safetensors"), manager));
        edit.accept(tensors);
        Safetensors.write(tmp.resolve("model.safetensors"), tensors);
        return tmp;
    }

    private Path tinyWithConfig(String from, String to) throws Exception {
        Path src = Fixtures.dir("tiny");
        String json = Files.readString(src.resolve("config.json"));
        assertThat(json).contains(from);
        Files.writeString(tmp.resolve("config.json"), json.replace(from, to));
        Files.copy(src.resolve("model.safetensors"), tmp.resolve("model.safetensors"));
        return tmp;
    }

    @Test
    void readsTimmConfigAndPreprocessing() throws Exception {
        CheckpointConfig c = TimmCheckpoints.readConfig(Fixtures.dir("tiny"));
        assertThat(c.architecture()).isEqualTo("vit_tiny_patch16_224");
        assertThat(c.model()).isEqualTo(VitConfig.of(32, 8, 32, 2, 2, 10));
        assertThat(c.preprocess())
                .isEqualTo(PreprocessConfig.fromTimm(
                        new int[] {3, 32, 32},
                        new double[] {0.485, 0.456, 0.406},
                        new double[] {0.229, 0.224, 0.225},
                        0.875,
                        "bicubic",
                        "center"));
        assertThat(c.labelNames()).hasSize(10).contains("class_9");
    }

    @Test
    void readsTransformersViTConfigAndPreprocessor() throws Exception {
        CheckpointConfig c = TimmCheckpoints.readConfig(Fixtures.dir("hf_vit"));
        assertThat(c.format()).isEqualTo(CheckpointConfig.Format.HF_TRANSFORMERS);
        assertThat(c.architecture()).isEqualTo("ViTForImageClassification");
        assertThat(((VitConfig) c.model()).layerNormEps()).isEqualTo(1e-12);
        assertThat((VitConfig) c.model())
                .extracting(VitConfig::embedDim, VitConfig::depth, VitConfig::numHeads, VitConfig::mlpHiddenDim)
                .containsExactly(32, 2, 2, 128);
        assertThat(c.labelNames()).hasSize(10).startsWith("label_0", "label_1");
        assertThat(c.preprocess())
                .isEqualTo(PreprocessConfig.fromTimm(
                        new int[] {3, 32, 32},
                        new double[] {0.5, 0.5, 0.5},
                        new double[] {0.5, 0.5, 0.5},
                        1.0,
                        "bilinear",
                        "squash"));
    }

    @Test
    void transformersFolderWithoutAKeyProjectionReportsTheFusedQkvMissing() throws Exception {
        Path src = Fixtures.dir("hf_vit");
        for (String f : List.of("config.json", "preprocessor_config.json")) {
            Files.copy(src.resolve(f), tmp.resolve(f));
        }
        Map<String, NDArray> tensors = new LinkedHashMap<>(Safetensors.read(src.resolve("model.safetensors"), manager));
        tensors.remove("vit.encoder.layer.1.attention.attention.key.weight");
        Safetensors.write(tmp.resolve("model.safetensors"), tensors);
        assertThatThrownBy(() -> TimmCheckpoints.load(tmp, manager, LoadOptions.defaults()))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageContaining("missing 1 [blocks.1.attn.qkv.weight]")
                .hasMessageContaining("unexpected 2 [vit.encoder.layer.1.attention.attention.query.weight, "
                        + "vit.encoder.layer.1.attention.attention.value.weight]");
    }

    @Test
    void avgPoolConfigTurnsOnFcNorm() throws Exception {
        VitConfig c =
                (VitConfig) TimmCheckpoints.readConfig(Fixtures.dir("avg_pool")).model();
        assertThat(c.globalPool()).isEqualTo(GlobalPool.AVG);
        assertThat(c.fcNorm()).isTrue();
    }

    @Test
    void missingTensorIsNamed() throws Exception {
        Path dir = tinyWith(t -> t.remove("blocks.1.mlp.fc2.bias"));
        assertThatThrownBy(() -> TimmCheckpoints.load(dir, manager, LoadOptions.defaults()))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageEndingWith("missing 1 [blocks.1.mlp.fc2.bias]");
    }

    @Test
    void unexpectedTensorIsNamed() throws Exception {
        Path dir = tinyWith(t -> t.put("blocks.2.norm1.weight", manager.ones(new Shape(32))));
        assertThatThrownBy(() -> TimmCheckpoints.load(dir, manager, LoadOptions.defaults()))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageEndingWith("unexpected 1 [blocks.2.norm1.weight]");
    }

    @Test
    void wronglyShapedTensorIsNamedWithBothShapes() throws Exception {
        Path dir = tinyWith(t -> t.put("head.weight", manager.ones(new Shape(11, 32))));
        assertThatThrownBy(() -> TimmCheckpoints.load(dir, manager, LoadOptions.defaults()))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageEndingWith("wrong shape 1 [head.weight (11, 32) (model (10, 32))]");
    }

    @Test
    void everyProblemIsReportedAtOnce() throws Exception {
        Path dir = tinyWith(t -> {
            t.remove("cls_token");
            t.remove("norm.bias");
            t.put("fc_norm.weight", manager.ones(new Shape(32)));
            t.put("blocks.0.attn.qkv.weight", manager.ones(new Shape(32, 32)));
        });
        assertThatThrownBy(() -> TimmCheckpoints.load(dir, manager, LoadOptions.defaults()))
                .hasMessageContaining("does not match vit_tiny_patch16_224 (32x32 patch 8, dim 32, depth 2")
                .hasMessageContaining("missing 2 [cls_token, norm.bias]")
                .hasMessageContaining("unexpected 1 [fc_norm.weight]")
                .hasMessageContaining("wrong shape 1 [blocks.0.attn.qkv.weight (32, 32) (model (96, 32))]");
    }

    @Test
    void unknownArchitectureListsKnownOnes() throws Exception {
        Path dir = tinyWithConfig("\"vit_tiny_patch16_224\"", "\"convnext_tiny\"");
        assertThatThrownBy(() -> TimmCheckpoints.load(dir, manager, LoadOptions.defaults()))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageContaining(
                        "unknown architecture 'convnext_tiny'; known architectures: vit_tiny_patch16_224,");
    }

    @Test
    void unsupportedModelArgIsNamed() throws Exception {
        Path dir = tinyWithConfig("\"depth\": 2,", "\"depth\": 2, \"reg_tokens\": 4,");
        assertThatThrownBy(() -> TimmCheckpoints.readConfig(dir))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageEndingWith("model_args.reg_tokens=4 is not supported (only 0)");
    }

    @Test
    void malformedJsonIsReportedWithTheFile() throws Exception {
        Path dir = tinyWithConfig("\"num_classes\": 10,", "\"num_classes\": 10,,");
        assertThatThrownBy(() -> TimmCheckpoints.readConfig(dir))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageStartingWith(dir.resolve("config.json") + ": malformed JSON");
    }

    @Test
    void missingConfigIsReported() {
        assertThatThrownBy(() -> TimmCheckpoints.load(tmp, manager, LoadOptions.defaults()))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("config.json")
                .hasMessageContaining("model folder has no config.json");
    }

    @Test
    void missingWeightsAreReported() throws Exception {
        Files.copy(Fixtures.dir("tiny").resolve("config.json"), tmp.resolve("config.json"));
        assertThatThrownBy(() -> TimmCheckpoints.load(tmp, manager, LoadOptions.defaults()))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("model folder has no model.safetensors");
    }

    @Test
    void truncatedSafetensorsIsReported() throws Exception {
        Path dir = tinyWith(t -> {});
        byte[] bytes = Files.readAllBytes(dir.resolve("model.safetensors"));
        Files.write(dir.resolve("model.safetensors"), java.util.Arrays.copyOf(bytes, bytes.length - 10));
        assertThatThrownBy(() -> TimmCheckpoints.load(dir, manager, LoadOptions.defaults()))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageContaining("data_offsets");
    }

    @Test
    void garbageWeightsFileIsReported() throws Exception {
        Path dir = tinyWith(t -> {});
        Files.writeString(dir.resolve("model.safetensors"), "not a safetensors file", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> TimmCheckpoints.load(dir, manager, LoadOptions.defaults()))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageContaining("declares a header of");
    }

    @Test
    void bf16OnCpuIsRefused() {
        assertThatThrownBy(() -> TimmCheckpoints.load(
                        Fixtures.dir("tiny"), manager, LoadOptions.defaults().withDataType(DataType.BFLOAT16)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dataType=bfloat16 needs a GPU; device is cpu()");
    }

    @Test
    void savedFolderLoadsBackToTheSameModel() throws Exception {
        VitConfig config =
                VitConfig.of(32, 8, 32, 2, 2, 3).withImageSize(24, 40).withGlobalPool(GlobalPool.AVG, null);
        VisionTransformer original = new VisionTransformer(config);
        original.initialize(manager, DataType.FLOAT32);
        PreprocessConfig pre = PreprocessConfig.fromTimm(
                new int[] {3, 24, 40},
                new double[] {0.5, 0.5, 0.5},
                new double[] {0.5, 0.5, 0.5},
                0.9,
                "bilinear",
                "squash");
        TimmCheckpoints.save(tmp, original, "vit_tiny_patch16_224", pre, List.of("a", "b", "c"));

        LoadedBackbone loaded = TimmCheckpoints.load(tmp, manager, LoadOptions.defaults());
        assertThat(loaded.backbone().config()).isEqualTo(config);
        assertThat(loaded.preprocess()).isEqualTo(pre);
        assertThat(loaded.checkpoint().labelNames()).containsExactly("a", "b", "c");
        NDArray x = manager.randomNormal(new Shape(2, 3, 24, 40));
        NDArray expected = original.forward(new ParameterStore(manager, false), new ai.djl.ndarray.NDList(x), false)
                .singletonOrThrow();
        NDArray actual = loaded.backbone()
                .forward(new ParameterStore(manager, false), new ai.djl.ndarray.NDList(x), false)
                .singletonOrThrow();
        assertThat(actual.toFloatArray()).containsExactly(expected.toFloatArray());
    }

    @Test
    void saveRefusesAnArchitectureOfTheWrongKind() {
        VisionTransformer deit = new VisionTransformer(VitConfig.distilled(32, 8, 32, 1, 2, 3));
        PreprocessConfig pre = PreprocessConfig.fromTimm(
                new int[] {3, 32, 32},
                new double[] {0.5, 0.5, 0.5},
                new double[] {0.5, 0.5, 0.5},
                0.9,
                "bicubic",
                "center");
        assertThatThrownBy(() -> TimmCheckpoints.save(tmp, deit, "vit_tiny_patch16_224", pre, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("architecture 'vit_tiny_patch16_224' cannot describe this model: with its model_args it"
                        + " gives (32x32 patch 8, dim 32, depth 1, heads 2, classes 3, pool token), the model is"
                        + " (32x32 patch 8, dim 32, depth 1, heads 2, classes 3, pool token, distilled)");
    }

    @Test
    void saveRefusesASettingNoModelArgCarries() throws Exception {
        LoadedBackbone hf = TimmCheckpoints.load(Fixtures.dir("hf_vit"), manager, LoadOptions.defaults());

        assertThatThrownBy(() -> TimmCheckpoints.save(
                        tmp.resolve("out"), hf.backbone(), "vit_tiny_patch16_224", hf.preprocess(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("architecture 'vit_tiny_patch16_224' cannot describe this model:")
                .hasMessageEndingWith(
                        "; they differ in a setting no model_args key carries, such as the LayerNorm" + " epsilon");
    }
}
