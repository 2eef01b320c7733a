package io.visionstream.schemas.serde;

import java.util.OptionalInt;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A record could not be written or read. Extends Kafka's {@link SerializationException}, so Kafka Streams
 * hands it to the configured deserialization (or production) exception handler. The message names the
 * topic and, where one is known, the schema id. Subclasses say why; {@link RegistryUnreachableException}
 * alone is not about the record.
 */
public class SerializationFailure extends SerializationException {
    private final String topic;
    private final Integer schemaId;

    protected SerializationFailure(String topic, Integer schemaId, String message, Throwable cause) {
        super(message, cause);
        this.topic = topic;
        this.schemaId = schemaId;
    }

    /** The topic of the record. */
    public String topic() {
        return topic;
    }

    /** The schema id of the record, when it got as far as having one. */
    public OptionalInt schemaId() {
        return schemaId == null ? OptionalInt.empty() : OptionalInt.of(schemaId);
    }
}
