package io.visionstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class VisionAppTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = VisionApp.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void helpListsTheCommandsAndExitsZero() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString())
                .startsWith("Usage: vision")
                .contains("Commands:")
                .contains("help");
        // each command's line in the list is a whole sentence, not the first line of a longer description
        assertThat(out.toString()).contains("synthetic cameras, a viewer.").contains("frames/s and latency.");
    }

    @Test
    void versionNamesTheProgramAndTheJava() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("vision ").contains("Java " + Runtime.version());
    }

    @Test
    void anUnknownCommandIsAUsageErrorWithExitCodeTwo() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument at index 0: 'frobnicate'");
    }

    @Test
    void benchEngineWithAMissingTorchScriptDirectoryFailsInOneLine() {
        assertThat(run("bench", "engine", "--torchscript", "/no/such/dir")).isEqualTo(1);
        assertThat(err.toString())
                .startsWith("vision engine: --torchscript /no/such/dir is not a directory (write one with"
                        + " inference/src/test/python/export_torchscript_baseline.py DIR)")
                .hasLineCount(1);
    }
}
