package io.visionstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
