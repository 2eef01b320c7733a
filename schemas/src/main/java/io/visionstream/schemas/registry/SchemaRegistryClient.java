package io.visionstream.schemas.registry;

import org.apache.avro.Schema;

/**
 * The operations of a Confluent-compatible Schema Registry that the serdes need.
 *
 * <p>Implementations are thread-safe. Every method throws {@link RegistryException} when the registry
 * answers with an error (HTTP 4xx, carrying the registry's {@code error_code} and {@code message}) and
 * {@link RegistryUnavailableException} when it could not be reached or kept failing with 5xx after the
 * configured retries.
 */
public interface SchemaRegistryClient {

    /** The version argument that means the newest version of a subject. */
    String LATEST = "latest";

    /**
     * Registers {@code schema} under {@code subject} ({@code POST /subjects/{subject}/versions}), or finds it
     * if it is already registered there.
     *
     * @return the global id of the schema
     * @throws RegistryException with HTTP status 409 when the schema breaks the subject's compatibility
     *     rule, 422 (error code 42201) when the registry rejects it as invalid
     */
    int register(String subject, Schema schema);

    /**
     * The schema with a global id ({@code GET /schemas/ids/{id}}).
     *
     * @throws RegistryException with error code {@link RegistryException#SCHEMA_NOT_FOUND} when no schema
     *     has that id, or HTTP 422 when the registry holds a non-Avro schema under it
     */
    Schema schemaById(int id);

    /**
     * One version of a subject ({@code GET /subjects/{subject}/versions/{version}}).
     *
     * @param version a version number, or {@link #LATEST}
     * @throws RegistryException with error code {@link RegistryException#SUBJECT_NOT_FOUND} or {@link
     *     RegistryException#VERSION_NOT_FOUND}
     */
    RegisteredSchema version(String subject, String version);

    /**
     * Finds {@code schema} among the versions of {@code subject} without registering it ({@code POST
     * /subjects/{subject}}).
     *
     * @throws RegistryException with error code {@link RegistryException#SUBJECT_NOT_FOUND} or {@link
     *     RegistryException#SCHEMA_NOT_FOUND}
     */
    RegisteredSchema lookup(String subject, Schema schema);

    /**
     * Asks whether {@code schema} could be registered under {@code subject} next to {@code version}, under
     * the subject's compatibility rule ({@code POST /compatibility/subjects/{subject}/versions/{version}}).
     *
     * @param version a version number, or {@link #LATEST}
     */
    CompatibilityResult testCompatibility(String subject, String version, Schema schema);
}
