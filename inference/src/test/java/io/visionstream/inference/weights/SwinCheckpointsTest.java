package io.visionstream.inference.weights;

import static io.visionstream.inference.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.backbone.BackboneOutput;
import io.visionstream.inference.backbone.FeatureInfo;
import io.visionstream.inference.swin.SwinTransformer;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Swin hub folders through the family-agnostic loader, against torchvision's Swin (the references of
 * make_swin_fixtures.py), and one-line errors for folders that do not fit.
 */
class SwinCheckpointsTest {

    private static final double TOL = 1e-4;

    @TempDir
    Path tmp;

    private NDManager manager;
    private ParameterStore ps;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager("PyTorch");
        ps = new ParameterStore(manager, false);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static Path dir(String fixture) {
        try {
            return Path.of(SwinCheckpointsTest.class
                    .getResource("/fixtures/swin/" + fixture)
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, NDArray> reference(String fixture) throws Exception {
        return Safetensors.read(dir(fixture).resolve("reference.safetensors"), manager);
    }

    private void assertMatchesReference(LoadedBackbone loaded, String fixture) throws Exception {
        Map<String, NDArray> ref = reference(fixture);
        int stages = loaded.backbone().featureInfo().size();
        int[] all = java.util.stream.IntStream.range(0, stages).toArray();
        BackboneOutput out = loaded.backbone().forwardOutputs(ps, ref.get("input"), false, all);
        assertClose("logits", out.logits(), ref.get("logits"), TOL);
        assertClose("embedding", out.embedding(), ref.get("embedding"), TOL);
        for (int i = 0; i < stages; i++) {
            assertClose("stage" + i, out.featureMaps().get(i), ref.get("stage" + i), TOL);
        }
    }

    @Test
    void swinHubFolderLoadsAndMatchesTorchvision() throws Exception {
        LoadedBackbone loaded = TimmCheckpoints.load(dir("native_128"), manager, LoadOptions.defaults());

        assertThat(loaded.backbone()).isInstanceOf(SwinTransformer.class);
        assertThat(loaded.backbone().featureInfo())
                .containsExactly(
                        new FeatureInfo("layers.0", 8, 4),
                        new FeatureInfo("layers.1", 16, 8),
                        new FeatureInfo("layers.2", 32, 16),
                        new FeatureInfo("layers.3", 64, 32));
        assertMatchesReference(loaded, "native_128");
    }

    @Test
    void paddedNonSquareFolderMatchesTorchvision() throws Exception {
        assertMatchesReference(TimmCheckpoints.load(dir("pad_80x48"), manager, LoadOptions.defaults()), "pad_80x48");
    }

    @Test
    void oldLayoutWithBuffersLoadsToTheSameModel() throws Exception {
        Map<String, NDArray> legacy = Safetensors.read(dir("legacy_128").resolve("model.safetensors"), manager);
        assertThat(legacy.keySet())
                .anyMatch(k -> k.endsWith("relative_position_index"))
                .anyMatch(k -> k.startsWith("layers.0.downsample."))
                .contains("head.weight");

        LoadedBackbone loaded = TimmCheckpoints.load(dir("legacy_128"), manager, LoadOptions.defaults());

        assertMatchesReference(loaded, "native_128");
    }

    private Path fixtureWith(Consumer<Map<String, NDArray>> edit) throws Exception {
        Path src = dir("native_128");
        Files.copy(src.resolve("config.json"), tmp.resolve("config.json"));
        Map<String, NDArray> tensors = new LinkedHashMap<>(Safetensors.read(src.resolve("model.safetensors"), manager));
        edit.accept(tensors);
        Safetensors.write(tmp.resolve("model.safetensors"), tensors);
        return tmp;
    }

    @Test
    void missingUnexpectedAndWronglyShapedTensorsAreNamedInOneLine() throws Exception {
        Path dir = fixtureWith(t -> {
            t.remove("layers.2.blocks.1.mlp.fc2.bias");
            t.put("layers.4.blocks.0.norm1.weight", manager.ones(new Shape(64)));
            t.put("layers.1.downsample.reduction.weight", manager.ones(new Shape(16, 16)));
        });

        assertThatThrownBy(() -> TimmCheckpoints.load(dir, manager, LoadOptions.defaults()))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageNotContaining("\n")
                .hasMessage(dir.resolve("model.safetensors") + " does not match swin_tiny_patch4_window7_224 (128x128"
                        + " patch 4, window 4, dim 8, depths [2, 2, 2, 2], heads [2, 2, 4, 4], classes 10): missing 1"
                        + " [layers.2.blocks.1.mlp.fc2.bias]; unexpected 1 [layers.4.blocks.0.norm1.weight];"
                        + " wrong shape 1 [layers.1.downsample.reduction.weight (16, 16) (model (16, 32))]");
    }

    @Test
    void anArgumentSwinDoesNotTakeIsRefusedInOneLine() throws Exception {
        Path src = dir("native_128");
        String json = Files.readString(src.resolve("config.json"));
        Files.writeString(
                tmp.resolve("config.json"),
                json.replace("\"window_size\": 4,", "\"window_size\": 4, \"depth\": 12, \"qkv_bias\": false,"));
        Files.copy(src.resolve("model.safetensors"), tmp.resolve("model.safetensors"));

        assertThatThrownBy(() -> TimmCheckpoints.load(tmp, manager, LoadOptions.defaults()))
                .isInstanceOf(InvalidCheckpointException.class)
                .hasMessageNotContaining("\n")
                .hasMessageStartingWith(tmp.resolve("config.json") + ": model_args.qkv_bias=false is not supported"
                        + " (only true); model_args.depth=12 is not an argument of swin_tiny_patch4_window7_224 (swin"
                        + " family; it takes [attn_drop_rate, depths, drop_path_rate,");
    }

    @Test
    void savedSwinFolderLoadsBackToTheSameModel() throws Exception {
        LoadedBackbone original = TimmCheckpoints.load(dir("native_128"), manager, LoadOptions.defaults());
        Path out = tmp.resolve("saved");

        TimmCheckpoints.save(
                out, original.backbone(), "swin_tiny_patch4_window7_224", original.preprocess(), List.of());
        LoadedBackbone reloaded = TimmCheckpoints.load(out, manager, LoadOptions.defaults());

        assertThat(reloaded.backbone().config()).isEqualTo(original.backbone().config());
        assertMatchesReference(reloaded, "native_128");
    }
}
