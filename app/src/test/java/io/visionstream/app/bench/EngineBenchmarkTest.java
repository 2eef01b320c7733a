package io.visionstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.visionstream.inference.engine.EngineOptions;
import io.visionstream.inference.vit.VitArchitectures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineBenchmarkTest {

    @Test
    void flopCountsMatchPublishedFigures() {
        // DeiT paper, table 1 (FLOPs there are multiply-adds): ViT-B/16 17.6 G, DeiT-Ti 1.3 G, DeiT-S 4.6 G
        assertThat(EngineBenchmark.flopsPerImage(VitArchitectures.get("vit_base_patch16_224")) / 2e9)
                .isCloseTo(17.6, within(0.1));
        assertThat(EngineBenchmark.flopsPerImage(VitArchitectures.get("vit_tiny_patch16_224")) / 2e9)
                .isCloseTo(1.3, within(0.05));
        assertThat(EngineBenchmark.flopsPerImage(VitArchitectures.get("vit_small_patch16_224")) / 2e9)
                .isCloseTo(4.6, within(0.05));
    }

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
}
