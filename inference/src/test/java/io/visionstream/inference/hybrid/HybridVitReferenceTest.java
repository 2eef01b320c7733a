package io.visionstream.inference.hybrid;

import static io.visionstream.inference.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.Fixtures;
import io.visionstream.inference.HybridFixtures;
import io.visionstream.inference.backbone.Backbone;
import io.visionstream.inference.backbone.BackboneOutput;
import io.visionstream.inference.engine.EngineOptions;
import io.visionstream.inference.engine.ImageResult;
import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.inference.engine.InferenceEngines;
import io.visionstream.inference.image.DecodeLimits;
import io.visionstream.inference.image.ImageDecoder;
import io.visionstream.inference.image.Interpolation;
import io.visionstream.inference.image.Preprocessor;
import io.visionstream.inference.vit.VisionTransformer;
import io.visionstream.inference.vit.VitConfig;
import io.visionstream.inference.weights.LoadOptions;
import io.visionstream.inference.weights.LoadedBackbone;
import io.visionstream.inference.weights.Safetensors;
import io.visionstream.inference.weights.TimmCheckpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole hybrid ViTs loaded from timm hub folders exactly as they are (config.json with model_args,
 * model.safetensors with {@code patch_embed.backbone.*} and {@code patch_embed.proj.*}), against the
 * references of make_hybrid_fixtures.py (torch functional ops and torchvision): logits and embedding
 * within 1e-4.
 */
class HybridVitReferenceTest {

    private static final double TOL = 1e-4;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private void assertOutputsMatch(Backbone backbone, Map<String, NDArray> ref, NDArray input) {
        BackboneOutput out = backbone.forwardOutputs(new ParameterStore(manager, false), input, false);
        assertClose("logits", out.logits(), ref.get("logits"), TOL);
        assertClose("embedding", out.embedding(), ref.get("embedding"), TOL);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tiny_r_s16_p8", "small_r26_s32", "conv_stem"})
    void hubFolderLoadsAndMatchesTheReference(String fixture) throws Exception {
        LoadedBackbone loaded = TimmCheckpoints.load(HybridFixtures.dir(fixture), manager, LoadOptions.defaults());
        Map<String, NDArray> ref = HybridFixtures.read(manager, fixture, "reference.safetensors");

        assertOutputsMatch(loaded.backbone(), ref, ref.get("input"));
    }

    @Test
    void keysAreTimmsHybridKeys() throws Exception {
        LoadedBackbone loaded =
                TimmCheckpoints.load(HybridFixtures.dir("small_r26_s32"), manager, LoadOptions.defaults());

        assertThat(loaded.backbone()).isInstanceOf(VisionTransformer.class);
        assertThat(loaded.backbone().checkpointParameters().keySet())
                .startsWith("cls_token", "pos_embed", "patch_embed.backbone.stem.conv.weight")
                .contains(
                        "patch_embed.backbone.stages.1.blocks.0.downsample.conv.weight",
                        "patch_embed.proj.weight",
                        "patch_embed.proj.bias",
                        "blocks.1.mlp.fc2.bias",
                        "head.bias");
        assertThat(loaded.checkpoint().architecture()).isEqualTo("vit_small_r26_s32_224");
    }

    @Test
    void pngThroughThePreprocessorAndTheEngineMatchesTimmsEvalTransform() throws Exception {
        // crop 0.9, bicubic, mean/std 0.5 from the folder's pretrained_cfg; the model is small_r26_s32
        Map<String, NDArray> ref = HybridFixtures.read(manager, "png_small_r26", "reference.safetensors");
        byte[] png = Files.readAllBytes(HybridFixtures.dir("png_small_r26").resolve("image_100x76.png"));
        try (InferenceEngine engine = InferenceEngines.open(
                HybridFixtures.dir("small_r26_s32"), EngineOptions.defaults().withDevice("cpu"))) {
            Preprocessor preprocessor = new Preprocessor(engine.info().preprocess());
            float[] pixels = new float[preprocessor.floatsPerImage()];
            preprocessor.preprocess(new ImageDecoder(DecodeLimits.defaults()).decode(png), pixels, 0);

            ImageResult result = engine.infer(pixels, 1).get(0);

            assertThat(engine.info().preprocess().cropPct()).isEqualTo(0.9);
            assertThat(engine.info().preprocess().interpolation()).isEqualTo(Interpolation.BICUBIC);
            assertClose("input", manager.create(pixels, ref.get("input").getShape()), ref.get("input"), 1e-5);
            assertClose(
                    "logits", manager.create(result.logits(), ref.get("logits").getShape()), ref.get("logits"), TOL);
            assertClose(
                    "embedding",
                    manager.create(result.embedding(), ref.get("embedding").getShape()),
                    ref.get("embedding"),
                    TOL);
        }
    }

    @Test
    void fullWidthR26At224MatchesTheReference(@TempDir Path tmp) throws Exception {
        // vit_small_r26_s32_224's full backbone with 2 ViT blocks; the 140 MB of weights are regenerated
        // here from the script's value() rule instead of being committed, and go through the writer.
        Path src = HybridFixtures.dir("r26_s32_224");
        Files.copy(src.resolve("config.json"), tmp.resolve("config.json"));
        VitConfig config = (VitConfig) TimmCheckpoints.readConfig(src).model();
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        config.newBackbone()
                .checkpointParameters()
                .forEach((k, p) -> tensors.put(k, HybridFixtures.value(manager, k, p.getShape())));
        Safetensors.write(tmp.resolve("model.safetensors"), tensors);
        tensors.values().forEach(NDArray::close);

        LoadedBackbone loaded = TimmCheckpoints.load(tmp, manager, LoadOptions.defaults());

        assertThat(config.gridHeight()).isEqualTo(7);
        Map<String, NDArray> ref = HybridFixtures.read(manager, "r26_s32_224", "reference.safetensors");
        assertOutputsMatch(loaded.backbone(), ref, Fixtures.input(manager, new Shape(1, 3, 224, 224)));
    }
}
