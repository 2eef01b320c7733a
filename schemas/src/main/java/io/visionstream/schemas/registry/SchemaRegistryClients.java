package io.visionstream.schemas.registry;

import java.util.Map;

/** Builds the client a configuration asks for. */
public final class SchemaRegistryClients {
    private SchemaRegistryClients() {}

    /**
     * A caching client: over the shared {@link InMemorySchemaRegistry} of the scope for a {@code mock://scope}
     * URL, over a {@link RestSchemaRegistryClient} otherwise.
     */
    public static SchemaRegistryClient create(RegistryClientConfig config) {
        SchemaRegistryClient backend = config.isMock()
                ? InMemorySchemaRegistry.forScope(config.mockScope())
                : new RestSchemaRegistryClient(config);
        return new CachingSchemaRegistryClient(backend, config.latestCacheTtl());
    }

    /** {@link #create(RegistryClientConfig)} from Confluent-style keys (see {@link RegistryClientConfig}). */
    public static SchemaRegistryClient create(Map<String, ?> config) {
        return create(RegistryClientConfig.fromMap(config));
    }
}
