package io.visionstream.schemas.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Confluent-compatible schema registry on loopback, for where the real one cannot run: the demo, the
 * benchmarks, and tests that span processes. It serves the part of Confluent's REST API that the common
 * clients use (Confluent's Java serdes, {@code confluent-kafka} for Python and Go, {@code
 * @kafkajs/confluent-schema-registry}), with Confluent's status codes and {@code {"error_code": n,
 * "message": "..."}} bodies:
 *
 * <ul>
 *   <li>{@code GET /subjects}, {@code GET /subjects/{s}/versions}, {@code GET
 *       /subjects/{s}/versions/{v|latest}} and its {@code /schema}, {@code POST /subjects/{s}/versions}
 *       (register), {@code POST /subjects/{s}} (look up), {@code DELETE /subjects/{s}} and {@code DELETE
 *       /subjects/{s}/versions/{v}} (soft, or with {@code permanent=true} permanent), reads taking {@code
 *       deleted=true};
 *   <li>{@code GET /schemas/ids/{id}}, {@code GET /schemas/ids/{id}/versions}, {@code GET /schemas/types};
 *   <li>{@code POST /compatibility/subjects/{s}/versions[/{v}]};
 *   <li>{@code GET}, {@code PUT} and {@code DELETE} on {@code /config} and {@code /config/{s}}: stored
 *       compatibility levels, which later registrations honour;
 *   <li>{@code GET /mode} (always {@code READWRITE}) and {@code GET /}.
 * </ul>
 *
 * <p>Only Avro; no schema references, contexts, normalisation, metadata or rule sets, import mode, or
 * leader forwarding. State is in memory ({@link InMemorySchemaRegistry}) and dies with the server.
 *
 * <p>Optionally it demands HTTP basic authentication, as a registry behind {@code
 * authentication.method=BASIC} does: a request without the right {@code Authorization} header is answered
 * 401 with {@code {"error_code": 401, "message": "Unauthorized"}} and {@code WWW-Authenticate: Basic}.
 *
 * <p>Thread-safe; requests are served by a small pool.
 */
public final class LocalSchemaRegistryServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalSchemaRegistryServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MEDIA_TYPE = "application/vnd.schemaregistry.v1+json";

    private final HttpServer server;
    private final ExecutorService pool;
    private final InMemorySchemaRegistry registry;
    private final Optional<byte[]> requiredAuthorization;

    private LocalSchemaRegistryServer(
            HttpServer server, ExecutorService pool, InMemorySchemaRegistry registry, Optional<BasicCredentials> auth) {
        this.server = server;
        this.pool = pool;
        this.registry = registry;
        this.requiredAuthorization = auth.map(c -> c.authorizationHeader().getBytes(StandardCharsets.UTF_8));
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
        return start(server, basicAuth, 1, List.of());
    }

    /**
     * Serves on a server the caller created and has not started (an {@link HttpsServer} for TLS), with the
     * caller's filters run before each request: the seam for test fixtures that count, record or fail
     * requests.
     *
     * @param firstId the id of the first schema registered (Confluent's server starts at 1)
     */
    static LocalSchemaRegistryServer start(
            HttpServer server, Optional<BasicCredentials> basicAuth, int firstId, List<Filter> filters) {
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "schema-registry");
            t.setDaemon(true);
            return t;
        });
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.standalone(
                "127.0.0.1:" + server.getAddress().getPort(), firstId);
        LocalSchemaRegistryServer local = new LocalSchemaRegistryServer(server, pool, registry, basicAuth);
        HttpContext context = server.createContext("/", local::handle);
        context.getFilters().addAll(filters);
        server.setExecutor(pool);
        server.start();
        return local;
    }

    /** {@code http://127.0.0.1:<port>} ({@code https} when serving TLS): the value for {@code schema.registry.url}. */
    public String url() {
        return (server instanceof HttpsServer ? "https" : "http") + "://127.0.0.1:"
                + server.getAddress().getPort();
    }

    /** The store behind the server, for fixtures that set up state without HTTP. */
    InMemorySchemaRegistry registry() {
        return registry;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!authorized(exchange)) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"SchemaRegistry\"");
                respond(exchange, 401, error(401, "Unauthorized"));
                return;
            }
            Request request = Request.of(exchange);
            try {
                respond(exchange, 200, route(request));
            } catch (RegistryException e) {
                respond(exchange, e.httpStatus(), error(e.errorCode(), e.registryMessage()));
            } catch (JsonProcessingException e) {
                respond(exchange, 400, error(400, "The request body is not JSON: " + e.getOriginalMessage()));
            } catch (RuntimeException e) {
                // A bug of ours: logged, and answered as Confluent's server answers its own, not as a dropped
                // connection that a client would retry.
                LOG.error("Schema registry failed on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                respond(exchange, 500, error(500, "Internal error: " + e));
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

    /** The answer's body: JSON, except {@code /schema} paths, which answer the schema text itself. */
    private byte[] route(Request r) throws IOException {
        List<String> p = r.segments;
        int n = p.size();
        if (n == 0) {
            return json(r.only("GET", () -> JSON.createObjectNode()));
        }
        switch (p.get(0)) {
            case "subjects":
                if (n == 1) {
                    return json(r.only("GET", () -> array(registry.subjects(r.flag("deleted")))));
                }
                String subject = p.get(1);
                if (n == 2) {
                    if (r.method.equals("POST")) {
                        return json(registered(registry.lookup(subject, r.schema(), r.flag("deleted"))));
                    }
                    return json(r.only("DELETE", () -> array(registry.deleteSubject(subject, r.flag("permanent")))));
                }
                if (!p.get(2).equals("versions")
                        || n > 5
                        || (n == 5 && !p.get(4).equals("schema"))) {
                    break;
                }
                if (n == 3) {
                    if (r.method.equals("POST")) {
                        return json(JSON.createObjectNode().put("id", registry.register(subject, r.schema())));
                    }
                    return json(r.only("GET", () -> array(registry.versions(subject, r.flag("deleted")))));
                }
                String version = p.get(3);
                if (n == 5) {
                    return r.only("GET", () -> registry.version(subject, version, r.flag("deleted"))
                                    .schema()
                                    .toString())
                            .getBytes(StandardCharsets.UTF_8);
                }
                if (r.method.equals("DELETE")) {
                    return json(JSON.getNodeFactory()
                            .numberNode(registry.deleteVersion(subject, version, r.flag("permanent"))));
                }
                return json(r.only("GET", () -> registered(registry.version(subject, version, r.flag("deleted")))));
            case "schemas":
                if (n == 2 && p.get(1).equals("types")) {
                    return json(r.only("GET", () -> array(List.of("AVRO"))));
                }
                if (n < 3
                        || n > 4
                        || !p.get(1).equals("ids")
                        || (n == 4 && !p.get(3).equals("versions"))) {
                    break;
                }
                int id = schemaId(p.get(2));
                if (n == 3) {
                    return json(r.only("GET", () -> JSON.createObjectNode()
                            .put("schema", registry.schemaById(id).toString())));
                }
                return json(r.only("GET", () -> {
                    ArrayNode versions = JSON.createArrayNode();
                    registry.versionsOfId(id, r.flag("deleted")).forEach(v -> versions.addObject()
                            .put("subject", v.subject())
                            .put("version", v.version()));
                    return versions;
                }));
            case "compatibility":
                if (n < 4 || n > 5 || !p.get(1).equals("subjects") || !p.get(3).equals("versions")) {
                    break;
                }
                r.require("POST");
                CompatibilityResult result = n == 5
                        ? registry.testCompatibility(p.get(2), p.get(4), r.schema())
                        : registry.testCompatibility(p.get(2), r.schema());
                ObjectNode verdict = JSON.createObjectNode().put("is_compatible", result.compatible());
                if (r.flag("verbose")) {
                    result.messages().forEach(verdict.putArray("messages")::add);
                }
                return json(verdict);
            case "config":
                if (n > 2) {
                    break;
                }
                return json(config(r, n == 2 ? p.get(1) : null));
            case "mode":
                if (n == 1) {
                    return json(r.only("GET", () -> JSON.createObjectNode().put("mode", "READWRITE")));
                }
                break;
            default:
                break;
        }
        throw new RegistryException(r.method + " " + r.path, 404, 404, "HTTP 404 Not Found");
    }

    /** {@code /config} when {@code subject} is null, else {@code /config/{subject}}. */
    private JsonNode config(Request r, String subject) throws IOException {
        switch (r.method) {
            case "GET":
                CompatibilityLevel level = subject == null
                        ? registry.compatibility()
                        : registry.compatibility(subject)
                                .or(() -> r.flag("defaultToGlobal")
                                        ? Optional.of(registry.compatibility())
                                        : Optional.empty())
                                .orElseThrow(() -> new RegistryException(
                                        "GET /config/" + subject,
                                        404,
                                        InMemorySchemaRegistry.SUBJECT_LEVEL_NOT_CONFIGURED,
                                        "Subject '" + subject + "' has no compatibility level of its own"
                                                + " (ask with defaultToGlobal=true for the global one)"));
                return levelNode("compatibilityLevel", level);
            case "PUT":
                JsonNode body = r.body();
                CompatibilityLevel wanted = CompatibilityLevel.forName(
                                body.path("compatibility").isTextual()
                                        ? body.path("compatibility").asText()
                                        : null)
                        .orElseThrow(() -> new RegistryException(
                                r.method + " " + r.path,
                                422,
                                InMemorySchemaRegistry.INVALID_COMPATIBILITY_LEVEL,
                                "Invalid compatibility level; valid levels are NONE, BACKWARD, BACKWARD_TRANSITIVE,"
                                        + " FORWARD, FORWARD_TRANSITIVE, FULL and FULL_TRANSITIVE"));
                if (subject == null) {
                    registry.setCompatibility(wanted);
                } else {
                    registry.setCompatibility(subject, wanted);
                }
                return levelNode("compatibility", wanted);
            case "DELETE":
                return levelNode(
                        "compatibilityLevel",
                        subject == null ? registry.resetCompatibility() : registry.deleteCompatibility(subject));
            default:
                throw methodNotAllowed(r);
        }
    }

    private static ObjectNode levelNode(String field, CompatibilityLevel level) {
        return JSON.createObjectNode().put(field, level.name());
    }

    private static ObjectNode registered(RegisteredSchema r) {
        return JSON.createObjectNode()
                .put("subject", r.subject())
                .put("version", r.version())
                .put("id", r.id())
                .put("schema", r.schema().toString());
    }

    private static ArrayNode array(List<?> values) {
        return JSON.valueToTree(values);
    }

    private static int schemaId(String segment) {
        try {
            return Integer.parseInt(segment);
        } catch (NumberFormatException e) {
            // Confluent's server, typed on Integer, answers a non-number id as an unknown path.
            throw new RegistryException("GET /schemas/ids/" + segment, 404, 404, "HTTP 404 Not Found");
        }
    }

    private static byte[] json(JsonNode node) throws JsonProcessingException {
        return JSON.writeValueAsBytes(node);
    }

    private static byte[] error(int code, String message) throws JsonProcessingException {
        return json(JSON.createObjectNode().put("error_code", code).put("message", message));
    }

    private static RegistryException methodNotAllowed(Request r) {
        return new RegistryException(r.method + " " + r.path, 405, 405, "HTTP 405 Method Not Allowed");
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", MEDIA_TYPE);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** What {@link #route} needs of one exchange: method, decoded path segments, query flags, body. */
    private static final class Request {
        final String method;
        final String path;
        final List<String> segments;
        final Map<String, String> query;
        final byte[] body;

        private Request(String method, String path, List<String> segments, Map<String, String> query, byte[] body) {
            this.method = method;
            this.path = path;
            this.segments = segments;
            this.query = query;
            this.body = body;
        }

        static Request of(HttpExchange exchange) throws IOException {
            String raw = exchange.getRequestURI().getRawPath();
            List<String> segments = java.util.Arrays.stream(raw.split("/"))
                    .filter(s -> !s.isEmpty())
                    .map(Request::decode)
                    .toList();
            Map<String, String> query = new HashMap<>();
            String rawQuery = exchange.getRequestURI().getRawQuery();
            if (rawQuery != null) {
                for (String pair : rawQuery.split("&")) {
                    int eq = pair.indexOf('=');
                    query.put(
                            decode(eq < 0 ? pair : pair.substring(0, eq)),
                            eq < 0 ? "" : decode(pair.substring(eq + 1)));
                }
            }
            return new Request(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(),
                    segments,
                    query,
                    exchange.getRequestBody().readAllBytes());
        }

        /** Percent-decoding of a URI component; unlike form decoding, {@code +} stays a plus. */
        private static String decode(String component) {
            return URLDecoder.decode(component.replace("+", "%2B"), StandardCharsets.UTF_8);
        }

        /** A boolean query parameter: true only when given as {@code true} (any case). */
        boolean flag(String name) {
            return "true".equalsIgnoreCase(query.get(name));
        }

        JsonNode body() throws IOException {
            JsonNode node = body.length == 0 ? null : JSON.readTree(body);
            return node == null ? JSON.createObjectNode() : node;
        }

        /**
         * The Avro schema of a register, look-up or compatibility request body.
         *
         * @throws RegistryException 42201 for a schema that is missing, not Avro, uses references, or does
         *     not parse
         */
        Schema schema() throws IOException {
            JsonNode body = body();
            String type = body.path("schemaType").asText("AVRO");
            if (!type.equals("AVRO")) {
                throw invalid("Only AVRO schemas are supported here, got schemaType " + type);
            }
            if (!body.path("references").isMissingNode()
                    && !body.path("references").isNull()
                    && !body.path("references").isEmpty()) {
                throw invalid("Schema references are not supported here");
            }
            JsonNode schema = body.get("schema");
            if (schema == null || !schema.isTextual()) {
                throw invalid("Request has no schema string");
            }
            try {
                return new Schema.Parser().parse(schema.asText());
            } catch (AvroRuntimeException e) { // SchemaParseException, or AvroTypeException for a bad default
                throw invalid("Invalid schema " + schema.asText() + ", details: " + e.getMessage());
            }
        }

        private RegistryException invalid(String message) {
            return new RegistryException(method + " " + path, 422, RegistryException.INVALID_SCHEMA, message);
        }

        void require(String allowed) {
            if (!method.equals(allowed)) {
                throw methodNotAllowed(this);
            }
        }

        <T> T only(String allowed, Answer<T> answer) throws IOException {
            require(allowed);
            return answer.get();
        }
    }

    @FunctionalInterface
    private interface Answer<T> {
        T get() throws IOException;
    }

    /** Stops serving and forgets every schema. */
    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
