package io.visionstream.app.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** What the verifier prints for people. */
class VerificationTest {

    private static final Verification.SourceCount CLEAN_SOURCE = new Verification.SourceCount(3, 3, 0, 0, 0);

    @Test
    void aCleanRunPrintsNoMissingLine() {
        Verification v = new Verification(Map.of("cam-0", CLEAN_SOURCE), 3, 3, 0, 0, Map.of());
        assertThat(v.clean()).isTrue();
        assertThat(v.lines()).noneMatch(line -> line.startsWith("no outcome"));
        assertThat(v.lines()).last().asString().endsWith(": CLEAN");
    }

    @Test
    void missingRecordsAreNamedByPartitionAndOffset() {
        List<Long> many = LongStream.range(100, 100 + Verification.MISSING_SHOWN + 5)
                .boxed()
                .toList();
        Verification v = new Verification(
                Map.of("cam-0", new Verification.SourceCount(40, 13, 27, 0, 0)),
                40,
                13,
                0,
                0,
                Map.of("frames/1", many, "frames/0", List.of(4L, 9L)));
        List<String> lines = v.lines();
        assertThat(lines).contains("no outcome for frames/0 at offsets 4, 9 (2 records)");
        String partitionOne = lines.stream()
                .filter(line -> line.startsWith("no outcome for frames/1"))
                .findFirst()
                .orElseThrow();
        assertThat(partitionOne)
                .startsWith("no outcome for frames/1 at offsets 100, 101, ")
                .contains("119, ...")
                .doesNotContain("120")
                .endsWith("(25 records)");
        // partitions in order, before the summary line
        assertThat(lines.indexOf("no outcome for frames/0 at offsets 4, 9 (2 records)"))
                .isLessThan(lines.indexOf(partitionOne));
        assertThat(lines).last().asString().endsWith("NOT CLEAN");
    }
}
