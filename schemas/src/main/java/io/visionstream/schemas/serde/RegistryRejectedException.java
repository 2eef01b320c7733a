package io.visionstream.schemas.serde;

import io.visionstream.schemas.registry.RegistryException;

/**
 * The registry answered with an error the other subclasses do not cover, e.g. 401 (bad credentials), or
 * 404 for a schema that is not registered when {@code auto.register.schemas} is false. The cause is the
 * {@link RegistryException} with the registry's error code and message.
 */
public class RegistryRejectedException extends SerializationFailure {
    public RegistryRejectedException(String topic, Integer schemaId, String message, RegistryException cause) {
        super(topic, schemaId, message, cause);
    }
}
