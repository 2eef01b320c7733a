package io.visionstream.schemas.serde;

/**
 * Two schemas do not fit together: a record's writer schema cannot be resolved into the reader's schema,
 * or the registry refused a schema as incompatible with the subject's earlier versions (HTTP 409).
 */
public class IncompatibleSchemaException extends SerializationFailure {
    public IncompatibleSchemaException(String topic, Integer schemaId, String message, Throwable cause) {
        super(topic, schemaId, message, cause);
    }
}
