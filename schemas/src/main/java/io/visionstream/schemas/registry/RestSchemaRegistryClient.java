package io.visionstream.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Speaks the Confluent Schema Registry REST API over {@link HttpClient}. Caches nothing: wrap it in {@link
 * CachingSchemaRegistryClient} (as {@link SchemaRegistryClients#create} does).
 *
 * <p>A connection error, a timeout, HTTP 5xx or 429 is retried up to {@code maxRetries} times with an
 * exponential backoff ({@code retryWait}, doubled each time, capped at {@code retryMaxWait}); with several
 * URLs each retry goes to the next one. Any other non-2xx answer is a {@link RegistryException} at once.
 * Thread-safe.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
    /** Content type of every request body, and the preferred type of every answer. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final String ACCEPT =
            "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
    private static final Logger LOG = LoggerFactory.getLogger(RestSchemaRegistryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryClientConfig config;
    private final HttpClient http;
    private final AtomicInteger nextUrl = new AtomicInteger();

    public RestSchemaRegistryClient(RegistryClientConfig config) {
        if (config.isMock()) {
            throw new IllegalArgumentException("mock:// URLs need InMemorySchemaRegistry, not the REST client");
        }
        this.config = config;
        this.http = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .sslContext(config.ssl().sslContext())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public int register(String subject, Schema schema) {
        JsonNode answer = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
        return requiredInt(answer, "id", "POST /subjects/" + subject + "/versions");
    }

    @Override
    public Schema schemaById(int id) {
        String request = "GET /schemas/ids/" + id;
        JsonNode answer = send("GET", "/schemas/ids/" + id, null);
        String type = answer.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type)) {
            throw new RegistryException(
                    request, 422, RegistryException.INVALID_SCHEMA, "schema " + id + " is " + type + ", not AVRO");
        }
        return parse(request, requiredText(answer, "schema", request));
    }

    @Override
    public RegisteredSchema version(String subject, String version) {
        String request = "GET /subjects/" + subject + "/versions/" + version;
        JsonNode answer = send("GET", "/subjects/" + encode(subject) + "/versions/" + encode(version), null);
        return registered(request, subject, answer);
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        String request = "POST /subjects/" + subject;
        JsonNode answer = send("POST", "/subjects/" + encode(subject), schemaBody(schema));
        return registered(request, subject, answer);
    }

    @Override
    public CompatibilityResult testCompatibility(String subject, String version, Schema schema) {
        String request = "POST /compatibility/subjects/" + subject + "/versions/" + version;
        JsonNode answer = send(
                "POST",
                "/compatibility/subjects/" + encode(subject) + "/versions/" + encode(version) + "?verbose=true",
                schemaBody(schema));
        JsonNode flag = answer.get("is_compatible");
        if (flag == null || !flag.isBoolean()) {
            throw new RegistryUnavailableException(
                    "Schema Registry answered " + request + " without a boolean 'is_compatible': " + answer, null);
        }
        List<String> messages = new ArrayList<>();
        answer.path("messages").forEach(m -> messages.add(m.asText()));
        return new CompatibilityResult(flag.booleanValue(), messages);
    }

    /**
     * Sends one request, retrying transient failures.
     *
     * @param method HTTP method
     * @param path path and query, already encoded, starting with {@code /}
     * @param body JSON body, or {@code null}
     */
    private JsonNode send(String method, String path, String body) {
        String request = method + " " + path.replaceFirst("\\?.*$", "");
        Exception lastFailure = null;
        String lastProblem = null;
        int attempts = config.maxRetries() + 1;
        for (int attempt = 0; attempt < attempts; attempt++) {
            if (attempt > 0) {
                Duration wait = backoff(attempt);
                LOG.warn(
                        "Schema Registry {} failed ({}); retry {} of {} in {} ms",
                        request,
                        lastProblem,
                        attempt,
                        config.maxRetries(),
                        wait.toMillis());
                sleep(wait, request);
            }
            URI base =
                    config.urls().get(Math.floorMod(nextUrl.get(), config.urls().size()));
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(stripSlash(base.toString()) + path))
                    .timeout(config.requestTimeout())
                    .header("Accept", ACCEPT);
            config.credentials().ifPresent(c -> builder.header("Authorization", c.authorizationHeader()));
            if (body != null) {
                builder.header("Content-Type", CONTENT_TYPE)
                        .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            } else {
                builder.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> response;
            try {
                response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                lastFailure = e;
                lastProblem = base + ": " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage());
                nextUrl.incrementAndGet();
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnavailableException("Interrupted while calling Schema Registry " + request, e);
            }
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return parseJson(request, response.body());
            }
            if (status >= 500 || status == 429) {
                lastFailure = null;
                lastProblem = base + ": HTTP " + status + " " + abbreviate(response.body());
                nextUrl.incrementAndGet();
                continue;
            }
            throw error(request, status, response.body());
        }
        throw new RegistryUnavailableException(
                "Schema Registry " + config.urls() + " did not answer " + request + " after " + attempts
                        + " attempts; last failure: " + lastProblem,
                lastFailure);
    }

    private Duration backoff(int retry) {
        return backoff(retry, config.retryWait(), config.retryMaxWait());
    }

    /** The wait before retry number {@code retry} (from 1): {@code initial * 2^(retry-1)}, at most {@code max}. */
    static Duration backoff(int retry, Duration initial, Duration max) {
        long wait = initial.toMillis();
        for (int i = 1; i < retry && wait < max.toMillis(); i++) {
            wait *= 2;
        }
        return Duration.ofMillis(Math.min(wait, max.toMillis()));
    }

    private static void sleep(Duration wait, String request) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException("Interrupted while waiting to retry Schema Registry " + request, e);
        }
    }

    private static RegistryException error(String request, int status, String body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.isObject() && node.has("error_code")) {
                return new RegistryException(
                        request,
                        status,
                        node.path("error_code").asInt(status),
                        node.path("message").asText(""));
            }
        } catch (IOException e) {
            // Not JSON (e.g. a proxy's HTML page): the raw body below is the best description there is.
            LOG.debug("Schema Registry error body for {} is not JSON: {}", request, e.getMessage());
        }
        return new RegistryException(request, status, status, abbreviate(body));
    }

    private static JsonNode parseJson(String request, String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new RegistryUnavailableException(
                    "Schema Registry answered " + request + " with a body that is not JSON: " + abbreviate(body), e);
        }
    }

    private static RegisteredSchema registered(String request, String subject, JsonNode answer) {
        return new RegisteredSchema(
                answer.path("subject").asText(subject),
                requiredInt(answer, "version", request),
                requiredInt(answer, "id", request),
                parse(request, requiredText(answer, "schema", request)));
    }

    private static Schema parse(String request, String schemaText) {
        try {
            return new Schema.Parser().parse(schemaText);
        } catch (SchemaParseException e) {
            throw new RegistryException(
                    request,
                    200,
                    RegistryException.INVALID_SCHEMA,
                    "registry returned a schema Avro cannot parse: " + e.getMessage());
        }
    }

    private static int requiredInt(JsonNode answer, String field, String request) {
        JsonNode value = answer.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new RegistryUnavailableException(
                    "Schema Registry answered " + request + " without an integer '" + field + "': "
                            + abbreviate(answer.toString()),
                    null);
        }
        return value.intValue();
    }

    private static String requiredText(JsonNode answer, String field, String request) {
        JsonNode value = answer.get(field);
        if (value == null || !value.isTextual()) {
            throw new RegistryUnavailableException(
                    "Schema Registry answered " + request + " without a string '" + field + "': "
                            + abbreviate(answer.toString()),
                    null);
        }
        return value.asText();
    }

    private static String schemaBody(Schema schema) {
        ObjectNode body = JSON.createObjectNode();
        body.put("schema", schema.toString());
        return body.toString();
    }

    /** Encodes one path segment (URLEncoder encodes for forms, where a space is '+'). */
    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String abbreviate(String text) {
        String oneLine = text == null ? "" : text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "...";
    }

    @Override
    public String toString() {
        return "RestSchemaRegistryClient[" + config + "]";
    }
}
