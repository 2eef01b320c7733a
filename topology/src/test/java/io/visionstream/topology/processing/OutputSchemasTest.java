package io.visionstream.topology.processing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.schemas.avro.DeadLetter;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.registry.InMemorySchemaRegistry;
import io.visionstream.schemas.serde.IncompatibleSchemaException;
import io.visionstream.schemas.serde.RegistryRejectedException;
import io.visionstream.schemas.serde.RegistryUnreachableException;
import io.visionstream.topology.config.VisionConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutputSchemasTest {

    private final String scope = "output-schemas-" + UUID.randomUUID();

    @AfterEach
    void forget() {
        InMemorySchemaRegistry.dropScope(scope);
    }

    private Map<String, String> settings() {
        Map<String, String> s = new HashMap<>();
        s.put("bootstrap.servers", "localhost:9092");
        s.put("schema.registry.url", "mock://" + scope);
        s.put("model.dir", "models/demo");
        s.put("predictions.topic", "p");
        s.put("embeddings.topic", "e");
        s.put("masks.topic", "m");
        s.put("dead.letter.topic", "d");
        return s;
    }

    private InMemorySchemaRegistry registry() {
        return InMemorySchemaRegistry.forScope(scope);
    }

    @Test
    void everyPublishedOutputGetsItsSchemaRegisteredUnderItsTopicsSubject() {
        Map<String, Integer> ids = OutputSchemas.resolve(VisionConfig.from(settings()), true);

        assertThat(ids).containsOnlyKeys("p", "e", "m", "d");
        assertThat(ids.keySet()).containsExactly("p", "e", "m", "d");
        assertThat(registry().subjects()).containsExactlyInAnyOrder("p-value", "e-value", "m-value", "d-value");
        assertThat(registry().schemaById(ids.get("p"))).isEqualTo(Prediction.getClassSchema());
        assertThat(registry().schemaById(ids.get("d"))).isEqualTo(DeadLetter.getClassSchema());
    }

    @Test
    void outputsThatAreNotPublishedAreNotRegistered() {
        Map<String, String> s = settings();
        s.put("embeddings.enabled", "false");

        Map<String, Integer> ids = OutputSchemas.resolve(VisionConfig.from(s), false);

        assertThat(ids.keySet()).containsExactly("p", "d");
        assertThat(registry().subjects()).containsExactlyInAnyOrder("p-value", "d-value");
    }

    @Test
    void withoutAutoRegistrationAMissingSchemaStopsTheStartNamingTheTopic() {
        Map<String, String> s = settings();
        s.put("auto.register.schemas", "false");

        assertThatThrownBy(() -> OutputSchemas.resolve(VisionConfig.from(s), true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the schema registry cannot take the records of output topic 'p'")
                .cause()
                .isInstanceOf(RegistryRejectedException.class)
                .hasMessageContaining("subject 'p-value'");
    }

    @Test
    void withUseLatestVersionEachTopicGetsItsSubjectsLatestId() {
        Map<String, String> s = settings();
        s.put("auto.register.schemas", "false");
        s.put("use.latest.version", "true");
        s.put("embeddings.enabled", "false");
        int predictions = registry().register("p-value", Prediction.getClassSchema());
        int deadLetters = registry().register("d-value", DeadLetter.getClassSchema());

        assertThat(OutputSchemas.resolve(VisionConfig.from(s), false))
                .containsExactly(Map.entry("p", predictions), Map.entry("d", deadLetters));
    }

    @Test
    void anUnreachableRegistryStopsTheStartOnceTheClientsRetriesAreSpent() throws IOException {
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = socket.getLocalPort();
        }
        Map<String, String> s = settings();
        s.put("schema.registry.url", "http://127.0.0.1:" + deadPort);
        s.put("max.retries", "0");

        assertThatThrownBy(() -> OutputSchemas.resolve(VisionConfig.from(s), true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the schema registry cannot take the records of output topic 'p'")
                .cause()
                .isInstanceOf(RegistryUnreachableException.class);
    }

    @Test
    void anIncompatibleSchemaUnderOneSubjectStopsTheStartNamingThatTopic() {
        registry()
                .register(
                        "m-value",
                        SchemaBuilder.record("SegmentationMask")
                                .namespace("io.visionstream.schemas.avro")
                                .fields()
                                .requiredLong("somethingElse")
                                .endRecord());

        assertThatThrownBy(() -> OutputSchemas.resolve(VisionConfig.from(settings()), true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the schema registry cannot take the records of output topic 'm'")
                .cause()
                .isInstanceOf(IncompatibleSchemaException.class);
    }
}
