package io.visionstream.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the temporary state directories that the demo and the benchmarks give Kafka Streams, once their
 * processor has closed, so that repeated runs do not fill the temporary folder.
 */
public final class ScratchDirectories {

    private static final Logger log = LoggerFactory.getLogger(ScratchDirectories.class);

    private ScratchDirectories() {}

    /**
     * Deletes {@code dir} and everything under it; a directory already gone is fine. A file that cannot be
     * deleted is logged and left, since losing scratch space must not fail the run that used it.
     */
    public static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        } catch (IOException | UncheckedIOException e) {
            log.warn("Could not list scratch directory {} to delete it: {}", dir, e.getMessage());
            return;
        }
        for (Path path : paths) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                log.warn("Could not delete {} (scratch directory {}): {}", path, dir, e.getMessage());
            }
        }
    }
}
