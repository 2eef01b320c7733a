package io.visionstream.schemas.serde;

import io.visionstream.schemas.registry.RegistryException;
import io.visionstream.schemas.registry.RegistryUnavailableException;
import java.util.function.Supplier;

/** Turns the registry client's exceptions into {@link SerializationFailure}s that name topic and id. */
final class RegistryErrors {
    private RegistryErrors() {}

    /**
     * Runs a registry call for a record of {@code topic}.
     *
     * @param what what the call was for, e.g. "register schema io.x.Frame under subject 'frames-value'"
     */
    static <T> T call(String topic, Integer schemaId, String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (RegistryUnavailableException e) {
            throw new RegistryUnreachableException(
                    topic, schemaId, prefix(topic, schemaId) + "could not " + what + ": " + e.getMessage(), e);
        } catch (RegistryException e) {
            String message = prefix(topic, schemaId) + "could not " + what + ": " + e.getMessage();
            if (e.errorCode() == RegistryException.INCOMPATIBLE_SCHEMA || e.httpStatus() == 409) {
                throw new IncompatibleSchemaException(topic, schemaId, message, e);
            }
            throw new RegistryRejectedException(topic, schemaId, message, e);
        }
    }

    static String prefix(String topic, Integer schemaId) {
        return "Topic '" + topic + "'" + (schemaId == null ? "" : ", schema id " + schemaId) + ": ";
    }
}
