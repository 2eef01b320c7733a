package io.visionstream.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * A stand-in for the Confluent Schema Registry, written for the tests from the registry's documented REST
 * API: the five endpoints the client uses, Confluent's error bodies ({@code {"error_code": n, "message":
 * "..."}}), BACKWARD compatibility on registration, optional basic auth. It counts requests and can be told
 * to fail the next requests with a status. Listens on 127.0.0.1 on a free port.
 */
public final class FakeSchemaRegistryServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern REGISTER = Pattern.compile("/subjects/([^/]+)/versions");
    private static final Pattern BY_ID = Pattern.compile("/schemas/ids/(-?\\d+)");
    private static final Pattern VERSION = Pattern.compile("/subjects/([^/]+)/versions/([^/]+)");
    private static final Pattern LOOKUP = Pattern.compile("/subjects/([^/]+)");
    private static final Pattern COMPATIBILITY = Pattern.compile("/compatibility/subjects/([^/]+)/versions/([^/]+)");

    private final HttpServer server;
    private final Map<Integer, String> schemaTexts = new HashMap<>();
    private final Map<String, Integer> idByCanonical = new HashMap<>();
    private final Map<String, List<Integer>> subjects = new HashMap<>();
    private final Map<String, AtomicInteger> requestCounts = new ConcurrentHashMap<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile int failureStatus = 500;
    private volatile String failureBody;
    private volatile String requiredAuthorization;
    private volatile String lastAuthorization;
    private volatile String lastContentType;
    private int nextId;

    /** Starts a server whose first schema gets id {@code firstId}. */
    public FakeSchemaRegistryServer(int firstId) throws IOException {
        this(firstId, null);
    }

    /** Starts a server; over HTTPS with {@code tls} when it is not null. */
    public FakeSchemaRegistryServer(int firstId, SSLContext tls) throws IOException {
        this.nextId = firstId;
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls == null) {
            server = HttpServer.create(loopback, 0);
        } else {
            HttpsServer https = HttpsServer.create(loopback, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        }
        server.createContext("/", this::handle);
        server.start();
    }

    public FakeSchemaRegistryServer() throws IOException {
        this(1);
    }

    public String url() {
        return (server instanceof HttpsServer ? "https" : "http") + "://127.0.0.1:"
                + server.getAddress().getPort();
    }

    /** Demands {@code Authorization: Basic base64(user:password)} on every request, else 401. */
    public void requireBasicAuth(String user, String password) {
        requiredAuthorization = new BasicCredentials(user, password).authorizationHeader();
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

    public String lastAuthorization() {
        return lastAuthorization;
    }

    public String lastContentType() {
        return lastContentType;
    }

    /** Registers a schema text directly, as another producer would have. */
    public synchronized int preRegister(String subject, String schemaText) {
        return registerText(subject, schemaText);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            requestCounts
                    .computeIfAbsent(method + " " + path, k -> new AtomicInteger())
                    .incrementAndGet();
            lastAuthorization = exchange.getRequestHeaders().getFirst("Authorization");
            lastContentType = exchange.getRequestHeaders().getFirst("Content-Type");
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (requiredAuthorization != null && !requiredAuthorization.equals(lastAuthorization)) {
                send(exchange, 401, error(401, "Unauthorized"));
                return;
            }
            if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                if (failureBody != null) {
                    sendRaw(exchange, failureStatus, "text/html", failureBody);
                } else {
                    send(exchange, failureStatus, error(failureStatus * 100 + 1, "Injected failure"));
                }
                return;
            }
            synchronized (this) {
                route(exchange, method, path, body);
            }
        }
    }

    private void route(HttpExchange exchange, String method, String path, String body) throws IOException {
        Matcher m;
        if (method.equals("POST") && (m = COMPATIBILITY.matcher(path)).matches()) {
            compatibility(exchange, decode(m.group(1)), decode(m.group(2)), body);
        } else if (method.equals("POST") && (m = REGISTER.matcher(path)).matches()) {
            register(exchange, decode(m.group(1)), body);
        } else if (method.equals("GET") && (m = BY_ID.matcher(path)).matches()) {
            byId(exchange, Integer.parseInt(m.group(1)));
        } else if (method.equals("GET") && (m = VERSION.matcher(path)).matches()) {
            version(exchange, decode(m.group(1)), decode(m.group(2)));
        } else if (method.equals("POST") && (m = LOOKUP.matcher(path)).matches()) {
            lookup(exchange, decode(m.group(1)), body);
        } else {
            send(exchange, 404, error(404, "HTTP 404 Not Found"));
        }
    }

    private void register(HttpExchange exchange, String subject, String body) throws IOException {
        String text = JSON.readTree(body).path("schema").asText();
        Schema schema;
        try {
            schema = parse(text);
        } catch (AvroRuntimeException e) {
            send(exchange, 422, error(42201, "Invalid schema " + text + ", details: " + e.getMessage()));
            return;
        }
        List<Integer> versions = subjects.getOrDefault(subject, List.of());
        if (!versions.isEmpty() && !versions.contains(idByCanonical.get(schema.toString()))) {
            Schema latest = parse(schemaTexts.get(versions.get(versions.size() - 1)));
            var result = SchemaCompatibility.checkReaderWriterCompatibility(schema, latest);
            if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                send(
                        exchange,
                        409,
                        error(
                                409,
                                "Schema being registered is incompatible with an earlier schema for subject \""
                                        + subject + "\", details: " + result.getDescription()));
                return;
            }
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("id", registerText(subject, text));
        send(exchange, 200, answer);
    }

    private int registerText(String subject, String text) {
        String canonical = parse(text).toString();
        Integer id = idByCanonical.get(canonical);
        if (id == null) {
            id = nextId++;
            idByCanonical.put(canonical, id);
            schemaTexts.put(id, text);
        }
        List<Integer> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(id)) {
            versions.add(id);
        }
        return id;
    }

    private void byId(HttpExchange exchange, int id) throws IOException {
        String text = schemaTexts.get(id);
        if (text == null) {
            send(exchange, 404, error(40403, "Schema " + id + " not found"));
            return;
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("schema", text);
        send(exchange, 200, answer);
    }

    private void version(HttpExchange exchange, String subject, String version) throws IOException {
        List<Integer> versions = subjects.get(subject);
        if (versions == null) {
            send(exchange, 404, error(40401, "Subject '" + subject + "' not found."));
            return;
        }
        int number;
        if (version.equals("latest")) {
            number = versions.size();
        } else {
            try {
                number = Integer.parseInt(version);
            } catch (NumberFormatException e) {
                send(exchange, 422, error(42202, "The specified version '" + version + "' is not a valid version id."));
                return;
            }
        }
        if (number < 1 || number > versions.size()) {
            send(exchange, 404, error(40402, "Version " + version + " not found."));
            return;
        }
        send(exchange, 200, registered(subject, number, versions.get(number - 1)));
    }

    private void lookup(HttpExchange exchange, String subject, String body) throws IOException {
        List<Integer> versions = subjects.get(subject);
        if (versions == null) {
            send(exchange, 404, error(40401, "Subject '" + subject + "' not found."));
            return;
        }
        Integer id = idByCanonical.get(
                parse(JSON.readTree(body).path("schema").asText()).toString());
        if (id == null || !versions.contains(id)) {
            send(exchange, 404, error(40403, "Schema not found"));
            return;
        }
        send(exchange, 200, registered(subject, versions.indexOf(id) + 1, id));
    }

    private void compatibility(HttpExchange exchange, String subject, String version, String body) throws IOException {
        List<Integer> versions = subjects.get(subject);
        if (versions == null) {
            send(exchange, 404, error(40401, "Subject '" + subject + "' not found."));
            return;
        }
        int number = version.equals("latest") ? versions.size() : Integer.parseInt(version);
        Schema existing = parse(schemaTexts.get(versions.get(number - 1)));
        Schema candidate = parse(JSON.readTree(body).path("schema").asText());
        var result = SchemaCompatibility.checkReaderWriterCompatibility(candidate, existing);
        ObjectNode answer = JSON.createObjectNode();
        boolean ok = result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
        answer.put("is_compatible", ok);
        if (!ok) {
            answer.putArray("messages").add(result.getDescription());
        }
        send(exchange, 200, answer);
    }

    private ObjectNode registered(String subject, int version, int id) {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("subject", subject);
        answer.put("version", version);
        answer.put("id", id);
        answer.put("schema", schemaTexts.get(id));
        return answer;
    }

    private static Schema parse(String text) {
        return new Schema.Parser().parse(text);
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment, StandardCharsets.UTF_8);
    }

    private static ObjectNode error(int code, String message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("error_code", code);
        node.put("message", message);
        return node;
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        sendRaw(exchange, status, "application/vnd.schemaregistry.v1+json", body.toString());
    }

    private static void sendRaw(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
