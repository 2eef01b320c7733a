package io.visionstream.schemas.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A user name and password for HTTP basic authentication against the registry. {@link #toString()} never
 * shows the password.
 *
 * @param user the user name (for Confluent Cloud, the API key)
 * @param password the password (for Confluent Cloud, the API secret)
 */
public record BasicCredentials(String user, String password) {
    public BasicCredentials {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
    }

    /**
     * Parses Confluent's {@code user:password} form, splitting at the first colon.
     *
     * @param key the configuration key the text came from, for the error message (the text itself is never
     *     put into a message)
     */
    public static BasicCredentials parse(String key, String userInfo) {
        int colon = userInfo.indexOf(':');
        if (colon <= 0) {
            throw new InvalidConfigException(key, "expected 'user:password' (value not shown)");
        }
        return new BasicCredentials(userInfo.substring(0, colon), userInfo.substring(colon + 1));
    }

    /** The value of the {@code Authorization} header: {@code Basic base64(user:password)}. */
    public String authorizationHeader() {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "BasicCredentials[user=" + user + ", password=****]";
    }
}
