package io.visionstream.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo end to end, on the inference module's tiny fixture model (its accuracy means nothing). */
class DemoIT {

    @Test
    void everyFrameTheCamerasSendComesOutAsExactlyOneOutcome() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        boolean ok = Demo.run(
                new Demo.Options(
                        Path.of("../inference/src/test/resources/fixtures/vit/tiny"),
                        Duration.ofSeconds(4),
                        3,
                        8,
                        64,
                        48,
                        3,
                        Duration.ofSeconds(60),
                        Map.of("max.batch.size", "4"),
                        null),
                out,
                false);
        String text = buffer.toString(StandardCharsets.UTF_8);

        assertThat(ok).as(text).isTrue();
        assertThat(text).contains("every frame accounted for");
        String summary =
                text.lines().filter(l -> l.startsWith("frames in ")).findFirst().orElseThrow();
        String[] numbers = summary.replaceAll("frames in (\\d+) / outcomes out (\\d+).*", "$1 $2")
                .split(" ");
        assertThat(Long.parseLong(numbers[0])).isGreaterThan(20).isEqualTo(Long.parseLong(numbers[1]));
        assertThat(text.lines().filter(l -> l.contains("frames/s |"))).isNotEmpty();
    }

    @Test
    void withADenseHeadMasksAreScoredAgainstGroundTruthAndOverlaysWritten(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path model = io.visionstream.topology.processing.TestFrames.segmentingModel(dir.resolve("model"));
        Path overlays = dir.resolve("overlays");
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        boolean ok = Demo.run(
                new Demo.Options(
                        model, Duration.ofSeconds(3), 2, 8, 32, 32, 2, Duration.ofSeconds(60), Map.of(), overlays),
                new PrintStream(buffer, true, StandardCharsets.UTF_8),
                false);
        String text = buffer.toString(StandardCharsets.UTF_8);

        assertThat(ok).as(text).isTrue();
        assertThat(text).containsPattern("mIoU 0\\.\\d{3} over [1-9]\\d* masks");
        try (var files = java.nio.file.Files.list(overlays)) {
            var written = files.toList();
            assertThat(written).isNotEmpty();
            var image = javax.imageio.ImageIO.read(written.get(0).toFile());
            assertThat(image.getWidth()).isEqualTo(32);
            assertThat(image.getHeight()).isEqualTo(32);
        }
    }
}
