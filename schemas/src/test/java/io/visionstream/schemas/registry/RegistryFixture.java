package io.visionstream.schemas.registry;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;

/**
 * The one registry double, {@link LocalSchemaRegistryServer}, with what only tests need put in front of it as
 * a filter: it counts requests, remembers the last {@code Authorization} and {@code Content-Type} headers,
 * and can answer the next requests with a failure of its choosing. It can also serve over TLS and start
 * its ids elsewhere than 1 (so that byte order shows in a wire id). Listens on 127.0.0.1 on a free port.
 */
public final class RegistryFixture implements AutoCloseable {
    private final LocalSchemaRegistryServer server;
    private final Map<String, AtomicInteger> requestCounts = new ConcurrentHashMap<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile int failureStatus;
    private volatile String failureBody;
    private volatile String lastAuthorization;
    private volatile String lastContentType;

    private RegistryFixture(int firstId, Optional<BasicCredentials> basicAuth, Optional<SSLContext> tls)
            throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        HttpServer http;
        if (tls.isPresent()) {
            HttpsServer https = HttpsServer.create(loopback, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls.get()));
            http = https;
        } else {
            http = HttpServer.create(loopback, 0);
        }
        this.server = LocalSchemaRegistryServer.start(http, basicAuth, firstId, List.of(new Probe()));
    }

    /** Plain HTTP, open to every client, ids from 1. */
    public static RegistryFixture start() throws IOException {
        return start(1);
    }

    /** Plain HTTP, open to every client, ids from {@code firstId}. */
    public static RegistryFixture start(int firstId) throws IOException {
        return start(firstId, Optional.empty(), Optional.empty());
    }

    /**
     * @param basicAuth the only credentials the server accepts, or empty for none needed
     * @param tls HTTPS with this server context, or empty for plain HTTP
     */
    public static RegistryFixture start(int firstId, Optional<BasicCredentials> basicAuth, Optional<SSLContext> tls)
            throws IOException {
        return new RegistryFixture(firstId, basicAuth, tls);
    }

    public String url() {
        return server.url();
    }

    /** Registers a schema without a request, as another producer would have: nothing is counted. */
    public int preRegister(String subject, String schemaText) {
        return server.registry().register(subject, new Schema.Parser().parse(schemaText));
    }

    /** Answers the next {@code count} requests with {@code status} and a Confluent error body. */
    public void failNext(int count, int status) {
        failNext(count, status, null);
    }

    /** Answers the next {@code count} requests with {@code status} and {@code rawBody} (e.g. a proxy's page). */
    public void failNext(int count, int status, String rawBody) {
        failureStatus = status;
        failureBody = rawBody;
        failuresLeft.set(count);
    }

    /** How many requests arrived for {@code "METHOD /path"} (path as sent, encoded, without query). */
    public int requests(String methodAndPath) {
        AtomicInteger count = requestCounts.get(methodAndPath);
        return count == null ? 0 : count.get();
    }

    /** Total requests that arrived. */
    public int totalRequests() {
        return requestCounts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** The {@code Authorization} header of the last request, or null if it had none. */
    public String lastAuthorization() {
        return lastAuthorization;
    }

    /** The {@code Content-Type} header of the last request, or null if it had none. */
    public String lastContentType() {
        return lastContentType;
    }

    @Override
    public void close() {
        server.close();
    }

    /** Runs before the server sees a request: counts and records it, and fails it when told to. */
    private final class Probe extends Filter {
        @Override
        public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
            requestCounts
                    .computeIfAbsent(
                            exchange.getRequestMethod() + " "
                                    + exchange.getRequestURI().getRawPath(),
                            k -> new AtomicInteger())
                    .incrementAndGet();
            lastAuthorization = exchange.getRequestHeaders().getFirst("Authorization");
            lastContentType = exchange.getRequestHeaders().getFirst("Content-Type");
            if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                try (exchange) {
                    exchange.getRequestBody().readAllBytes();
                    String body = failureBody;
                    boolean raw = body != null;
                    if (!raw) {
                        body = "{\"error_code\":" + (failureStatus * 100 + 1) + ",\"message\":\"Injected failure\"}";
                    }
                    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders()
                            .set("Content-Type", raw ? "text/html" : "application/vnd.schemaregistry.v1+json");
                    exchange.sendResponseHeaders(failureStatus, bytes.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(bytes);
                    }
                }
                return;
            }
            chain.doFilter(exchange);
        }

        @Override
        public String description() {
            return "counts, records and fails requests for tests";
        }
    }
}
