package io.visionstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.SampleRecords;
import io.visionstream.schemas.registry.BasicCredentials;
import io.visionstream.schemas.registry.RegistryClientConfig;
import io.visionstream.schemas.registry.RegistryFixture;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Serdes over HTTP against the local registry stand-in: caching, auth and what gets logged. */
class RegistryBackedSerdeTest {
    private static final String SECRET = "pa55-w0rd-never-logged";

    private RegistryFixture registry;

    @BeforeEach
    void start() throws IOException {
        registry = RegistryFixture.start();
    }

    /** Replaces the open registry with one that accepts only {@code user}'s credentials. */
    private void requireBasicAuth(String user, String password) throws IOException {
        registry.close();
        registry = RegistryFixture.start(1, Optional.of(new BasicCredentials(user, password)), Optional.empty());
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private Map<String, Object> config() {
        return Map.of(
                RegistryClientConfig.URL,
                registry.url(),
                RegistryClientConfig.CREDENTIALS_SOURCE,
                "USER_INFO",
                RegistryClientConfig.USER_INFO,
                "svc:" + SECRET,
                RegistryClientConfig.RETRIES_WAIT_MS,
                "1");
    }

    @Test
    void schemaIdsAreCachedBothWays() throws IOException {
        requireBasicAuth("svc", SECRET);
        Serde<Frame> producer = AvroSerdes.specific(Frame.class, config(), false);
        Serde<Frame> consumer = AvroSerdes.specific(Frame.class, config(), false);
        List<byte[]> written = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Frame frame = Frame.newBuilder(SampleRecords.frame()).setSequence(i).build();
            written.add(producer.serializer().serialize("frames", frame));
        }
        for (int i = 0; i < 20; i++) {
            assertThat(consumer.deserializer()
                            .deserialize("frames", written.get(i))
                            .getSequence())
                    .isEqualTo(i);
        }
        assertThat(registry.requests("POST /subjects/frames-value/versions")).isEqualTo(1);
        assertThat(registry.requests("GET /schemas/ids/1")).isEqualTo(1);
        assertThat(registry.totalRequests()).isEqualTo(2);
    }

    @Test
    void wrongCredentialsAreRejectedWithTheRegistrysCode() throws IOException {
        requireBasicAuth("svc", "another-password");
        Serde<Frame> serde = AvroSerdes.specific(Frame.class, config(), false);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> serde.serializer().serialize("frames", SampleRecords.frame()))
                .isInstanceOf(RegistryRejectedException.class)
                .hasMessage("Topic 'frames': could not register schema io.visionstream.schemas.avro.Frame under subject"
                        + " 'frames-value': Schema Registry refused POST /subjects/frames-value/versions: HTTP 401,"
                        + " error_code 401: Unauthorized");
    }

    @Test
    void retriesAreLoggedWithoutCredentials() {
        Logger logger = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            registry.failNext(2, 503);
            Serde<Frame> serde = AvroSerdes.specific(Frame.class, config(), false);
            serde.serializer().serialize("frames", SampleRecords.frame());
        } finally {
            logger.detachAppender(appender);
        }
        assertThat(appender.list).hasSize(2);
        assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage).allSatisfy(m -> assertThat(m)
                .startsWith(
                        "Schema Registry POST /subjects/frames-value/versions failed (" + registry.url() + ": HTTP 503")
                .doesNotContain(SECRET));
    }

    @Test
    void aUrlThatIsNotARegistryIsNotMistakenForAnUnknownId() {
        Map<String, Object> wrongPath = Map.of(RegistryClientConfig.URL, registry.url() + "/not-the-registry");
        byte[] bytes = {0, 0, 0, 0, 1, 0};
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AvroSerdes.specific(Frame.class, wrongPath, false)
                        .deserializer()
                        .deserialize("frames", bytes))
                .isInstanceOf(RegistryRejectedException.class)
                .hasMessage(
                        "Topic 'frames', schema id 1: could not fetch the writer schema: Schema Registry refused GET"
                                + " /schemas/ids/1: HTTP 404, error_code 404: HTTP 404 Not Found");
    }
}
