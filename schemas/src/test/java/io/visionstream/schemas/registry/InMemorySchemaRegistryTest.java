package io.visionstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InMemorySchemaRegistryTest {
    private static final Schema PING = SchemaBuilder.record("Ping")
            .namespace("test")
            .fields()
            .requiredInt("n")
            .endRecord();
    private static final Schema PING_REQUIRED_NOTE = SchemaBuilder.record("Ping")
            .namespace("test")
            .fields()
            .requiredInt("n")
            .requiredString("note")
            .endRecord();

    @AfterEach
    void forget() {
        InMemorySchemaRegistry.dropScope("in-memory-a");
        InMemorySchemaRegistry.dropScope("in-memory-b");
    }

    @Test
    void clientsOfOneScopeShareSchemas() {
        SchemaRegistryClient writer = SchemaRegistryClients.create(RegistryClientConfig.of("mock://in-memory-a"));
        SchemaRegistryClient reader = SchemaRegistryClients.create(RegistryClientConfig.of("mock://in-memory-a"));
        int id = writer.register("pings-value", PING);
        assertThat(reader.schemaById(id)).isEqualTo(PING);
    }

    @Test
    void scopesAreSeparate() {
        int id = SchemaRegistryClients.create(RegistryClientConfig.of("mock://in-memory-a"))
                .register("pings-value", PING);
        SchemaRegistryClient other = SchemaRegistryClients.create(RegistryClientConfig.of("mock://in-memory-b"));
        assertThatThrownBy(() -> other.schemaById(id))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.errorCode())
                        .isEqualTo(RegistryException.SCHEMA_NOT_FOUND));
    }

    @Test
    void sameSchemaGetsTheSameIdUnderEverySubject() {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.forScope("in-memory-a");
        assertThat(registry.register("a-value", PING)).isEqualTo(registry.register("b-value", PING));
        assertThat(registry.version("b-value", "latest")).isEqualTo(new RegisteredSchema("b-value", 1, 1, PING));
    }

    @Test
    void backwardIncompatibleSchemaIsRefusedWith409() {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.forScope("in-memory-a");
        registry.register("pings-value", PING);
        assertThatThrownBy(() -> registry.register("pings-value", PING_REQUIRED_NOTE))
                .isInstanceOfSatisfying(
                        RegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(409))
                .hasMessageContaining("Schema being registered is incompatible with an earlier schema for subject"
                        + " \"pings-value\"")
                .hasMessageContaining("READER_FIELD_MISSING_DEFAULT_VALUE");
        assertThat(registry.testCompatibility("pings-value", "latest", PING_REQUIRED_NOTE)
                        .compatible())
                .isFalse();
    }

    @Test
    void aSubjectsStoredLevelIsHonouredInProcessToo() {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.forScope("in-memory-a");
        registry.register("pings-value", PING);
        registry.setCompatibility("pings-value", CompatibilityLevel.NONE);

        assertThat(registry.register("pings-value", PING_REQUIRED_NOTE)).isEqualTo(2);
        assertThat(registry.versions("pings-value", false)).containsExactly(1, 2);
    }

    @Test
    void lookupOfAnUnregisteredSchemaFailsWith40403() {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.forScope("in-memory-a");
        registry.register("pings-value", PING);
        assertThatThrownBy(() -> registry.lookup("pings-value", PING_REQUIRED_NOTE))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.errorCode())
                        .isEqualTo(RegistryException.SCHEMA_NOT_FOUND));
        assertThat(registry.testCompatibility("pings-value", "1", PING))
                .isEqualTo(new CompatibilityResult(true, List.of()));
    }
}
