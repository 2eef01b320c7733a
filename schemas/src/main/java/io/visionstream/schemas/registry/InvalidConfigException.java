package io.visionstream.schemas.registry;

/**
 * A configuration value is missing or malformed. The message names the key, and the value unless the
 * value is a secret.
 */
public class InvalidConfigException extends IllegalArgumentException {
    private final String key;

    public InvalidConfigException(String key, String problem) {
        super("Invalid configuration '" + key + "': " + problem);
        this.key = key;
    }

    /** The offending configuration key. */
    public String key() {
        return key;
    }
}
