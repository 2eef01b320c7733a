package io.visionstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CachingSchemaRegistryClientTest {
    private static final Schema PING = SchemaBuilder.record("Ping")
            .namespace("test")
            .fields()
            .requiredInt("n")
            .endRecord();
    private static final Schema PING_V2 = SchemaBuilder.record("Ping")
            .namespace("test")
            .fields()
            .requiredInt("n")
            .optionalString("note")
            .endRecord();

    private RegistryFixture server;
    private RestSchemaRegistryClient rest;

    @BeforeEach
    void start() throws IOException {
        server = RegistryFixture.start();
        rest = new RestSchemaRegistryClient(RegistryClientConfig.of(server.url()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void registrationIsAskedOncePerSubjectAndSchema() {
        var client = new CachingSchemaRegistryClient(rest, Duration.ofSeconds(-1));
        assertThat(client.register("pings-value", PING)).isEqualTo(1);
        assertThat(client.register("pings-value", PING)).isEqualTo(1);
        assertThat(client.register("other-value", PING)).isEqualTo(1);
        assertThat(server.requests("POST /subjects/pings-value/versions")).isEqualTo(1);
        assertThat(server.requests("POST /subjects/other-value/versions")).isEqualTo(1);
    }

    @Test
    void idToSchemaIsFetchedOnce() {
        int id = server.preRegister("pings-value", PING.toString());
        var client = new CachingSchemaRegistryClient(rest, Duration.ofSeconds(-1));
        for (int i = 0; i < 5; i++) {
            assertThat(client.schemaById(id)).isEqualTo(PING);
        }
        assertThat(server.requests("GET /schemas/ids/" + id)).isEqualTo(1);
    }

    @Test
    void registeringFillsTheIdToSchemaCacheToo() {
        var client = new CachingSchemaRegistryClient(rest, Duration.ofSeconds(-1));
        int id = client.register("pings-value", PING);
        assertThat(client.schemaById(id)).isEqualTo(PING);
        assertThat(server.totalRequests()).isEqualTo(1);
    }

    @Test
    void failuresAreNotCached() {
        var client = new CachingSchemaRegistryClient(rest, Duration.ofSeconds(-1));
        assertThatThrownBy(() -> client.schemaById(1)).isInstanceOf(RegistryException.class);
        server.preRegister("pings-value", PING.toString());
        assertThat(client.schemaById(1)).isEqualTo(PING);
        assertThat(server.requests("GET /schemas/ids/1")).isEqualTo(2);
    }

    @Test
    void latestVersionIsRefetchedAfterItsTtl() {
        server.preRegister("pings-value", PING.toString());
        AtomicLong now = new AtomicLong();
        var client = new CachingSchemaRegistryClient(rest, Duration.ofSeconds(10), now::get);
        assertThat(client.version("pings-value", "latest").version()).isEqualTo(1);
        server.preRegister("pings-value", PING_V2.toString());
        now.set(Duration.ofSeconds(9).toNanos());
        assertThat(client.version("pings-value", "latest").version())
                .as("still cached")
                .isEqualTo(1);
        now.set(Duration.ofSeconds(11).toNanos());
        assertThat(client.version("pings-value", "latest").version()).isEqualTo(2);
        assertThat(server.requests("GET /subjects/pings-value/versions/latest")).isEqualTo(2);
    }
}
