package io.visionstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The soak's mechanics on a short run: samples are taken, poison becomes dead letters, the verifier
 * accounts for every record. Whether memory stays flat is read from the long run's printout (README),
 * not asserted here: a few hundred frames say nothing about a leak.
 */
class PipelineSoakIT {

    @Test
    void samplesMemoryAndAccountsForEveryFrameAndEveryPoisonRecord() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PipelineSoak.Report report = PipelineSoak.run(
                new PipelineSoak.Options(
                        Path.of("../inference/src/test/resources/fixtures/vit/tiny"),
                        400,
                        8,
                        2,
                        4,
                        48,
                        40,
                        25,
                        100,
                        64,
                        2),
                new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String text = buffer.toString(StandardCharsets.UTF_8);

        assertThat(report.verification().clean()).as(text).isTrue();
        assertThat(report.verification().total().produced()).isEqualTo(400);
        assertThat(report.verification().total().outcomes()).isEqualTo(400);
        assertThat(report.verification().deadLetters()).as(text).isEqualTo(16);
        // a sample at the start, one per 100 outcomes
        assertThat(report.samples())
                .extracting(PipelineSoak.Sample::outcomes)
                .startsWith(0L)
                .contains(400L);
        assertThat(report.samples()).hasSizeGreaterThanOrEqualTo(5);
        assertThat(report.samples()).allSatisfy(s -> assertThat(s.rssBytes()).isPositive());
        assertThat(report.baseline().outcomes()).isGreaterThanOrEqualTo(40);
        assertThat(text).contains("machine: ").contains("growth from").contains("load average at end");
    }
}
