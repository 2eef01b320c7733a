package io.visionstream.schemas.registry;

/**
 * The Schema Registry answered a request with an error (HTTP 4xx). The registry's own {@code error_code}
 * and {@code message} are kept; the exception message names the request, both codes and the registry's
 * message.
 */
public class RegistryException extends RuntimeException {
    /** Error code of a request for a subject that does not exist. */
    public static final int SUBJECT_NOT_FOUND = 40401;
    /** Error code of a request for a version that does not exist. */
    public static final int VERSION_NOT_FOUND = 40402;
    /** Error code of a request for a schema (by id, or under a subject) that does not exist. */
    public static final int SCHEMA_NOT_FOUND = 40403;
    /** Error code of a schema refused because it breaks the subject's compatibility rule. */
    public static final int INCOMPATIBLE_SCHEMA = 409;
    /** Error code of a schema the registry cannot parse or accept. */
    public static final int INVALID_SCHEMA = 42201;
    /** Error code of a malformed version argument. */
    public static final int INVALID_VERSION = 42202;

    private final int httpStatus;
    private final int errorCode;
    private final String registryMessage;

    /**
     * @param request the request, e.g. {@code GET /schemas/ids/7}, for the message
     * @param httpStatus the HTTP status of the answer
     * @param errorCode the registry's {@code error_code} (the HTTP status when the body had none)
     * @param registryMessage the registry's {@code message} (the raw body when it was not JSON)
     */
    public RegistryException(String request, int httpStatus, int errorCode, String registryMessage) {
        super("Schema Registry refused " + request + ": HTTP " + httpStatus + ", error_code " + errorCode + ": "
                + registryMessage);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.registryMessage = registryMessage;
    }

    /** The HTTP status of the registry's answer. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The registry's {@code error_code}, e.g. {@link #SUBJECT_NOT_FOUND}. */
    public int errorCode() {
        return errorCode;
    }

    /** The registry's {@code message}. */
    public String registryMessage() {
        return registryMessage;
    }
}
