package io.visionstream.inference.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.visionstream.inference.HybridFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad hybrid folder fails at load with one line that names every problem. */
class HybridCheckpointErrorsTest {

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

    private Path fixtureWith(String fixture, Consumer<Map<String, NDArray>> edit) throws Exception {
        Path src = HybridFixtures.dir(fixture);
        Files.copy(src.resolve("config.json"), tmp.resolve("config.json"));
        Map<String, NDArray> tensors = new LinkedHashMap<>(Safetensors.read(src.resolve("model.safetensors"), manager));
        edit.accept(tensors);
        Safetensors.write(tmp.resolve("model.safetensors"), tensors);
        return tmp;
    }

    private Path fixtureWithConfig(String fixture, String from, String to) throws Exception {
        Path src = HybridFixtures.dir(fixture);
        String json = Files.readString(src.resolve("config.json"));
        assertThat(json).contains(from);
        Files.writeString(tmp.resolve("config.json"), json.replace(from, to));
        Files.copy(src.resolve("model.safetensors"), tmp.resolve("model.safetensors"));
        return tmp;
    }

    @Test
    void missingUnexpectedAndWronglyShapedTensorsAreNamedTogether() throws Exception {
        Path dir = fixtureWith("small_r26_s32", t -> {
            t.remove("patch_embed.proj.bias");
            t.remove("patch_embed.backbone.stages.1.blocks.0.norm2.weight");
            t.put("patch_embed.backbone.stages.2.blocks.0.conv1.weight", manager.ones(new Shape(32, 128, 1, 1)));
            t.put("patch_embed.backbone.stem.conv.weight", manager.ones(new Shape(32, 3, 3, 3)));
        });

        assertThatThrownBy(() -> TimmCheckpoints.load(dir, manager, LoadOptions.defaults()))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageNotContaining("\n")
                .hasMessage(dir.resolve("model.safetensors") + " does not match vit_small_r26_s32_224 (44x44 patch 1,"
                        + " dim 32, depth 2, heads 2, classes 10, pool token, resnetv2 layers [2, 1] channels [128, 128]"
                        + " stem 32): missing 2 [patch_embed.backbone.stages.1.blocks.0.norm2.weight,"
                        + " patch_embed.proj.bias]; unexpected 1 [patch_embed.backbone.stages.2.blocks.0.conv1.weight];"
                        + " wrong shape 1 [patch_embed.backbone.stem.conv.weight (32, 3, 3, 3) (model (32, 3, 7, 7))]");
    }

    @Test
    void batchNormCountersOfTheConvStemAreAcceptedAndIgnored() throws Exception {
        Path dir = fixtureWith(
                "conv_stem",
                t -> t.put("patch_embed.backbone.0.bn.num_batches_tracked", manager.create(new float[] {7})));

        LoadedBackbone loaded = TimmCheckpoints.load(dir, manager, LoadOptions.defaults());

        assertThat(loaded.backbone().checkpointParameters())
                .doesNotContainKey("patch_embed.backbone.0.bn.num_batches_tracked");
    }

    @Test
    void anUnknownArchitectureFailsAtLoadListingTheKnownOnes() throws Exception {
        Path dir = fixtureWithConfig("small_r26_s32", "\"vit_small_r26_s32_224\"", "\"vit_small_r26_s16_224\"");

        assertThatThrownBy(() -> TimmCheckpoints.load(dir, manager, LoadOptions.defaults()))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageStartingWith(dir.resolve("config.json") + ": unknown architecture 'vit_small_r26_s16_224';"
                        + " known architectures: vit_tiny_patch16_224,")
                .hasMessageContaining("vit_small_r26_s32_224");
    }

    @Test
    void aModelArgTheFamilyDoesNotTakeFailsAtLoad() throws Exception {
        Path dir = fixtureWithConfig(
                "small_r26_s32", "\"depth\": 2,", "\"depth\": 2, \"stem\": \"conv\", \"window_size\": 7,");

        assertThatThrownBy(() -> TimmCheckpoints.load(dir, manager, LoadOptions.defaults()))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageNotContaining("\n")
                .hasMessageStartingWith(dir.resolve("config.json") + ": model_args.stem=\"conv\","
                        + " model_args.window_size=7 are not arguments of vit_small_r26_s32_224 (hybrid family; it takes"
                        + " [attn_drop_rate, backbone_args, class_token,");
    }

    @Test
    void savedHybridFolderLoadsBackToTheSameModel() throws Exception {
        LoadedBackbone original =
                TimmCheckpoints.load(HybridFixtures.dir("small_r26_s32"), manager, LoadOptions.defaults());
        Path out = tmp.resolve("saved");

        TimmCheckpoints.save(
                out, original.backbone(), "vit_small_r26_s32_224", original.preprocess(), java.util.List.of());
        LoadedBackbone reloaded = TimmCheckpoints.load(out, manager, LoadOptions.defaults());

        assertThat(reloaded.backbone().config()).isEqualTo(original.backbone().config());
        assertThat(Files.readString(out.resolve("config.json")))
                .contains("\"backbone_args\"")
                .contains("\"first_conv\" : \"patch_embed.backbone.stem.conv\"");
    }
}
