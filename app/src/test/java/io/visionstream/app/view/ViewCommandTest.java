package io.visionstream.app.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.app.VisionApp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ViewCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = VisionApp.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void aPortInUseStopsTheStartWithOneLineNamingTheOptionAndThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();

            int exit = run(
                    "view",
                    "--port",
                    String.valueOf(port),
                    "--set",
                    "bootstrap.servers=localhost:1",
                    "--set",
                    "schema.registry.url=mock://view-test");

            assertThat(exit).isEqualTo(1);
            assertThat(err.toString()).isEqualTo("vision view: --port " + port + " is already in use\n");
            assertThat(out.toString()).isEmpty();
        }
    }

    @Test
    void aBadSettingStopsTheStartWithOneLineNamingIt() {
        int exit = run("view", "--port", "0", "--set", "schema.registry.url=mock://view-test");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("vision view: bootstrap.servers is required\n");
    }

    @Test
    void theViewerIsACommandOfVision() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("view ");
    }
}
