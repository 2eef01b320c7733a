package io.visionstream.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A schema registry on loopback that speaks the Confluent Schema Registry REST API, for where the real
 * one cannot run (the demo, tests that span processes): register ({@code POST /subjects/{s}/versions}),
 * look up by id ({@code GET /schemas/ids/{id}}), by subject and version ({@code GET
 * /subjects/{s}/versions/{v}}), under a subject ({@code POST /subjects/{s}}), check compatibility ({@code
 * POST /compatibility/subjects/{s}/versions/{v}}), and list subjects ({@code GET /subjects}). Errors carry
 * Confluent's bodies ({@code {"error_code": 40401, "message": "..."}}). Registration enforces BACKWARD
 * compatibility, Confluent's default. State is in memory and dies with the server.
 *
 * <p>Optionally it demands HTTP basic authentication, as a registry behind {@code
 * authentication.method=BASIC} does: a request without the right {@code Authorization} header is answered
 * 401 with {@code {"error_code": 401, "message": "Unauthorized"}} and {@code WWW-Authenticate: Basic}.
 *
 * <p>Thread-safe; requests are served by a small pool.
 */
public final class LocalSchemaRegistryServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MEDIA_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Pattern REGISTER = Pattern.compile("/subjects/([^/]+)/versions");
    private static final Pattern BY_ID = Pattern.compile("/schemas/ids/(-?\\d+)");
    private static final Pattern VERSION = Pattern.compile("/subjects/([^/]+)/versions/([^/]+)");
    private static final Pattern LOOKUP = Pattern.compile("/subjects/([^/]+)");
    private static final Pattern COMPATIBILITY = Pattern.compile("/compatibility/subjects/([^/]+)/versions/([^/]+)");

    private final HttpServer server;
    private final ExecutorService pool;
    private final InMemorySchemaRegistry registry;
    private final String scope;
    private final Optional<byte[]> requiredAuthorization;

    private LocalSchemaRegistryServer(
            HttpServer server, ExecutorService pool, String scope, Optional<BasicCredentials> basicAuth) {
        this.server = server;
        this.pool = pool;
        this.scope = scope;
        this.registry = InMemorySchemaRegistry.forScope(scope);
        this.requiredAuthorization = basicAuth.map(c -> c.authorizationHeader().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Starts on 127.0.0.1, open to every client.
     *
     * @param port a port, or 0 for a free one
     * @throws IOException if the port cannot be bound
     */
    public static LocalSchemaRegistryServer start(int port) throws IOException {
        return start(port, Optional.empty());
    }

    /**
     * Starts on 127.0.0.1.
     *
     * @param port a port, or 0 for a free one
     * @param basicAuth the only credentials accepted, or empty to accept every request
     * @throws IOException if the port cannot be bound
     */
    public static LocalSchemaRegistryServer start(int port, Optional<BasicCredentials> basicAuth) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "schema-registry");
            t.setDaemon(true);
            return t;
        });
        LocalSchemaRegistryServer local =
                new LocalSchemaRegistryServer(server, pool, "local-server-" + UUID.randomUUID(), basicAuth);
        server.createContext("/", local::handle);
        server.setExecutor(pool);
        server.start();
        return local;
    }

    /** {@code http://127.0.0.1:<port>}: the value for {@code schema.registry.url}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            if (!authorized(exchange)) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"SchemaRegistry\"");
                respond(exchange, 401, error(401, "Unauthorized"));
                return;
            }
            try {
                Object body = route(method, path, exchange);
                respond(exchange, 200, JSON.writeValueAsBytes(body));
            } catch (RegistryException e) {
                respond(exchange, e.httpStatus(), error(e.errorCode(), e.registryMessage()));
            } catch (SchemaParseException e) {
                respond(exchange, 422, error(RegistryException.INVALID_SCHEMA, "Invalid schema: " + e.getMessage()));
            } catch (IOException | RuntimeException e) {
                respond(exchange, 500, error(50001, "Error in the backend data store: " + e));
            }
        }
    }

    private boolean authorized(HttpExchange exchange) {
        if (requiredAuthorization.isEmpty()) {
            return true;
        }
        String given = exchange.getRequestHeaders().getFirst("Authorization");
        // Constant time, so the answer's timing says nothing about how much of a guess was right.
        return given != null
                && MessageDigest.isEqual(requiredAuthorization.get(), given.getBytes(StandardCharsets.UTF_8));
    }

    private Object route(String method, String path, HttpExchange exchange) throws IOException {
        Matcher m;
        if (method.equals("GET") && path.equals("/subjects")) {
            return registry.subjects();
        }
        if (method.equals("POST") && (m = REGISTER.matcher(path)).matches()) {
            int id = registry.register(decode(m.group(1)), schemaOf(exchange));
            return JSON.createObjectNode().put("id", id);
        }
        if (method.equals("GET") && (m = BY_ID.matcher(path)).matches()) {
            Schema schema = registry.schemaById(Integer.parseInt(m.group(1)));
            return JSON.createObjectNode().put("schema", schema.toString());
        }
        if (method.equals("GET") && (m = VERSION.matcher(path)).matches()) {
            return registered(registry.version(decode(m.group(1)), decode(m.group(2))));
        }
        if (method.equals("POST") && (m = COMPATIBILITY.matcher(path)).matches()) {
            CompatibilityResult result =
                    registry.testCompatibility(decode(m.group(1)), decode(m.group(2)), schemaOf(exchange));
            ObjectNode node = JSON.createObjectNode().put("is_compatible", result.compatible());
            result.messages().forEach(node.putArray("messages")::add);
            return node;
        }
        if (method.equals("POST") && (m = LOOKUP.matcher(path)).matches()) {
            return registered(registry.lookup(decode(m.group(1)), schemaOf(exchange)));
        }
        throw new RegistryException(method + " " + path, 404, 404, "HTTP 404 Not Found");
    }

    private static ObjectNode registered(RegisteredSchema r) {
        return JSON.createObjectNode()
                .put("subject", r.subject())
                .put("version", r.version())
                .put("id", r.id())
                .put("schema", r.schema().toString());
    }

    private static Schema schemaOf(HttpExchange exchange) throws IOException {
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        JsonNode type = body == null ? null : body.get("schemaType");
        if (type != null && !"AVRO".equals(type.asText())) {
            throw new RegistryException(
                    "schemaType",
                    422,
                    RegistryException.INVALID_SCHEMA,
                    "Only AVRO schemas are supported here, got " + type.asText());
        }
        JsonNode schema = body == null ? null : body.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw new RegistryException("body", 422, RegistryException.INVALID_SCHEMA, "Request has no schema string");
        }
        return new Schema.Parser().parse(schema.asText());
    }

    private static String decode(String part) {
        return URLDecoder.decode(part, StandardCharsets.UTF_8);
    }

    private static byte[] error(int code, String message) throws IOException {
        return JSON.writeValueAsBytes(
                JSON.createObjectNode().put("error_code", code).put("message", message));
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", MEDIA_TYPE);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Stops serving and forgets every schema. */
    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
        InMemorySchemaRegistry.dropScope(scope);
    }
}
