package io.visionstream.schemas.serde;

import io.visionstream.schemas.registry.InvalidConfigException;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.apache.avro.Schema;

/**
 * How the subject a schema is registered under is named, as Confluent's strategies of the same names do.
 * Configured with {@code key.subject.name.strategy} / {@code value.subject.name.strategy}, by the short
 * name ({@code TopicNameStrategy}) or Confluent's class name
 * ({@code io.confluent.kafka.serializers.subject.TopicNameStrategy}).
 */
public enum SubjectNameStrategy {
    /** {@code <topic>-key} or {@code <topic>-value}: one record type per topic (the default). */
    TOPIC_NAME("TopicNameStrategy"),
    /** The record's full name, e.g. {@code io.visionstream.schemas.avro.Frame}: one type on many topics. */
    RECORD_NAME("RecordNameStrategy"),
    /** {@code <topic>-<record full name>}: several types on one topic. */
    TOPIC_RECORD_NAME("TopicRecordNameStrategy");

    private static final String CONFLUENT_PACKAGE = "io.confluent.kafka.serializers.subject.";

    private final String simpleName;

    SubjectNameStrategy(String simpleName) {
        this.simpleName = simpleName;
    }

    /** The subject for a record of {@code schema} written to {@code topic}. */
    public String subject(String topic, boolean isKey, Schema schema) {
        return switch (this) {
            case TOPIC_NAME -> topic + (isKey ? "-key" : "-value");
            case RECORD_NAME -> schema.getFullName();
            case TOPIC_RECORD_NAME -> topic + "-" + schema.getFullName();
        };
    }

    /** Confluent's class name of this strategy. */
    public String confluentClassName() {
        return CONFLUENT_PACKAGE + simpleName;
    }

    /**
     * Parses a configured strategy.
     *
     * @param key the configuration key, for the error message
     * @throws InvalidConfigException naming the key and value when the value is no known strategy
     */
    public static SubjectNameStrategy parse(String key, String value) {
        for (SubjectNameStrategy s : values()) {
            if (value.equals(s.simpleName) || value.equals(s.confluentClassName())) {
                return s;
            }
        }
        throw new InvalidConfigException(
                key,
                "unknown subject name strategy '" + value + "'; expected one of "
                        + Arrays.stream(values()).map(s -> s.simpleName).collect(Collectors.joining(", "))
                        + ", optionally with Confluent's package " + CONFLUENT_PACKAGE);
    }
}
