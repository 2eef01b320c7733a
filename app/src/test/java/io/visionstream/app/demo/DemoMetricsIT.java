package io.visionstream.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The demo prints where its metrics are, and they answer while it runs. */
class DemoMetricsIT {

    private static final Pattern METRICS_LINE = Pattern.compile("metrics: (http://localhost:\\d+/metrics)");

    @Test
    void theDemoPrintsItsMetricsUrlAndItAnswersWhileTheCamerasRun() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        CompletableFuture<Boolean> demo = CompletableFuture.supplyAsync(() -> {
            try {
                return Demo.run(
                        new Demo.Options(
                                Path.of("../inference/src/test/resources/fixtures/vit/tiny"),
                                Duration.ofSeconds(6),
                                2,
                                8,
                                64,
                                48,
                                2,
                                Duration.ofSeconds(60),
                                Map.of("max.batch.size", "4", "metrics.port", "0"),
                                null,
                                -1),
                        out,
                        false);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        URI url = null;
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String scrape = "";
        while (System.nanoTime() < deadline && !demo.isDone()) {
            if (url == null) {
                Matcher m = METRICS_LINE.matcher(buffer.toString(StandardCharsets.UTF_8));
                url = m.find() ? URI.create(m.group(1)) : null;
            }
            if (url != null) {
                scrape = http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString())
                        .body();
                if (scrape.lines()
                        .anyMatch(l ->
                                l.startsWith("visionstream_outcomes_total{outcome=\"ok\"}") && !l.endsWith(" 0.0"))) {
                    break;
                }
            }
            Thread.sleep(200);
        }
        String text = buffer.toString(StandardCharsets.UTF_8);
        assertThat(url).as(text).isNotNull();
        assertThat(demo.isDone())
                .as("the scrape was answered while the demo ran")
                .isFalse();
        assertThat(scrape).contains("visionstream_frames_received_total", "kafka_consumer_fetch_manager");
        assertThat(demo.get(180, TimeUnit.SECONDS))
                .as(buffer.toString(StandardCharsets.UTF_8))
                .isTrue();
    }
}
