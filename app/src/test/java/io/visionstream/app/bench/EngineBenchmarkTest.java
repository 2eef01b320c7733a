package io.visionstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.inference.architectures.Architectures;
import io.visionstream.inference.backbone.BackboneConfig;
import io.visionstream.inference.engine.EngineOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineBenchmarkTest {

    @Test
    void reportNamesMachineGemmAndEveryCase() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        EngineBenchmark.Options options = new EngineBenchmark.Options(
                List.of("vit_tiny_patch16_224"), List.of(1), 0.01, 0, 64, EngineOptions.defaults());
        EngineBenchmark.run(options, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);
        assertThat(report)
                .contains("machine: ")
                .contains("PyTorch 2.5.1")
                .contains("native allocator: ")
                .containsPattern("fp32 matmul 64\\^3 through DJL/PyTorch: [0-9.]+ GFLOP/s")
                .containsPattern("vit_tiny_patch16_224 +1 +[0-9.]+ +[0-9.]+ +2\\.5[0-9] ");
    }

    @Test
    void zeroBatchSizeIsRejected() {
        assertThatThrownBy(() -> new EngineBenchmark.Options(
                        List.of("vit_tiny_patch16_224"), List.of(0), 1, 0, 64, EngineOptions.defaults()))
                .hasMessage("batchSizes contains 0; each must be >= 1");
    }

    @Test
    void hybridArchitecturesGetRowsBesideViT() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        EngineBenchmark.Options options = new EngineBenchmark.Options(
                List.of("vit_tiny_patch16_224", "vit_tiny_r_s16_p8_224"),
                List.of(1),
                0.01,
                0,
                64,
                EngineOptions.defaults());
        EngineBenchmark.run(options, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);
        assertThat(report)
                .containsPattern("vit_tiny_patch16_224 +1 +[0-9.]+ +[0-9.]+ +2\\.5[0-9] ")
                .containsPattern("vit_tiny_r_s16_p8_224 +1 +[0-9.]+ +[0-9.]+ +0\\.[0-9]+ ");
    }

    @Test
    void unknownArchitectureIsRejectedListingTheKnownOnes() {
        assertThatThrownBy(() -> new EngineBenchmark.Options(
                        List.of("resnet50"), List.of(1), 1, 0, 64, EngineOptions.defaults()))
                .hasMessageStartingWith("unknown architecture 'resnet50'; known architectures: vit_tiny_patch16_224,")
                .hasMessageContaining(", vit_tiny_r_s16_p8_224, ");
    }

    @Test
    void tokensAreVitPatchesPlusClassTokenAndSwinFirstStageTokens() {
        assertThat(EngineBenchmark.tokens(Architectures.defaults("vit_small_patch16_224")))
                .isEqualTo(14 * 14 + 1);
        assertThat(EngineBenchmark.tokens(
                        Architectures.defaults("vit_small_patch16_224").withImageSize(448, 448)))
                .isEqualTo(28 * 28 + 1);
        assertThat(EngineBenchmark.tokens(Architectures.defaults("swin_tiny_patch4_window7_224")))
                .isEqualTo(56 * 56);
        assertThat(EngineBenchmark.tokens(
                        Architectures.defaults("swin_tiny_patch4_window7_224").withImageSize(320, 320)))
                .isEqualTo(80 * 80);
    }

    /**
     * Multiply-adds times two. timm's tables give ViT-S/16 4.6 GMACs and Swin-T 4.5 GMACs at 224, so 9.2
     * and 9.0 GFLOP; with the tokens ViT's attention grows as tokens^2 and Swin's as tokens (windows).
     */
    @Test
    void flopsPerImageAreTimmsMacsTimesTwo() {
        BackboneConfig vit = Architectures.defaults("vit_small_patch16_224");
        BackboneConfig swin = Architectures.defaults("swin_tiny_patch4_window7_224");

        assertThat(vit.flopsPerImage() / 1e9).isCloseTo(9.2, org.assertj.core.data.Offset.offset(0.05));
        assertThat(swin.flopsPerImage() / 1e9).isCloseTo(9.0, org.assertj.core.data.Offset.offset(0.05));
        assertThat(vit.withImageSize(448, 448).flopsPerImage() / 1e9)
                .isCloseTo(45.16, org.assertj.core.data.Offset.offset(0.01));
        // 448: maps 112/56/28/14 all divide into 7x7 windows, so FLOPs are 4x 224's less the classifier
        assertThat(swin.withImageSize(448, 448).flopsPerImage() / 1e9)
                .isCloseTo(35.92, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void costCurvePrintsARowPerModelAndSizeRelativeToTheFirstSize() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        EngineBenchmark.Options options = new EngineBenchmark.Options(
                List.of("vit_tiny_patch16_224"), List.of(1), 0.01, 0, 64, EngineOptions.defaults(), List.of(64, 96));
        EngineBenchmark.run(options, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);
        assertThat(report)
                .containsPattern(
                        "model +size +batch +tokens +GFLOP/img +img/s med +img/s best +ms/img +of matmul +x 64")
                .containsPattern("vit_tiny_patch16_224 +64 +1 +17 +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9]+% +1\\.00")
                .containsPattern("vit_tiny_patch16_224 +96 +1 +37 ");
    }

    @Test
    void swinGetsARow() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        EngineBenchmark.Options options = new EngineBenchmark.Options(
                List.of("swin_tiny_patch4_window7_224"), List.of(1), 0.01, 0, 64, EngineOptions.defaults());
        EngineBenchmark.run(options, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .containsPattern("swin_tiny_patch4_window7_224 +1 +[0-9.]+ +[0-9.]+ +8\\.98 ");
    }
}
