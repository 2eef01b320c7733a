package io.visionstream.schemas.serde;

/**
 * The Avro data does not follow its schema: on write, the record holds a value its schema does not allow
 * (e.g. null in a non-null field); on read, the bytes after the header are not a valid encoding under the
 * writer schema.
 */
public class MalformedRecordException extends SerializationFailure {
    public MalformedRecordException(String topic, Integer schemaId, String message, Throwable cause) {
        super(topic, schemaId, message, cause);
    }
}
