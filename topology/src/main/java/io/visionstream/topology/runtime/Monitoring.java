package io.visionstream.topology.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.visionstream.topology.config.ConfigException;
import io.visionstream.topology.config.VisionConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's meter registry and, unless {@code metrics.port=-1}, its HTTP endpoints on every interface:
 *
 * <ul>
 *   <li>{@code GET /metrics}: every meter in the Prometheus text format (version 0.0.4);
 *   <li>{@code GET /healthz}: liveness, 200 unless Kafka Streams failed (503), JSON;
 *   <li>{@code GET /readyz}: readiness, 200 only while Kafka Streams is RUNNING and the model is loaded,
 *       503 otherwise, JSON naming each check.
 * </ul>
 *
 * <p>It outlives the {@link ProcessorInstance} it watches: start it first (a port already in use stops the
 * start before the model loads), then {@link ProcessorInstance#start(VisionConfig, Monitoring)}, and close
 * it after the processor, so that the last scrape and the 503 of a stopped processor can still be read.
 * The JVM binders (memory, GC, threads, class loading, CPU, file descriptors, uptime) are bound here.
 *
 * <p>Thread-safe.
 */
public final class Monitoring implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Monitoring.class);

    /** What {@code /metrics} answers with. */
    static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final Health health = new Health();
    private final HttpServer server;
    private final ExecutorService handlers;

    private Monitoring(PrometheusMeterRegistry registry, JvmGcMetrics gc, HttpServer server, ExecutorService handlers) {
        this.registry = registry;
        this.gc = gc;
        this.server = server;
        this.handlers = handlers;
    }

    /**
     * Creates the registry, binds the JVM meters and, unless {@code settings.port()} is -1, serves the
     * endpoints.
     *
     * @throws ConfigException {@code metrics.port N is already in use}, or cannot be bound for another
     *     reason (the line says which)
     */
    public static Monitoring start(VisionConfig.Metrics settings) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        if (!settings.serves()) {
            return new Monitoring(registry, gc, null, null);
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(settings.port()), 0);
        } catch (BindException e) {
            gc.close();
            registry.close();
            String why = e.getMessage() != null && e.getMessage().contains("in use")
                    ? " is already in use"
                    : " cannot be bound: " + e.getMessage();
            throw new ConfigException("metrics.port " + settings.port() + why);
        } catch (IOException e) {
            gc.close();
            registry.close();
            throw new ConfigException("metrics.port " + settings.port() + " cannot be served: " + e.getMessage());
        }
        // Two threads: a slow scrape must not hold up a health probe.
        ExecutorService handlers = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "vision-metrics-http");
            thread.setDaemon(true);
            return thread;
        });
        Monitoring monitoring = new Monitoring(registry, gc, server, handlers);
        server.createContext("/metrics", monitoring::metrics);
        server.createContext("/healthz", exchange -> monitoring.check(exchange, monitoring.health.liveness()));
        server.createContext("/readyz", exchange -> monitoring.check(exchange, monitoring.health.readiness()));
        server.setExecutor(handlers);
        server.start();
        log.info(
                "Serving /metrics, /healthz and /readyz on port {}",
                monitoring.port().orElseThrow());
        return monitoring;
    }

    /** Where the meters go. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The registry's exposition, as {@code /metrics} serves it. */
    public String scrape() {
        return registry.scrape(METRICS_CONTENT_TYPE);
    }

    /** The port the endpoints are served on (the one picked when {@code metrics.port=0}); empty when off. */
    public Optional<Integer> port() {
        return server == null
                ? Optional.empty()
                : Optional.of(server.getAddress().getPort());
    }

    /** {@code http://localhost:PORT/metrics}, or empty when the server is off. */
    public Optional<URI> metricsUrl() {
        return port().map(p -> URI.create("http://localhost:" + p + "/metrics"));
    }

    /** The health the endpoints report; the processor updates it. */
    Health health() {
        return health;
    }

    private void metrics(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!allowed(exchange)) {
                return;
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
            registry.scrape(body, METRICS_CONTENT_TYPE);
            respond(exchange, 200, METRICS_CONTENT_TYPE, body.toByteArray());
        }
    }

    private void check(HttpExchange exchange, Health.Report report) throws IOException {
        try (exchange) {
            if (allowed(exchange)) {
                respond(
                        exchange,
                        report.ok() ? 200 : 503,
                        "application/json",
                        report.json().getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** GET and HEAD only; anything else gets 405. */
    private static boolean allowed(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if (method.equals("GET") || method.equals("HEAD")) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        exchange.sendResponseHeaders(405, -1);
        return false;
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Stops serving (waiting up to a second for answers under way) and closes the registry. */
    @Override
    public void close() {
        if (server != null) {
            server.stop(1);
            handlers.shutdown();
            try {
                handlers.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        gc.close();
        registry.close();
    }
}
