package io.visionstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.app.VisionApp;
import io.visionstream.inference.image.PreprocessConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DecodeBenchmarkTest {

    private static final PreprocessConfig INPUT_32 = PreprocessConfig.fromTimm(
            new int[] {3, 32, 32}, new double[] {0.5, 0.5, 0.5}, new double[] {0.5, 0.5, 0.5}, 1.0, "bilinear");

    @Test
    void measuresEverySizeWithItsFrameCountAndJpegSize() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        List<DecodeBenchmark.Row> rows = DecodeBenchmark.run(
                new DecodeBenchmark.Options(List.of(new int[] {32, 32}, new int[] {96, 64}), INPUT_32, 100_000),
                new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String text = buffer.toString(StandardCharsets.UTF_8);

        assertThat(rows).as(text).hasSize(2);
        // the pixel budget sets the frame count: 100,000 / (32*32) = 97, and at least 8 for the larger frame
        assertThat(rows.get(0).frames()).isEqualTo(97);
        assertThat(rows.get(1).frames()).isEqualTo(16);
        assertThat(rows.get(1).meanJpegBytes()).isGreaterThan(rows.get(0).meanJpegBytes());
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.decodePerSecond()).isPositive();
            assertThat(r.decodeAndPreprocessPerSecond()).isPositive();
        });
        assertThat(text)
                .contains("machine: ")
                .contains("preprocessed to 32x32")
                .contains("96x64")
                .contains("load average at end");
    }

    @Test
    void refusesATooSmallFrame() {
        assertThatThrownBy(() -> new DecodeBenchmark.Options(List.of(new int[] {4, 32}), INPUT_32, 1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sides of at least 8");
    }

    @Test
    void aMalformedSizeIsAUsageErrorNamingTheOption() {
        StringWriter err = new StringWriter();
        CommandLine cli = VisionApp.commandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));

        assertThat(cli.execute("bench", "decode", "--sizes", "640x480,big", "--input-size", "32"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--sizes takes WxH sizes").contains("got 'big'");
    }
}
