package io.visionstream.schemas.serde;

/** The record names a schema id the registry does not know (error code 40403). */
public class UnknownSchemaIdException extends SerializationFailure {
    public UnknownSchemaIdException(String topic, int schemaId, Throwable cause) {
        super(
                topic,
                schemaId,
                "Cannot deserialize a record from topic '" + topic + "': schema id " + schemaId
                        + " is unknown to the Schema Registry",
                cause);
    }
}
