package io.visionstream.app.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The viewer's page in headless Chromium, driven by {@code src/test/browser/view-test.mjs} (playwright-core
 * from npm, Debian's {@code /usr/bin/chromium}): a camera picture changes, a label appears, and the page is
 * saved to {@code target/viewer.png}, the README's screenshot. Skipped, saying what is missing, without
 * node, the script's node_modules ({@code npm ci} in src/test/browser) or Chromium; {@code .ci/run}
 * installs all three.
 */
class ViewerBrowserIT {

    private static final Path SCRIPT_DIR = Path.of("src/test/browser");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path SCREENSHOT = Path.of("target/viewer.png");

    @Test
    void thePageShowsLiveCamerasWithLabelsInABrowser() throws Exception {
        assumeTrue(nodeRuns(), "node is not on PATH: apt-get install nodejs npm (.ci/run does)");
        assumeTrue(
                Files.isDirectory(SCRIPT_DIR.resolve("node_modules/playwright-core")),
                "playwright-core is not installed: run npm ci in app/src/test/browser (.ci/run does)");
        assumeTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing: apt-get install chromium (.ci/run does)");
        Files.deleteIfExists(SCREENSHOT);

        try (LivePipeline live = LivePipeline.start(4, 5)) {
            awaitWarmUp(live.viewer.url() + "state");
            Process node = new ProcessBuilder(
                            "node",
                            "view-test.mjs",
                            live.viewer.url(),
                            SCREENSHOT.toAbsolutePath().toString())
                    .directory(SCRIPT_DIR.toFile())
                    .redirectErrorStream(true)
                    .start();
            boolean ended = node.waitFor(5, TimeUnit.MINUTES);
            if (!ended) {
                node.destroyForcibly();
            }
            String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(ended)
                    .as("view-test.mjs ended within 5 minutes: " + output)
                    .isTrue();
            assertThat(node.exitValue()).as(output).isZero();
            assertThat(output).contains("\"label\":");
        }
        var screenshot = ImageIO.read(SCREENSHOT.toFile());
        assertThat(screenshot.getWidth()).isEqualTo(1280);
        assertThat(screenshot.getHeight()).isGreaterThanOrEqualTo(500);
    }

    /**
     * Gives the processor up to 45 s to work off its start-up backlog (JIT, a loaded machine), so that the
     * screenshot shows it in its steady state; the test itself does not depend on it.
     */
    private static void awaitWarmUp(String stateUrl) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        while (System.nanoTime() < deadline) {
            var cameras = json.readTree(http.send(
                                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(stateUrl))
                                            .build(),
                                    java.net.http.HttpResponse.BodyHandlers.ofString())
                            .body())
                    .get("cameras");
            boolean steady = cameras.size() == 4;
            for (var camera : cameras) {
                steady &= camera.get("picture").asLong() > 0
                        && camera.get("latencyMs").asDouble() < 1_000
                        && camera.get("framesPerSecond").asDouble() >= 4;
            }
            if (steady) {
                return;
            }
            Thread.sleep(500);
        }
    }

    private static boolean nodeRuns() {
        try {
            Process p = new ProcessBuilder("node", "--version")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
