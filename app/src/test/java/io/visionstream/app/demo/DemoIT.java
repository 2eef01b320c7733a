package io.visionstream.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo end to end, on the inference module's tiny fixture model (its accuracy means nothing). */
class DemoIT {

    @Test
    void everyFrameTheCamerasSendComesOutAsExactlyOneOutcome() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        boolean ok = Demo.run(
                new Demo.Options(
                        Path.of("../inference/src/test/resources/fixtures/vit/tiny"),
                        Duration.ofSeconds(4),
                        3,
                        8,
                        64,
                        48,
                        3,
                        Duration.ofSeconds(60),
                        Map.of("max.batch.size", "4"),
                        null,
                        -1),
                out,
                false);
        String text = buffer.toString(StandardCharsets.UTF_8);

        assertThat(ok).as(text).isTrue();
        assertThat(text).contains("every frame accounted for");
        // the broker and registry addresses, so that an outside client can follow the demo's stream
        assertThat(text).containsPattern("(?m)^kafka: \\S+:\\d+ \\(topics: \\S+ in; .+ out\\)$");
        assertThat(text).containsPattern("(?m)^schema registry: http://\\S+:\\d+$");
        String summary =
                text.lines().filter(l -> l.startsWith("frames in ")).findFirst().orElseThrow();
        String[] numbers = summary.replaceAll("frames in (\\d+) / outcomes out (\\d+).*", "$1 $2")
                .split(" ");
        assertThat(Long.parseLong(numbers[0])).isGreaterThan(20).isEqualTo(Long.parseLong(numbers[1]));
        assertThat(text.lines().filter(l -> l.contains("frames/s |"))).isNotEmpty();
    }

    @Test
    void withADenseHeadMasksAreScoredOverlaysWrittenAndTheViewerAnswersWhileItRuns(
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path model = io.visionstream.topology.processing.TestFrames.segmentingModel(dir.resolve("model"));
        Path overlays = dir.resolve("overlays");
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        var demo = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return Demo.run(
                        new Demo.Options(
                                model,
                                Duration.ofSeconds(5),
                                2,
                                8,
                                32,
                                32,
                                2,
                                Duration.ofSeconds(60),
                                Map.of(),
                                overlays,
                                0),
                        out,
                        false);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });

        String url = awaitViewerUrl(buffer, demo);
        var http = java.net.http.HttpClient.newHttpClient();
        var page = http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("live viewer");
        String state = "";
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!state.matches("(?s).*\"picture\":[1-9].*") && System.nanoTime() < deadline && !demo.isDone()) {
            Thread.sleep(200);
            try {
                state = http.send(
                                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "state"))
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString())
                        .body();
            } catch (java.net.ConnectException e) {
                break; // the demo ended, and its viewer with it
            }
        }
        assertThat(state).as("the viewer's state while the demo runs").containsPattern("\"picture\":[1-9]");
        boolean ok = demo.get(120, java.util.concurrent.TimeUnit.SECONDS);
        String text = buffer.toString(StandardCharsets.UTF_8);

        assertThat(ok).as(text).isTrue();
        assertThat(text).containsPattern("mIoU 0\\.\\d{3} over [1-9]\\d* masks");
        try (var files = java.nio.file.Files.list(overlays)) {
            var written = files.toList();
            assertThat(written).isNotEmpty();
            var image = javax.imageio.ImageIO.read(written.get(0).toFile());
            // 32x32 frames, drawn as the viewer draws them: scaled up 8 times to 256.
            assertThat(image.getWidth()).isEqualTo(256);
            assertThat(image.getHeight()).isEqualTo(256);
        }
    }

    private static String awaitViewerUrl(ByteArrayOutputStream buffer, java.util.concurrent.Future<?> demo)
            throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            var line = buffer.toString(StandardCharsets.UTF_8)
                    .lines()
                    .filter(l -> l.startsWith("viewer: "))
                    .findFirst();
            if (line.isPresent()) {
                return line.get().substring("viewer: ".length());
            }
            if (demo.isDone()) {
                demo.get();
                throw new AssertionError("the demo ended without printing the viewer's URL: " + buffer);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the demo printed no viewer URL within 60 s: " + buffer);
    }
}
