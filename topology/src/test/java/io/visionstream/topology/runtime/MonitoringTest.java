package io.visionstream.topology.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.topology.batching.BatchInfo;
import io.visionstream.topology.config.ConfigException;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.metrics.VisionMetrics;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/** The endpoints without a processor: what they say before one is attached, and how they fail to start. */
class MonitoringTest {

    private static final VisionConfig.Metrics ANY_PORT = new VisionConfig.Metrics(0, true, 100);

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(Monitoring monitoring, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(
                                "http://localhost:" + monitoring.port().orElseThrow() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsAreServedInThePrometheusTextFormatWithTheJvmMeters() throws Exception {
        try (Monitoring monitoring = Monitoring.start(ANY_PORT)) {
            HttpResponse<String> response = get(monitoring, "/metrics");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValue("text/plain; version=0.0.4; charset=utf-8");
            assertThat(response.body())
                    .contains("# TYPE jvm_memory_used_bytes gauge")
                    .contains("jvm_threads_live_threads")
                    .contains("process_cpu_usage");
            assertThat(monitoring.metricsUrl())
                    .hasValue(URI.create("http://localhost:" + monitoring.port().orElseThrow() + "/metrics"));
        }
    }

    @Test
    void theProcessorsMetersAppearUnderTheirPrometheusNames() throws Exception {
        try (Monitoring monitoring = Monitoring.start(ANY_PORT)) {
            VisionMetrics metrics = new VisionMetrics(monitoring.registry(), true, 10);
            metrics.model("tiny", "sha256:abc", "vit_tiny_patch16_224", "cpu()", "fp32");
            metrics.frameReceived();
            metrics.inferred("cam-a", 1_500, 20, 80);
            metrics.batchClosed(BatchInfo.Trigger.DELAY, 3);
            String scrape = get(monitoring, "/metrics").body();
            assertThat(scrape.lines())
                    .contains(
                            "visionstream_frames_received_total 1.0",
                            "visionstream_outcomes_total{outcome=\"ok\"} 1.0",
                            "visionstream_outcomes_total{outcome=\"skipped_stale\"} 0.0",
                            "visionstream_dead_letters_total{stage=\"deserialize\"} 0.0",
                            "visionstream_batches_total{trigger=\"delay\"} 1.0",
                            "visionstream_batch_size_bucket{le=\"4.0\"} 1",
                            "visionstream_batch_size_count 1",
                            "visionstream_batch_size_sum 3.0",
                            "visionstream_frame_queue_seconds_bucket{le=\"0.025\"} 1",
                            "visionstream_end_to_end_seconds_count 1",
                            "visionstream_pending_frames 0.0",
                            "visionstream_inflight_batches 1.0",
                            "visionstream_camera_frames_total{camera=\"cam-a\"} 1.0",
                            "visionstream_camera_last_frame_timestamp_seconds{camera=\"cam-a\"} 1.5",
                            "visionstream_model_info{architecture=\"vit_tiny_patch16_224\",device=\"cpu()\","
                                    + "model_name=\"tiny\",model_version=\"sha256:abc\",precision=\"fp32\"} 1");
        }
    }

    @Test
    void beforeAProcessorIsAttachedItIsAliveButNotReady() throws Exception {
        try (Monitoring monitoring = Monitoring.start(ANY_PORT)) {
            HttpResponse<String> ready = get(monitoring, "/readyz");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(ready.body())
                    .isEqualTo("{\"status\":\"not_ready\",\"checks\":{\"kafka_streams\":\"NOT_CREATED\","
                            + "\"model\":\"not_loaded\"}}");
            HttpResponse<String> live = get(monitoring, "/healthz");
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(live.body()).isEqualTo("{\"status\":\"alive\",\"checks\":{\"kafka_streams\":\"NOT_CREATED\"}}");
        }
    }

    @Test
    void onlyGetAndHeadAreAnswered() throws Exception {
        try (Monitoring monitoring = Monitoring.start(ANY_PORT)) {
            HttpResponse<String> post = http.send(
                    HttpRequest.newBuilder(URI.create(
                                    "http://localhost:" + monitoring.port().orElseThrow() + "/metrics"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        }
    }

    @Test
    void aPortAlreadyInUseIsOneLineNamingTheSettingAndThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> Monitoring.start(new VisionConfig.Metrics(port, true, 100)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("metrics.port " + port + " is already in use");
        }
    }

    @Test
    void portMinusOneServesNothingButStillHasARegistry() {
        try (Monitoring monitoring = Monitoring.start(new VisionConfig.Metrics(-1, true, 100))) {
            assertThat(monitoring.port()).isEmpty();
            assertThat(monitoring.metricsUrl()).isEmpty();
            assertThat(monitoring.scrape()).contains("jvm_memory_used_bytes");
        }
    }

    @Test
    void readyOnlyWhileRunningWithTheModelLoadedAndFailedOnlyOnError() {
        Health health = new Health();
        KafkaStreams.State[] state = {KafkaStreams.State.REBALANCING};
        Throwable[] failure = {null};
        health.streams(() -> state[0], () -> failure[0]);
        health.model(Health.Model.LOADED);
        assertThat(health.readiness().ok()).isFalse();
        state[0] = KafkaStreams.State.RUNNING;
        assertThat(health.readiness())
                .isEqualTo(new Health.Report(
                        true,
                        "{\"status\":\"ready\",\"checks\":{\"kafka_streams\":\"RUNNING\",\"model\":\"loaded\"}}"));
        health.model(Health.Model.CLOSED);
        assertThat(health.readiness().ok()).isFalse();
        assertThat(health.liveness().ok()).isTrue();
        state[0] = KafkaStreams.State.PENDING_ERROR;
        assertThat(health.liveness())
                .isEqualTo(new Health.Report(
                        false, "{\"status\":\"failed\",\"checks\":{\"kafka_streams\":\"PENDING_ERROR\"}}"));
        state[0] = KafkaStreams.State.NOT_RUNNING;
        assertThat(health.liveness().ok()).isTrue();
        failure[0] = new IllegalStateException("model exploded");
        assertThat(health.liveness().ok()).isFalse();
    }
}
