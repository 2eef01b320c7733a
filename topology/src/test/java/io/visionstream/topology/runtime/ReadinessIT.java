package io.visionstream.topology.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.topology.config.VisionConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/** {@code /readyz} and {@code /healthz} through a processor's life on a real broker. */
class ReadinessIT {

    private static final Path MODEL = Path.of("../inference/src/test/resources/fixtures/vit/tiny");

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(Monitoring monitoring, String path) throws Exception {
        URI url = URI.create("http://localhost:" + monitoring.port().orElseThrow() + path);
        return http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readyzIs503BeforeTheProcessorRuns200WhileItRunsAnd503AfterItIsClosed() throws Exception {
        try (EmbeddedKafkaCluster kafka =
                EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(16 << 20))) {
            Map<String, String> settings = new HashMap<>();
            settings.put("bootstrap.servers", kafka.bootstrapServers());
            settings.put("schema.registry.url", "mock://readiness-it-" + UUID.randomUUID());
            settings.put("application.id", "readiness-it");
            settings.put("model.dir", MODEL.toString());
            settings.put("state.dir", Files.createTempDirectory("readiness-it").toString());
            settings.put("metrics.port", "0");
            VisionConfig config = VisionConfig.from(settings);

            try (Monitoring monitoring = Monitoring.start(config.metrics())) {
                HttpResponse<String> before = get(monitoring, "/readyz");
                assertThat(before.statusCode()).isEqualTo(503);
                assertThat(before.body())
                        .isEqualTo("{\"status\":\"not_ready\",\"checks\":{\"kafka_streams\":\"NOT_CREATED\","
                                + "\"model\":\"not_loaded\"}}");

                ProcessorInstance processor = ProcessorInstance.start(config, monitoring);
                try {
                    // Until Kafka Streams is RUNNING, every answer whose state was not RUNNING on either
                    // side of it is a 503.
                    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                    while (processor.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
                        KafkaStreams.State stateBefore = processor.state();
                        HttpResponse<String> starting = get(monitoring, "/readyz");
                        KafkaStreams.State stateAfter = processor.state();
                        if (stateBefore != KafkaStreams.State.RUNNING && stateAfter != KafkaStreams.State.RUNNING) {
                            assertThat(starting.statusCode())
                                    .as(starting.body())
                                    .isEqualTo(503);
                            assertThat(starting.body()).contains("\"model\":\"loaded\"");
                        }
                        Thread.sleep(20);
                    }
                    assertThat(processor.awaitRunning(Duration.ofSeconds(1))).isTrue();

                    HttpResponse<String> running = get(monitoring, "/readyz");
                    assertThat(running.statusCode()).isEqualTo(200);
                    assertThat(running.headers().firstValue("Content-Type")).hasValue("application/json");
                    assertThat(running.body())
                            .isEqualTo("{\"status\":\"ready\",\"checks\":{\"kafka_streams\":\"RUNNING\","
                                    + "\"model\":\"loaded\"}}");
                    HttpResponse<String> alive = get(monitoring, "/healthz");
                    assertThat(alive.statusCode()).isEqualTo(200);
                    assertThat(alive.body())
                            .isEqualTo("{\"status\":\"alive\",\"checks\":{\"kafka_streams\":\"RUNNING\"}}");
                } finally {
                    processor.close();
                }

                HttpResponse<String> closed = get(monitoring, "/readyz");
                assertThat(closed.statusCode()).isEqualTo(503);
                assertThat(closed.body())
                        .isEqualTo("{\"status\":\"not_ready\",\"checks\":{\"kafka_streams\":\"NOT_RUNNING\","
                                + "\"model\":\"closed\"}}");
                // Closed on request, not failed: still alive, and the last counts can still be scraped.
                assertThat(get(monitoring, "/healthz").statusCode()).isEqualTo(200);
                assertThat(get(monitoring, "/metrics").body()).contains("visionstream_frames_received_total 0.0");
            }
        }
    }
}
