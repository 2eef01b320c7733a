package io.visionstream.schemas.registry;

/**
 * The Schema Registry could not be reached, kept answering with a server error (5xx, 429) through every
 * retry, or gave an answer that does not follow its API. This says nothing about the record being processed: a caller should fail or retry later,
 * not treat the record as bad.
 */
public class RegistryUnavailableException extends RuntimeException {
    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
