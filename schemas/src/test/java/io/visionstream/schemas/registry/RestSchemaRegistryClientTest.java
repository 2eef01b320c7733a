package io.visionstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RestSchemaRegistryClientTest {
    private static final Schema PING_V1 = SchemaBuilder.record("Ping")
            .namespace("test")
            .fields()
            .requiredInt("n")
            .endRecord();
    private static final Schema PING_V2_WITH_DEFAULT = SchemaBuilder.record("Ping")
            .namespace("test")
            .fields()
            .requiredInt("n")
            .name("note")
            .type()
            .stringType()
            .stringDefault("")
            .endRecord();
    private static final Schema PING_V2_WITHOUT_DEFAULT = SchemaBuilder.record("Ping")
            .namespace("test")
            .fields()
            .requiredInt("n")
            .requiredString("note")
            .endRecord();

    private RegistryFixture server;

    @BeforeEach
    void start() throws IOException {
        server = RegistryFixture.start(7);
    }

    /** Replaces the open server with one that accepts only {@code user}'s credentials. */
    private void requireBasicAuth(String user, String password) throws IOException {
        server.close();
        server = RegistryFixture.start(7, Optional.of(new BasicCredentials(user, password)), Optional.empty());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RestSchemaRegistryClient client(Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>();
        config.put(RegistryClientConfig.URL, server.url());
        config.put(RegistryClientConfig.RETRIES_WAIT_MS, 1);
        config.put(RegistryClientConfig.RETRIES_MAX_WAIT_MS, 4);
        config.putAll(extra);
        return new RestSchemaRegistryClient(RegistryClientConfig.fromMap(config));
    }

    private RestSchemaRegistryClient client() {
        return client(Map.of());
    }

    @Test
    void registerReturnsTheIdTheRegistryAssigned() {
        assertThat(client().register("pings-value", PING_V1)).isEqualTo(7);
        assertThat(server.requests("POST /subjects/pings-value/versions")).isEqualTo(1);
    }

    @Test
    void requestsCarryTheSchemaRegistryContentType() {
        client().register("pings-value", PING_V1);
        assertThat(server.lastContentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
    }

    @Test
    void schemaByIdReturnsTheRegisteredSchema() {
        int id = server.preRegister("pings-value", PING_V1.toString());
        assertThat(client().schemaById(id)).isEqualTo(PING_V1);
    }

    @Test
    void versionReturnsSubjectVersionIdAndSchema() {
        server.preRegister("pings-value", PING_V1.toString());
        server.preRegister("pings-value", PING_V2_WITH_DEFAULT.toString());
        assertThat(client().version("pings-value", "1")).isEqualTo(new RegisteredSchema("pings-value", 1, 7, PING_V1));
        assertThat(client().version("pings-value", SchemaRegistryClient.LATEST))
                .isEqualTo(new RegisteredSchema("pings-value", 2, 8, PING_V2_WITH_DEFAULT));
    }

    @Test
    void lookupFindsASchemaUnderItsSubject() {
        server.preRegister("pings-value", PING_V1.toString());
        assertThat(client().lookup("pings-value", PING_V1))
                .isEqualTo(new RegisteredSchema("pings-value", 1, 7, PING_V1));
    }

    @Test
    void subjectNamesAreEncodedInThePath() {
        client().register("odd subject/name", PING_V1);
        assertThat(server.requests("POST /subjects/odd%20subject%2Fname/versions"))
                .isEqualTo(1);
    }

    @Test
    void compatibilityCheckReportsTheRegistryVerdictAndReasons() {
        server.preRegister("pings-value", PING_V1.toString());
        assertThat(client().testCompatibility("pings-value", "latest", PING_V2_WITH_DEFAULT))
                .isEqualTo(new CompatibilityResult(true, java.util.List.of()));
        CompatibilityResult refused = client().testCompatibility("pings-value", "1", PING_V2_WITHOUT_DEFAULT);
        assertThat(refused.compatible()).isFalse();
        assertThat(refused.messages()).singleElement().asString().contains("note");
    }

    @Test
    void unknownSubjectFailsWithErrorCode40401() {
        assertThatThrownBy(() -> client().version("nobody-value", "latest"))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(404);
                    assertThat(e.errorCode()).isEqualTo(RegistryException.SUBJECT_NOT_FOUND);
                })
                .hasMessage("Schema Registry refused GET /subjects/nobody-value/versions/latest: HTTP 404,"
                        + " error_code 40401: Subject 'nobody-value' not found.");
    }

    @Test
    void unknownIdFailsWithErrorCode40403() {
        assertThatThrownBy(() -> client().schemaById(99))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.errorCode())
                        .isEqualTo(RegistryException.SCHEMA_NOT_FOUND))
                .hasMessage(
                        "Schema Registry refused GET /schemas/ids/99: HTTP 404, error_code 40403: Schema 99 not found");
    }

    @Test
    void incompatibleSchemaIsRefusedWith409() {
        client().register("pings-value", PING_V1);
        assertThatThrownBy(() -> client().register("pings-value", PING_V2_WITHOUT_DEFAULT))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.errorCode()).isEqualTo(RegistryException.INCOMPATIBLE_SCHEMA);
                })
                .hasMessageStartingWith("Schema Registry refused POST /subjects/pings-value/versions: HTTP 409,"
                        + " error_code 409: Schema being registered is incompatible with an earlier schema for subject"
                        + " \"pings-value\"");
    }

    @Test
    void invalidSchemaIsRefusedWith42201() {
        // A default that does not match its type: Avro builds it when asked not to validate, the registry refuses it.
        Schema invalid = new Schema.Parser()
                .setValidateDefaults(false)
                .parse(
                        "{\"type\":\"record\",\"name\":\"Bad\",\"fields\":[{\"name\":\"n\",\"type\":\"int\",\"default\":\"x\"}]}");
        assertThatThrownBy(() -> client().register("bad-value", invalid))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(422);
                    assertThat(e.errorCode()).isEqualTo(RegistryException.INVALID_SCHEMA);
                })
                .hasMessageStartingWith(
                        "Schema Registry refused POST /subjects/bad-value/versions: HTTP 422, error_code 42201: Invalid schema");
    }

    @Test
    void missingCredentialsFailWith401() throws IOException {
        requireBasicAuth("alice", "s3cret");
        assertThatThrownBy(() -> client().schemaById(7))
                .isInstanceOfSatisfying(
                        RegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(401))
                .hasMessage("Schema Registry refused GET /schemas/ids/7: HTTP 401, error_code 401: Unauthorized");
        assertThat(server.requests("GET /schemas/ids/7"))
                .as("4xx is not retried")
                .isEqualTo(1);
    }

    @Test
    void configuredUserInfoIsSentAsBasicAuth() throws IOException {
        requireBasicAuth("alice", "s3cret");
        int id = server.preRegister("pings-value", PING_V1.toString());
        RestSchemaRegistryClient client = client(Map.of(
                RegistryClientConfig.CREDENTIALS_SOURCE, "USER_INFO", RegistryClientConfig.USER_INFO, "alice:s3cret"));
        assertThat(client.schemaById(id)).isEqualTo(PING_V1);
        assertThat(server.lastAuthorization()).isEqualTo("Basic YWxpY2U6czNjcmV0");
    }

    @Test
    void userInfoInTheUrlIsSentAsBasicAuth() throws IOException {
        requireBasicAuth("bob", "pa:ss");
        int id = server.preRegister("pings-value", PING_V1.toString());
        RestSchemaRegistryClient client =
                client(Map.of(RegistryClientConfig.URL, server.url().replace("http://", "http://bob:pa:ss@")));
        assertThat(client.schemaById(id)).isEqualTo(PING_V1);
        assertThat(server.lastAuthorization()).isEqualTo(new BasicCredentials("bob", "pa:ss").authorizationHeader());
    }

    @Test
    void serverErrorsAreRetriedUntilAnAnswerComes() {
        int id = server.preRegister("pings-value", PING_V1.toString());
        server.failNext(2, 500);
        assertThat(client().schemaById(id)).isEqualTo(PING_V1);
        assertThat(server.requests("GET /schemas/ids/" + id)).isEqualTo(3);
    }

    @Test
    void persistentServerErrorsFailAfterTheConfiguredRetries() {
        server.failNext(100, 503);
        assertThatThrownBy(() ->
                        client(Map.of(RegistryClientConfig.MAX_RETRIES, 2)).schemaById(7))
                .isInstanceOf(RegistryUnavailableException.class)
                .hasMessage("Schema Registry [" + server.url() + "] did not answer GET /schemas/ids/7 after 3 attempts;"
                        + " last failure: " + server.url()
                        + ": HTTP 503 {\"error_code\":50301,\"message\":\"Injected failure\"}");
        assertThat(server.requests("GET /schemas/ids/7")).isEqualTo(3);
    }

    @Test
    void connectionErrorsFailOverToTheNextUrl() throws IOException {
        int id = server.preRegister("pings-value", PING_V1.toString());
        String deadUrl = "http://127.0.0.1:" + freePort();
        RestSchemaRegistryClient client = client(Map.of(RegistryClientConfig.URL, deadUrl + "," + server.url()));
        assertThat(client.schemaById(id)).isEqualTo(PING_V1);
        assertThat(server.requests("GET /schemas/ids/" + id)).isEqualTo(1);
    }

    @Test
    void unreachableRegistryFailsNamingTheUrlAndRequest() throws IOException {
        String deadUrl = "http://127.0.0.1:" + freePort();
        RestSchemaRegistryClient client =
                client(Map.of(RegistryClientConfig.URL, deadUrl, RegistryClientConfig.MAX_RETRIES, 1));
        assertThatThrownBy(() -> client.schemaById(7))
                .isInstanceOf(RegistryUnavailableException.class)
                .hasMessageStartingWith(
                        "Schema Registry [" + deadUrl + "] did not answer GET /schemas/ids/7 after 2 attempts;"
                                + " last failure: " + deadUrl + ": ConnectException")
                .hasCauseInstanceOf(java.net.ConnectException.class);
    }

    @Test
    void anErrorBodyThatIsNotJsonIsReportedAsIs() {
        server.failNext(1, 403, "<html><body>Forbidden by proxy</body></html>");
        assertThatThrownBy(() -> client().schemaById(7))
                .isInstanceOfSatisfying(
                        RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(403))
                .hasMessage(
                        "Schema Registry refused GET /schemas/ids/7: HTTP 403, error_code 403: <html><body>Forbidden by"
                                + " proxy</body></html>");
    }

    @Test
    void backoffDoublesUpToItsCap() {
        java.time.Duration initial = java.time.Duration.ofMillis(100);
        java.time.Duration max = java.time.Duration.ofMillis(500);
        assertThat(java.util.stream.IntStream.rangeClosed(1, 5)
                        .mapToObj(retry -> RestSchemaRegistryClient.backoff(retry, initial, max)
                                .toMillis()))
                .containsExactly(100L, 200L, 400L, 500L, 500L);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
