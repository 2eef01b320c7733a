package io.visionstream.inference.hybrid;

import static io.visionstream.inference.Fixtures.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.HybridFixtures;
import io.visionstream.inference.resnetv2.ResNetV2;
import io.visionstream.inference.resnetv2.ResNetV2Config;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HybridEmbed's tokens (backbone, projection, flatten) against the fixture script's references, with
 * the weights loaded from each fixture's {@code patch_embed.*} tensors as they are.
 */
class HybridEmbedReferenceTest {

    private static final double TOL = 1e-4;

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

    private void assertTokensMatch(String fixture, HybridEmbed embed) {
        Map<String, NDArray> ref = HybridFixtures.read(manager, fixture, "reference.safetensors");
        NDArray x = ref.get("input");
        embed.initialize(manager, DataType.FLOAT32, x.getShape());
        Map<String, NDArray> weights = HybridFixtures.read(manager, fixture, "model.safetensors");
        HybridFixtures.copyInto(embed.checkpointParameters(), HybridFixtures.under(weights, "patch_embed."));

        NDArray tokens = embed.forward(ps, x, false);

        assertClose(fixture + " tokens", tokens, ref.get("tokens"), TOL);
        assertThat(embed.getOutputShapes(new Shape[] {x.getShape()})[0]).isEqualTo(tokens.getShape());
    }

    @Test
    void stemOnlyBackboneWithEightByEightProjection() {
        ResNetV2Config stem = new ResNetV2Config(List.of(), List.of(), 32, 0.25, 3);

        assertTokensMatch("tiny_r_s16_p8", new HybridEmbed(ResNetV2.backbone(stem), 32, 8, 24, true));
    }

    @Test
    void twoStageBackboneWithOneByOneProjection() {
        ResNetV2Config r26 = new ResNetV2Config(List.of(2, 1), List.of(128, 128), 32, 0.25, 3);

        assertTokensMatch("small_r26_s32", new HybridEmbed(ResNetV2.backbone(r26), 128, 1, 32, true));
    }

    @Test
    void convStemWithoutProjection() {
        assertTokensMatch("conv_stem", new HybridEmbed(new ConvStem(3, List.of(8, 16, 32), 32), 32, 1, 32, false));
    }

    @Test
    void featureMapNotDivisibleByThePatchIsRejected() {
        ResNetV2Config stem = new ResNetV2Config(List.of(), List.of(), 32, 0.25, 3);
        HybridEmbed embed = new HybridEmbed(ResNetV2.backbone(stem), 32, 8, 24, true);
        Shape input = new Shape(1, 3, 72, 72);
        embed.initialize(manager, DataType.FLOAT32, input);

        assertThatThrownBy(() -> embed.forward(ps, manager.zeros(input), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("backbone map 18x18 of input (1, 3, 72, 72) is not divisible by patch_size 8");
    }

    @Test
    void noProjectionNeedsTheEmbeddingWidth() {
        assertThatThrownBy(() -> new HybridEmbed(new ConvStem(3, List.of(8), 16), 16, 1, 32, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("without a projection the backbone must give embed_dim=32 channels at patch_size 1,"
                        + " got 16 channels, patch_size 1");
    }
}
