package io.visionstream.schemas.serde;

import io.visionstream.schemas.registry.RegistryUnavailableException;

/**
 * The registry could not be reached (or kept failing) through every retry. Nothing is known to be wrong
 * with the record: an exception handler should stop or retry, not dead-letter it.
 */
public class RegistryUnreachableException extends SerializationFailure {
    public RegistryUnreachableException(
            String topic, Integer schemaId, String message, RegistryUnavailableException cause) {
        super(topic, schemaId, message, cause);
    }
}
