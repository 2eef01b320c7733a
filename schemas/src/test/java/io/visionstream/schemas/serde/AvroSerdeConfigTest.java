package io.visionstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.registry.InvalidConfigException;
import io.visionstream.schemas.registry.RegistryClientConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AvroSerdeConfigTest {
    private static final String URL = "mock://serde-config-test";

    @Test
    void defaultsAreConfluents() {
        AvroSerdeConfig config = AvroSerdeConfig.fromMap(Map.of(RegistryClientConfig.URL, URL), false);
        assertThat(config.autoRegister()).isTrue();
        assertThat(config.useLatestVersion()).isFalse();
        assertThat(config.subjectNameStrategy()).isEqualTo(SubjectNameStrategy.TOPIC_NAME);
    }

    @Test
    void missingRegistryUrlFailsTheSerdeNamingTheKey() {
        assertThatThrownBy(() -> AvroSerdes.specific(Frame.class, Map.of(), false))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("Invalid configuration 'schema.registry.url': missing");
    }

    @Test
    void unknownStrategyFailsNamingKeyAndValue() {
        assertThatThrownBy(() -> AvroSerdes.specific(
                        Frame.class,
                        Map.of(RegistryClientConfig.URL, URL, AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, "ByColour"),
                        false))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class, e -> assertThat(e.key()).isEqualTo("value.subject.name.strategy"))
                .hasMessage("Invalid configuration 'value.subject.name.strategy': unknown subject name strategy"
                        + " 'ByColour'; expected one of TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy,"
                        + " optionally with Confluent's package io.confluent.kafka.serializers.subject.");
    }

    @Test
    void keyStrategyIsReadOnlyForKeys() {
        Map<String, Object> map = Map.of(
                RegistryClientConfig.URL,
                URL,
                AvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY,
                "io.confluent.kafka.serializers.subject.RecordNameStrategy");
        assertThat(AvroSerdeConfig.fromMap(map, true).subjectNameStrategy()).isEqualTo(SubjectNameStrategy.RECORD_NAME);
        assertThat(AvroSerdeConfig.fromMap(map, false).subjectNameStrategy()).isEqualTo(SubjectNameStrategy.TOPIC_NAME);
    }

    @Test
    void nonBooleanAutoRegisterFailsNamingKeyAndValue() {
        assertThatThrownBy(() -> AvroSerdeConfig.fromMap(
                        Map.of(RegistryClientConfig.URL, URL, AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "yes"), false))
                .hasMessage("Invalid configuration 'auto.register.schemas': expected true or false, got 'yes'");
    }

    @Test
    void useLatestVersionWithAutoRegisterIsRefused() {
        assertThatThrownBy(() -> AvroSerdeConfig.fromMap(
                        Map.of(RegistryClientConfig.URL, URL, AvroSerdeConfig.USE_LATEST_VERSION, true), false))
                .hasMessage("Invalid configuration 'use.latest.version': true needs auto.register.schemas=false, but it"
                        + " is true");
    }

    @Test
    void specificValueTypeMustBeAGeneratedClass() {
        AvroDeserializer<Object> deserializer = new AvroDeserializer<>();
        assertThatThrownBy(() -> deserializer.configure(
                        Map.of(
                                RegistryClientConfig.URL,
                                URL,
                                AvroDeserializer.SPECIFIC_AVRO_VALUE_TYPE,
                                "java.lang.String"),
                        false))
                .hasMessage(
                        "Invalid configuration 'specific.avro.value.type': class 'java.lang.String' is not a generated"
                                + " Avro SpecificRecord");
    }

    @Test
    void serdeUsedBeforeConfigureSaysSo() {
        assertThatThrownBy(() -> new SpecificAvroSerde<>(Frame.class).serializer())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("SpecificAvroSerde used before configure()");
    }
}
