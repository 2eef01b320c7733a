package io.visionstream.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.visionstream.inference.model.VisionModel;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InitializationTest {

    private static double std(float[] v) {
        double sum = 0;
        double squares = 0;
        for (float x : v) {
            sum += x;
            squares += x * x;
        }
        double mean = sum / v.length;
        return Math.sqrt(squares / v.length - mean * mean);
    }

    @Test
    void transposedConvolutionTakesFanInFromTheInputChannels() {
        // [Cin=256, Cout=16, 2, 2]: each output pixel reads 256 values, so Kaiming std = sqrt(2/256)
        float[] v = Initialization.values(
                "decode_head.neck.upsample_4x.0.weight", new Shape(256, 16, 2, 2), new SplittableRandom(1));

        assertThat(std(v)).isCloseTo(Math.sqrt(2.0 / 256), within(0.005));
    }

    @Test
    void headConvolutionIsKaimingOverInputChannelsAndKernel() {
        float[] v = Initialization.values(
                "decode_head.fpn_bottleneck.conv.weight", new Shape(32, 128, 3, 3), new SplittableRandom(2));

        assertThat(std(v)).isCloseTo(Math.sqrt(2.0 / (128 * 9)), within(0.002));
    }

    @Test
    void linearWeightsAreTruncatedNormalWithinTwoStd() {
        float[] v = Initialization.values("blocks.0.mlp.fc1.weight", new Shape(384, 96), new SplittableRandom(3));

        float largest = 0;
        for (float x : v) {
            largest = Math.max(largest, Math.abs(x));
        }
        assertThat(largest).isLessThanOrEqualTo(0.04f);
        // a normal truncated at 2 std keeps 0.880 of its std
        assertThat(std(v)).isCloseTo(0.02 * 0.880, within(0.0005));
    }

    @Test
    void batchNormStartsAsIdentity() {
        SplittableRandom random = new SplittableRandom(4);
        Shape shape = new Shape(8);

        assertThat(Initialization.values("decode_head.bottleneck.bn.weight", shape, random))
                .containsOnly(1f);
        assertThat(Initialization.values("decode_head.bottleneck.bn.bias", shape, random))
                .containsOnly(0f);
        assertThat(Initialization.values("decode_head.bottleneck.bn.running_mean", shape, random))
                .containsOnly(0f);
        assertThat(Initialization.values("decode_head.bottleneck.bn.running_var", shape, random))
                .containsOnly(1f);
    }

    @Test
    void aSwinsRelativePositionBiasTableIsTruncatedNormalLikeItsLinearWeights() {
        // swin_tiny's stage-3 table: (2 * 7 - 1)^2 offsets x 24 heads
        float[] v = Initialization.values(
                "layers.3.blocks.1.attn.relative_position_bias_table", new Shape(169, 24), new SplittableRandom(5));

        float largest = 0;
        for (float x : v) {
            largest = Math.max(largest, Math.abs(x));
        }
        assertThat(largest).isLessThanOrEqualTo(0.04f);
        assertThat(std(v)).isCloseTo(0.02 * 0.880, within(0.0008));
    }

    @Test
    void everyParameterOfTheTrainersSwinHasTimmsStart() {
        try (NDManager manager = NDManager.newBaseManager()) {
            VisionModel model = JointTrainer.newModel(
                    TrainConfigTest.tinySwin(java.nio.file.Path.of("unused"), 1, null, Recipe.NONE));
            model.initialize(manager);
            Map<String, Parameter> params = model.checkpointParameters();

            Initialization.apply(params, 6, PosEmbedInit.NORMAL, 16, 16);

            params.forEach((name, p) -> {
                float[] v = p.getArray().toFloatArray();
                if (name.endsWith(".bias")) {
                    assertThat(v).as(name).containsOnly(0f);
                } else if (name.startsWith("decode_head.")) {
                    return; // the head's rules are mmseg's, tested above
                } else if (p.getShape().dimension() == 1) {
                    assertThat(v).as("LayerNorm weight " + name).containsOnly(1f);
                } else if (p.getShape().dimension() == 2) {
                    // Linear weights and relative position bias tables: truncated normal, std 0.02
                    float largest = 0;
                    for (float x : v) {
                        largest = Math.max(largest, Math.abs(x));
                    }
                    assertThat(largest).as(name).isLessThanOrEqualTo(0.04f);
                    assertThat(std(v)).as(name).isGreaterThan(0.01);
                } else {
                    assertThat(name).isEqualTo("patch_embed.proj.weight");
                }
            });
            assertThat(params).containsKeys("norm0.weight", "layers.1.downsample.norm.weight", "head.fc.weight");
        }
    }
}
