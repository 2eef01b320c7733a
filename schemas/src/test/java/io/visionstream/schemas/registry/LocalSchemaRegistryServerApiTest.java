package io.visionstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Each endpoint of the registry double over real HTTP, with the JDK's client: status codes and bodies as
 * Confluent's server gives them, {@code error_code} included.
 */
class LocalSchemaRegistryServerApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static final Schema A_STRING =
            SchemaBuilder.record("R").fields().requiredString("a").endRecord();
    private static final Schema A_AND_B = SchemaBuilder.record("R")
            .fields()
            .requiredString("a")
            .requiredString("b")
            .endRecord();
    private static final Schema A_AND_REQUIRED_C = SchemaBuilder.record("R")
            .fields()
            .requiredString("a")
            .requiredInt("c")
            .endRecord();
    private static final Schema EMPTY = SchemaBuilder.record("R").fields().endRecord();
    private static final Schema A_INT_WITH_DEFAULT = SchemaBuilder.record("R")
            .fields()
            .name("a")
            .type()
            .intType()
            .intDefault(0)
            .endRecord();

    private LocalSchemaRegistryServer server;

    @BeforeEach
    void start() throws IOException {
        server = LocalSchemaRegistryServer.start(0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** One answer: the status and the body as text. */
    record Answer(int status, String body, String contentType) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }

        /** Asserts a Confluent error body with this status and error code. */
        void isError(int expectedStatus, int errorCode) throws IOException {
            assertThat(status).as(body).isEqualTo(expectedStatus);
            assertThat(json().path("error_code").asInt()).as(body).isEqualTo(errorCode);
            assertThat(json().path("message").asText()).as(body).isNotBlank();
        }

        /** Asserts a 200 whose JSON body equals {@code expected} (JSON text, compared as trees). */
        void isOk(String expected) throws IOException {
            assertThat(status).as(body).isEqualTo(200);
            assertThat(json()).isEqualTo(JSON.readTree(expected));
        }
    }

    private Answer call(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json");
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(
                response.statusCode(),
                response.body(),
                response.headers().firstValue("Content-Type").orElse(null));
    }

    private Answer get(String path) throws IOException, InterruptedException {
        return call("GET", path, null);
    }

    private static String schemaBody(Schema schema) throws IOException {
        return JSON.writeValueAsString(JSON.createObjectNode().put("schema", schema.toString()));
    }

    private Answer register(String subject, Schema schema) throws IOException, InterruptedException {
        return call("POST", "/subjects/" + subject + "/versions", schemaBody(schema));
    }

    private int registered(String subject, Schema schema) throws IOException, InterruptedException {
        Answer answer = register(subject, schema);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json().get("id").asInt();
    }

    private Answer setLevel(String path, String level) throws IOException, InterruptedException {
        return call("PUT", path, "{\"compatibility\":\"" + level + "\"}");
    }

    @Nested
    class Config {
        @Test
        void theGlobalLevelIsBackwardUntilSet() throws Exception {
            get("/config").isOk("{\"compatibilityLevel\":\"BACKWARD\"}");
        }

        @Test
        void putConfigSetsTheGlobalLevelInAnyCaseAndEchoesIt() throws Exception {
            setLevel("/config", "full_transitive").isOk("{\"compatibility\":\"FULL_TRANSITIVE\"}");
            get("/config").isOk("{\"compatibilityLevel\":\"FULL_TRANSITIVE\"}");
        }

        @Test
        void aSubjectWithoutALevelOfItsOwnIs40408UnlessTheGlobalOneIsAskedFor() throws Exception {
            registered("s-value", A_STRING);

            get("/config/s-value").isError(404, 40408);
            get("/config/s-value?defaultToGlobal=true").isOk("{\"compatibilityLevel\":\"BACKWARD\"}");
        }

        @Test
        void aSubjectLevelIsStoredEvenBeforeTheSubjectHasVersions() throws Exception {
            setLevel("/config/new-value", "NONE").isOk("{\"compatibility\":\"NONE\"}");

            get("/config/new-value").isOk("{\"compatibilityLevel\":\"NONE\"}");
            get("/config").isOk("{\"compatibilityLevel\":\"BACKWARD\"}");
        }

        @Test
        void anUnknownOrMissingLevelIs42203AndChangesNothing() throws Exception {
            setLevel("/config/s-value", "SIDEWAYS").isError(422, 42203);
            call("PUT", "/config", "{}").isError(422, 42203);

            get("/config/s-value").isError(404, 40408);
            get("/config").isOk("{\"compatibilityLevel\":\"BACKWARD\"}");
        }

        @Test
        void deletingASubjectLevelAnswersItAndTheGlobalLevelAppliesAgain() throws Exception {
            setLevel("/config/s-value", "FORWARD");

            call("DELETE", "/config/s-value", null).isOk("{\"compatibilityLevel\":\"FORWARD\"}");
            get("/config/s-value").isError(404, 40408);
            call("DELETE", "/config/s-value", null).isError(404, 40401);
        }

        @Test
        void deletingTheGlobalLevelResetsItToBackward() throws Exception {
            setLevel("/config", "NONE");

            call("DELETE", "/config", null).isOk("{\"compatibilityLevel\":\"NONE\"}");
            get("/config").isOk("{\"compatibilityLevel\":\"BACKWARD\"}");
        }
    }

    @Nested
    class StoredLevels {
        @Test
        void aSubjectLevelIsHonouredByLaterRegistrations() throws Exception {
            registered("s-value", A_STRING);
            register("s-value", A_AND_REQUIRED_C).isError(409, 409);

            setLevel("/config/s-value", "NONE");

            assertThat(register("s-value", A_AND_REQUIRED_C).status()).isEqualTo(200);
            get("/subjects/s-value/versions").isOk("[1,2]");
        }

        @Test
        void forwardRefusesADroppedFieldThatBackwardAccepts() throws Exception {
            setLevel("/config/forward-value", "FORWARD");
            registered("forward-value", A_AND_B);
            registered("backward-value", A_AND_B);

            register("forward-value", A_STRING).isError(409, 409);
            assertThat(register("backward-value", A_STRING).status()).isEqualTo(200);
        }

        @Test
        void aTransitiveLevelChecksEveryLiveVersionNotOnlyTheLatest() throws Exception {
            for (String subject : new String[] {"latest-value", "transitive-value"}) {
                registered(subject, A_STRING);
                registered(subject, EMPTY);
            }
            setLevel("/config/transitive-value", "BACKWARD_TRANSITIVE");

            // reads data of EMPTY (a takes its default) but not of A_STRING (a string is no int)
            assertThat(register("latest-value", A_INT_WITH_DEFAULT).status()).isEqualTo(200);
            Answer refused = register("transitive-value", A_INT_WITH_DEFAULT);
            refused.isError(409, 409);
            assertThat(refused.json().path("message").asText()).contains("BACKWARD_TRANSITIVE", "TYPE_MISMATCH");
        }

        @Test
        void theGlobalLevelIsHonouredWhereASubjectHasNone() throws Exception {
            registered("s-value", A_STRING);
            setLevel("/config", "NONE");

            assertThat(register("s-value", A_AND_REQUIRED_C).status()).isEqualTo(200);
        }

        @Test
        void aSubjectLevelOverridesTheGlobalOne() throws Exception {
            setLevel("/config", "NONE");
            setLevel("/config/s-value", "BACKWARD");
            registered("s-value", A_STRING);

            register("s-value", A_AND_REQUIRED_C).isError(409, 409);
        }
    }

    @Nested
    class SubjectsAndVersions {
        @Test
        void registeringAnswersTheIdAndTheSameSchemaKeepsItUnderEverySubject() throws Exception {
            register("a-value", A_STRING).isOk("{\"id\":1}");
            register("a-value", A_STRING).isOk("{\"id\":1}");
            register("b-value", A_STRING).isOk("{\"id\":1}");
            register("b-value", EMPTY).isOk("{\"id\":2}");

            get("/subjects").isOk("[\"a-value\",\"b-value\"]");
            get("/subjects/b-value/versions").isOk("[1,2]");
        }

        @Test
        void versionsOfAnUnknownSubjectAre40401() throws Exception {
            get("/subjects/nobody-value/versions").isError(404, 40401);
        }

        @Test
        void aVersionByNumberOrLatestCarriesSubjectVersionIdAndSchema() throws Exception {
            registered("s-value", A_STRING);
            registered("s-value", EMPTY);

            get("/subjects/s-value/versions/1")
                    .isOk(JSON.createObjectNode()
                            .put("subject", "s-value")
                            .put("version", 1)
                            .put("id", 1)
                            .put("schema", A_STRING.toString())
                            .toString());
            assertThat(get("/subjects/s-value/versions/latest")
                            .json()
                            .get("version")
                            .asInt())
                    .isEqualTo(2);
            assertThat(get("/subjects/s-value/versions/-1")
                            .json()
                            .get("version")
                            .asInt())
                    .isEqualTo(2);
        }

        @Test
        void theSchemaPathAnswersTheSchemaTextItself() throws Exception {
            registered("s-value", A_STRING);

            Answer answer = get("/subjects/s-value/versions/latest/schema");

            assertThat(answer.status()).isEqualTo(200);
            assertThat(new Schema.Parser().parse(answer.body())).isEqualTo(A_STRING);
        }

        @Test
        void aMissingVersionIs40402AndAMissingSubject40401() throws Exception {
            registered("s-value", A_STRING);

            get("/subjects/s-value/versions/9").isError(404, 40402);
            get("/subjects/nobody-value/versions/1").isError(404, 40401);
            get("/subjects/nobody-value/versions/latest/schema").isError(404, 40401);
        }

        @Test
        void aVersionThatIsNoNumberNorLatestIs42202() throws Exception {
            registered("s-value", A_STRING);

            get("/subjects/s-value/versions/first").isError(422, 42202);
            get("/subjects/s-value/versions/0").isError(422, 42202);
        }

        @Test
        void lookUpFindsTheVersionOfASchemaWithoutRegisteringIt() throws Exception {
            registered("s-value", A_STRING);
            registered("s-value", EMPTY);

            call("POST", "/subjects/s-value", schemaBody(A_STRING))
                    .isOk(JSON.createObjectNode()
                            .put("subject", "s-value")
                            .put("version", 1)
                            .put("id", 1)
                            .put("schema", A_STRING.toString())
                            .toString());
            call("POST", "/subjects/s-value", schemaBody(A_AND_B)).isError(404, 40403);
            call("POST", "/subjects/nobody-value", schemaBody(A_STRING)).isError(404, 40401);
            get("/subjects/s-value/versions").isOk("[1,2]");
        }

        @Test
        void aSchemaThatDoesNotParseIs42201() throws Exception {
            call("POST", "/subjects/s-value/versions", "{\"schema\":\"{\\\"type\\\":\\\"record\\\"}\"}")
                    .isError(422, 42201);
            call("POST", "/subjects/s-value/versions", "{}").isError(422, 42201);
        }

        @Test
        void onlyAvroWithoutReferencesIsAccepted() throws Exception {
            call(
                            "POST",
                            "/subjects/s-value/versions",
                            "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}")
                    .isError(422, 42201);
            String withReference = JSON.createObjectNode()
                    .put("schema", A_STRING.toString())
                    .set(
                            "references",
                            JSON.createArrayNode()
                                    .addObject()
                                    .put("name", "Other")
                                    .put("subject", "other-value")
                                    .put("version", 1))
                    .toString();
            call("POST", "/subjects/s-value/versions", withReference).isError(422, 42201);
            get("/schemas/types").isOk("[\"AVRO\"]");
        }

        @Test
        void aBodyThatIsNotJsonIs400() throws Exception {
            call("POST", "/subjects/s-value/versions", "schema: R").isError(400, 400);
        }

        @Test
        void subjectNamesArePercentDecodedAndAPlusStaysAPlus() throws Exception {
            registered("odd%20subject%2Fname+1", A_STRING);

            get("/subjects").isOk("[\"odd subject/name+1\"]");
        }
    }

    @Nested
    class SchemasById {
        @Test
        void anIdAnswersItsSchema() throws Exception {
            int id = registered("s-value", A_STRING);

            get("/schemas/ids/" + id)
                    .isOk(JSON.createObjectNode()
                            .put("schema", A_STRING.toString())
                            .toString());
        }

        @Test
        void anUnknownIdIs40403() throws Exception {
            get("/schemas/ids/77").isError(404, 40403);
            get("/schemas/ids/77/versions").isError(404, 40403);
        }

        @Test
        void anIdListsEverySubjectVersionThatHoldsIt() throws Exception {
            registered("b-value", A_AND_B);
            int id = registered("b-value", A_STRING);
            registered("a-value", A_STRING);

            get("/schemas/ids/" + id + "/versions")
                    .isOk("[{\"subject\":\"a-value\",\"version\":1},{\"subject\":\"b-value\",\"version\":2}]");
        }
    }

    @Nested
    class Compatibility {
        @Test
        void aCompatibleSchemaIsSaidSo() throws Exception {
            registered("s-value", A_STRING);

            call("POST", "/compatibility/subjects/s-value/versions/latest", schemaBody(EMPTY))
                    .isOk("{\"is_compatible\":true}");
        }

        @Test
        void anIncompatibleSchemaIsSaidSoWithReasonsOnlyWhenVerbose() throws Exception {
            registered("s-value", A_STRING);

            call("POST", "/compatibility/subjects/s-value/versions/1", schemaBody(A_AND_REQUIRED_C))
                    .isOk("{\"is_compatible\":false}");
            Answer verbose = call(
                    "POST", "/compatibility/subjects/s-value/versions/1?verbose=true", schemaBody(A_AND_REQUIRED_C));
            assertThat(verbose.json().get("is_compatible").asBoolean()).isFalse();
            assertThat(verbose.json().get("messages").get(0).asText()).contains("READER_FIELD_MISSING_DEFAULT_VALUE");
        }

        @Test
        void theSubjectsStoredLevelDecides() throws Exception {
            registered("s-value", A_STRING);
            setLevel("/config/s-value", "NONE");

            call("POST", "/compatibility/subjects/s-value/versions/latest", schemaBody(A_AND_REQUIRED_C))
                    .isOk("{\"is_compatible\":true}");
        }

        @Test
        void againstAllVersionsTheTransitiveLevelChecksEachOne() throws Exception {
            registered("s-value", A_STRING);
            registered("s-value", EMPTY);
            setLevel("/config/s-value", "BACKWARD_TRANSITIVE");

            call("POST", "/compatibility/subjects/s-value/versions/latest", schemaBody(A_INT_WITH_DEFAULT))
                    .isOk("{\"is_compatible\":true}");
            call("POST", "/compatibility/subjects/s-value/versions", schemaBody(A_INT_WITH_DEFAULT))
                    .isOk("{\"is_compatible\":false}");
        }

        @Test
        void aMissingVersionIs40402ButLatestOfNothingIsCompatible() throws Exception {
            registered("s-value", A_STRING);

            call("POST", "/compatibility/subjects/s-value/versions/5", schemaBody(A_STRING))
                    .isError(404, 40402);
            call("POST", "/compatibility/subjects/nobody-value/versions/latest", schemaBody(A_STRING))
                    .isOk("{\"is_compatible\":true}");
        }
    }

    @Nested
    class Deletion {
        @Test
        void aSoftDeletedSubjectIsHiddenButItsIdsStillAnswer() throws Exception {
            int id = registered("s-value", A_STRING);

            call("DELETE", "/subjects/s-value", null).isOk("[1]");

            get("/subjects").isOk("[]");
            get("/subjects?deleted=true").isOk("[\"s-value\"]");
            get("/subjects/s-value/versions").isError(404, 40401);
            get("/subjects/s-value/versions?deleted=true").isOk("[1]");
            get("/subjects/s-value/versions/1").isError(404, 40401);
            assertThat(get("/subjects/s-value/versions/1?deleted=true").status())
                    .isEqualTo(200);
            call("POST", "/subjects/s-value", schemaBody(A_STRING)).isError(404, 40401);
            assertThat(call("POST", "/subjects/s-value?deleted=true", schemaBody(A_STRING))
                            .status())
                    .isEqualTo(200);
            assertThat(get("/schemas/ids/" + id).status()).isEqualTo(200);
            get("/schemas/ids/" + id + "/versions").isOk("[]");
        }

        @Test
        void softDeletingTwiceIs40404AndPermanentlyDeletingALiveSubject40405() throws Exception {
            registered("s-value", A_STRING);

            call("DELETE", "/subjects/s-value?permanent=true", null).isError(404, 40405);
            call("DELETE", "/subjects/s-value", null).isOk("[1]");
            call("DELETE", "/subjects/s-value", null).isError(404, 40404);
            call("DELETE", "/subjects/nobody-value", null).isError(404, 40401);
        }

        @Test
        void aPermanentDeletionForgetsVersionsLevelAndUnusedIds() throws Exception {
            int id = registered("s-value", A_STRING);
            setLevel("/config/s-value", "NONE");
            call("DELETE", "/subjects/s-value", null);

            get("/config/s-value").isOk("{\"compatibilityLevel\":\"NONE\"}");
            call("DELETE", "/subjects/s-value?permanent=true", null).isOk("[1]");

            get("/subjects?deleted=true").isOk("[]");
            get("/schemas/ids/" + id).isError(404, 40403);
            get("/config/s-value").isError(404, 40408);
            register("s-value", A_STRING).isOk("{\"id\":2}");
            get("/subjects/s-value/versions").isOk("[1]");
        }

        @Test
        void aVersionIsSoftDeletedOnceThenPermanently() throws Exception {
            registered("s-value", A_STRING);
            registered("s-value", EMPTY);

            call("DELETE", "/subjects/s-value/versions/1?permanent=true", null).isError(404, 40407);
            call("DELETE", "/subjects/s-value/versions/latest", null).isOk("2");
            call("DELETE", "/subjects/s-value/versions/2", null).isError(404, 40406);
            get("/subjects/s-value/versions").isOk("[1]");
            get("/subjects/s-value/versions/latest")
                    .isOk(JSON.createObjectNode()
                            .put("subject", "s-value")
                            .put("version", 1)
                            .put("id", 1)
                            .put("schema", A_STRING.toString())
                            .toString());
            call("DELETE", "/subjects/s-value/versions/2?permanent=true", null).isOk("2");
            get("/subjects/s-value/versions?deleted=true").isOk("[1]");
        }

        @Test
        void deletingAMissingVersionIs40402AndOfAMissingSubject40401() throws Exception {
            registered("s-value", A_STRING);

            call("DELETE", "/subjects/s-value/versions/7", null).isError(404, 40402);
            call("DELETE", "/subjects/nobody-value/versions/1", null).isError(404, 40401);
            call("DELETE", "/subjects/s-value/versions/x", null).isError(422, 42202);
        }

        @Test
        void versionNumbersGoOnAfterASoftDeletion() throws Exception {
            registered("s-value", A_AND_B);
            registered("s-value", A_STRING);
            call("DELETE", "/subjects/s-value/versions/2", null);

            registered("s-value", EMPTY);

            get("/subjects/s-value/versions").isOk("[1,3]");
        }

        @Test
        void reRegisteringASoftDeletedSchemaGivesItANewVersionWithItsOldId() throws Exception {
            int id = registered("s-value", A_STRING);
            call("DELETE", "/subjects/s-value", null);

            register("s-value", A_STRING).isOk("{\"id\":" + id + "}");

            get("/subjects/s-value/versions?deleted=true").isOk("[2]");
        }

        @Test
        void deletedVersionsDoNotConstrainLaterRegistrations() throws Exception {
            registered("s-value", A_STRING);
            call("DELETE", "/subjects/s-value", null);

            register("s-value", A_AND_REQUIRED_C).isOk("{\"id\":2}");
        }
    }

    @Nested
    class Server {
        @Test
        void modeIsReadWriteAndCannotBeChanged() throws Exception {
            get("/mode").isOk("{\"mode\":\"READWRITE\"}");
            call("PUT", "/mode", "{\"mode\":\"READONLY\"}").isError(405, 405);
        }

        @Test
        void theRootAnswersAnEmptyObject() throws Exception {
            get("/").isOk("{}");
        }

        @Test
        void anUnknownPathIs404AndAKnownPathWithTheWrongMethod405() throws Exception {
            get("/contexts").isError(404, 404);
            get("/subjects/s-value").isError(405, 405);
        }

        @Test
        void everyAnswerHasTheRegistrysMediaType() throws Exception {
            assertThat(get("/subjects").contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
            assertThat(get("/nothing").contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        }
    }
}
