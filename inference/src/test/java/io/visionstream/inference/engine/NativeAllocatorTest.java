package io.visionstream.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class NativeAllocatorTest {

    /** The repository root: Maven runs a module's tests in the module's folder. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void describesEachWayTheProcessCanStart() {
        assertThat(NativeAllocator.describe(null))
                .startsWith("native allocator: glibc defaults (GLIBC_TUNABLES unset)")
                .contains("GLIBC_TUNABLES=" + NativeAllocator.RECOMMENDED)
                .contains("docs/performance.md");
        assertThat(NativeAllocator.describe(NativeAllocator.RECOMMENDED))
                .isEqualTo(
                        "native allocator: GLIBC_TUNABLES=" + NativeAllocator.RECOMMENDED + " (the project's setting)");
        assertThat(NativeAllocator.describe("glibc.malloc.arena_max=2"))
                .isEqualTo("native allocator: GLIBC_TUNABLES=glibc.malloc.arena_max=2, set by the caller (the"
                        + " project's setting is " + NativeAllocator.RECOMMENDED + ")");
    }

    @Test
    void theLauncherExportsTheSettingUnlessTheCallerChoseOne() throws IOException {
        String launcher = Files.readString(ROOT.resolve("vision"));
        assertThat(launcher)
                .as("./vision keeps a caller's GLIBC_TUNABLES (even empty) and otherwise exports the project's")
                .contains("export GLIBC_TUNABLES=\"${GLIBC_TUNABLES-" + NativeAllocator.RECOMMENDED + "}\"");
    }

    @Test
    void everyContainerImageStartsWithTheSetting() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        // each runtime stage (FROM ... AS tools, FROM ... AS processor) sets it before its entry point
        List<String> images = Arrays.stream(dockerfile.split("(?m)^(?=FROM )"))
                .filter(stage -> stage.startsWith("FROM ") && !stage.matches("(?s)FROM \\S+ AS build\\b.*"))
                .toList();
        assertThat(images).as("runtime images in the Dockerfile").hasSize(2);
        assertThat(images)
                .allSatisfy(stage -> assertThat(stage).contains("ENV GLIBC_TUNABLES=" + NativeAllocator.RECOMMENDED));
    }

    @Test
    void theBuildRunsTheTestsWithTheSetting() {
        assertThat(System.getenv(NativeAllocator.VARIABLE))
                .as("surefire and failsafe set GLIBC_TUNABLES (root pom.xml) so tests run as the product does")
                .isEqualTo(NativeAllocator.RECOMMENDED);
        assertThat(NativeAllocator.isRecommended()).isTrue();
    }
}
