package io.visionstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The scale-out benchmark's mechanics on a tiny model; its speeds are not asserted (shared machines). */
class ScaleOutBenchmarkIT {

    private static PipelineBenchmark.Options pipeline(int partitions) {
        return new PipelineBenchmark.Options(
                Path.of("../inference/src/test/resources/fixtures/vit/tiny"),
                8,
                20,
                96,
                48,
                40,
                partitions,
                6,
                Duration.ZERO,
                1,
                0);
    }

    @Test
    void twoInstancesSplitThePartitionsBetweenThemAndProcessEveryFrame() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        ScaleOutBenchmark.Report report = ScaleOutBenchmark.run(
                new ScaleOutBenchmark.Options(pipeline(4), List.of(1, 2), 1),
                new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String text = buffer.toString(StandardCharsets.UTF_8);

        assertThat(report.runs()).as(text).hasSize(2);
        ScaleOutBenchmark.Run one = report.runs().get(0);
        ScaleOutBenchmark.Run two = report.runs().get(1);
        assertThat(one.instances()).isEqualTo(1);
        assertThat(one.shares()).singleElement().satisfies(s -> {
            assertThat(s.partitions()).containsExactly(0, 1, 2, 3);
            assertThat(s.frames()).isEqualTo(96);
        });
        assertThat(two.instances()).isEqualTo(2);
        assertThat(two.shares()).hasSize(2);
        // Kafka Streams gave each instance part of the input and none of it twice
        SortedSet<Integer> union = new TreeSet<>();
        for (ScaleOutBenchmark.Share share : two.shares()) {
            assertThat(share.partitions()).isNotEmpty();
            assertThat(union.addAll(share.partitions())).isTrue();
        }
        assertThat(union).containsExactly(0, 1, 2, 3);
        if (!two.rebalanced()) {
            // six cameras over four partitions: every frame is counted against the instance that owned it
            assertThat(two.shares().stream()
                            .mapToLong(ScaleOutBenchmark.Share::frames)
                            .sum())
                    .isEqualTo(96);
        }
        assertThat(List.of(one.framesPerSecond(), two.framesPerSecond()))
                .allSatisfy(fps -> assertThat(fps).isPositive());
        // every frame's bytes reached the input topic, and every output topic got records
        assertThat(report.bytesPerFrame()).containsKeys("input", "predictions", "embeddings", "masks", "changelog");
        assertThat(report.bytesPerFrame().get("input")).isGreaterThan(100);
        assertThat(report.bytesPerFrame().get("predictions")).isPositive();
        assertThat(report.bytesPerFrame().get("embeddings")).isPositive();
        assertThat(text)
                .contains("machine: ")
                .contains("2 instance(s): mean")
                .contains("broker bytes per frame")
                .contains("load average at end");
    }

    @Test
    void refusesMoreInstancesThanPartitions() {
        assertThatThrownBy(() -> new ScaleOutBenchmark.Options(pipeline(2), List.of(1, 3), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("instance counts must be 1 to the 2 input partitions")
                .hasMessageContaining("got 3");
    }
}
