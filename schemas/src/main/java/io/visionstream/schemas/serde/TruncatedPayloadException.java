package io.visionstream.schemas.serde;

/** The record ends before its 5-byte header or its Avro body is complete. */
public class TruncatedPayloadException extends SerializationFailure {
    public TruncatedPayloadException(String topic, Integer schemaId, String message, Throwable cause) {
        super(topic, schemaId, message, cause);
    }
}
