package io.visionstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.schemas.avro.DeadLetter;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.serde.AvroSerdes;
import io.visionstream.schemas.serde.RegistryRejectedException;
import io.visionstream.schemas.serde.UnknownSchemaIdException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Our REST client and serdes against the loopback registry, over real HTTP. */
class LocalSchemaRegistryServerTest {

    private LocalSchemaRegistryServer server;
    private Map<String, Object> config;

    @BeforeEach
    void start() throws Exception {
        server = LocalSchemaRegistryServer.start(0);
        config = Map.of("schema.registry.url", server.url());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Frame frame() {
        return Frame.newBuilder()
                .setSourceId("cam-1")
                .setSequence(4)
                .setCaptureTime(Instant.ofEpochMilli(1_700_000_000_123L))
                .setEncoding(io.visionstream.schemas.avro.ImageEncoding.PNG)
                .setWidth(2)
                .setHeight(1)
                .setImage(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setMetadata(null)
                .build();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void serdesRoundTripThroughItAndTheWireIdIsTheRegisteredOne() throws Exception {
        var serde = AvroSerdes.specific(Frame.class, config, false);
        byte[] bytes = serde.serializer().serialize("frames", frame());

        assertThat(serde.deserializer().deserialize("frames", bytes)).isEqualTo(frame());
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        HttpResponse<String> byId = get("/schemas/ids/" + id);
        assertThat(byId.statusCode()).isEqualTo(200);
        assertThat(new Schema.Parser()
                        .parse(new com.fasterxml.jackson.databind.ObjectMapper()
                                .readTree(byId.body())
                                .get("schema")
                                .asText()))
                .isEqualTo(Frame.getClassSchema());
        assertThat(get("/subjects").body()).isEqualTo("[\"frames-value\"]");
    }

    @Test
    void aSecondClientInAnotherSerdeReadsWhatTheFirstWrote() {
        byte[] bytes = AvroSerdes.deadLetter(config).serializer().serialize("dlq", deadLetter());
        assertThat(AvroSerdes.deadLetter(Map.of("schema.registry.url", server.url()))
                        .deserializer()
                        .deserialize("dlq", bytes))
                .isEqualTo(deadLetter());
    }

    private static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setOriginalKey(null)
                .setOriginalValue(ByteBuffer.wrap(new byte[] {9}))
                .setSourceTopic("frames")
                .setSourcePartition(0)
                .setSourceOffset(12)
                .setErrorClass("X")
                .setErrorMessage("bad")
                .setStage(io.visionstream.schemas.avro.FailureStage.DECODE)
                .setFailedAt(Instant.EPOCH)
                .build();
    }

    @Test
    void anUnknownIdIsConfluentsNotFoundAndTheDeserializersTypedError() throws Exception {
        HttpResponse<String> missing = get("/schemas/ids/77");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("{\"error_code\":40403,\"message\":\"Schema 77 not found\"}");
        assertThat(missing.headers().firstValue("Content-Type")).hasValue("application/vnd.schemaregistry.v1+json");

        byte[] unknownId = {0, 0, 0, 0, 77, 2};
        assertThatThrownBy(() -> AvroSerdes.specific(Frame.class, config, false)
                        .deserializer()
                        .deserialize("frames", unknownId))
                .isInstanceOf(UnknownSchemaIdException.class);
    }

    @Test
    void anIncompatibleNewVersionIsRefusedWith409() {
        SchemaRegistryClient client = SchemaRegistryClients.create(config);
        Schema v1 = SchemaBuilder.record("R").fields().requiredString("a").endRecord();
        Schema breaking = SchemaBuilder.record("R").fields().requiredInt("b").endRecord();
        client.register("s-value", v1);

        assertThatThrownBy(() -> client.register("s-value", breaking))
                .isInstanceOf(RegistryException.class)
                .satisfies(e -> {
                    assertThat(((RegistryException) e).httpStatus()).isEqualTo(409);
                    assertThat(((RegistryException) e).errorCode()).isEqualTo(409);
                });
        assertThat(client.testCompatibility("s-value", "latest", breaking).compatible())
                .isFalse();
        assertThat(client.version("s-value", "latest").schema()).isEqualTo(v1);
    }

    private static Map<String, Object> withUserInfo(String url, String userInfo) {
        return Map.of(
                "schema.registry.url", url,
                "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", userInfo);
    }

    @Test
    void withBasicAuthTheRightUserInfoIsAccepted() throws Exception {
        try (var secured = LocalSchemaRegistryServer.start(0, Optional.of(new BasicCredentials("svc", "pa:ss")))) {
            var serde = AvroSerdes.specific(Frame.class, withUserInfo(secured.url(), "svc:pa:ss"), false);
            byte[] bytes = serde.serializer().serialize("frames", frame());

            assertThat(serde.deserializer().deserialize("frames", bytes)).isEqualTo(frame());
        }
    }

    @Test
    void withBasicAuthARequestWithoutCredentialsIsConfluents401WithAChallenge() throws Exception {
        try (var secured = LocalSchemaRegistryServer.start(0, Optional.of(new BasicCredentials("svc", "pw")))) {
            HttpResponse<String> answer = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(secured.url() + "/subjects"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());

            assertThat(answer.statusCode()).isEqualTo(401);
            assertThat(answer.body()).isEqualTo("{\"error_code\":401,\"message\":\"Unauthorized\"}");
            assertThat(answer.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"SchemaRegistry\"");
        }
    }

    @Test
    void withBasicAuthAWrongPasswordIsARejectionNaming401AndNeverThePassword() throws Exception {
        try (var secured = LocalSchemaRegistryServer.start(0, Optional.of(new BasicCredentials("svc", "right-pw")))) {
            var serializer = AvroSerdes.specific(Frame.class, withUserInfo(secured.url(), "svc:wrong-pw"), false)
                    .serializer();

            assertThatThrownBy(() -> serializer.serialize("frames", frame()))
                    .isInstanceOf(RegistryRejectedException.class)
                    .hasMessage("Topic 'frames': could not register schema io.visionstream.schemas.avro.Frame under"
                            + " subject 'frames-value': Schema Registry refused POST /subjects/frames-value/versions:"
                            + " HTTP 401, error_code 401: Unauthorized")
                    .hasRootCauseInstanceOf(RegistryException.class);
        }
    }
}
