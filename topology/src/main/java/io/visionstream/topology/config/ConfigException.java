package io.visionstream.topology.config;

/** A setting is missing, malformed or out of range; the message names the key and the value. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
