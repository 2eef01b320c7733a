package io.visionstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchDirectoriesTest {

    @TempDir
    Path tmp;

    @Test
    void deletesADirectoryWithNestedFilesAndLeavesItsNeighbours() throws Exception {
        Path scratch = tmp.resolve("state");
        Files.createDirectories(scratch.resolve("app/0_1/rocksdb"));
        Files.writeString(scratch.resolve("app/0_1/rocksdb/LOG"), "x");
        Files.writeString(scratch.resolve("app/.lock"), "");
        Path neighbour = Files.writeString(tmp.resolve("keep.txt"), "keep");

        ScratchDirectories.delete(scratch);

        assertThat(scratch).doesNotExist();
        assertThat(neighbour).hasContent("keep");
    }

    @Test
    void aMissingDirectoryOrNullIsFine() {
        ScratchDirectories.delete(tmp.resolve("never-made"));
        ScratchDirectories.delete(null);
        assertThat(tmp).exists();
    }
}
