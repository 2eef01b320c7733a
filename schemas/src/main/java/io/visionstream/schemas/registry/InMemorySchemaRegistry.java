package io.visionstream.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * An in-memory Schema Registry for {@code mock://scope} URLs: every client configured with the same scope
 * in one JVM shares one instance, as with Confluent's mock registry. Ids are global and start at 1; the
 * same schema gets the same id under every subject. Registration enforces Confluent's default rule,
 * {@code BACKWARD} (the new schema must read data written with the latest one). Errors carry Confluent's
 * HTTP statuses and error codes. Thread-safe.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {
    private static final Map<String, InMemorySchemaRegistry> SCOPES = new ConcurrentHashMap<>();

    private final String scope;
    private final Map<Integer, Schema> byId = new HashMap<>();
    private final Map<Schema, Integer> idOf = new HashMap<>();
    private final Map<String, List<Integer>> versions = new HashMap<>();

    private InMemorySchemaRegistry(String scope) {
        this.scope = scope;
    }

    /** The registry of {@code scope}, created on first use. */
    public static InMemorySchemaRegistry forScope(String scope) {
        return SCOPES.computeIfAbsent(scope, InMemorySchemaRegistry::new);
    }

    /** Forgets the registry of {@code scope}; the next {@link #forScope} starts empty. For tests. */
    public static void dropScope(String scope) {
        SCOPES.remove(scope);
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        List<Integer> ids = versions.computeIfAbsent(subject, s -> new ArrayList<>());
        Integer known = idOf.get(schema);
        if (known != null && ids.contains(known)) {
            return known;
        }
        if (!ids.isEmpty()) {
            Schema latest = byId.get(ids.get(ids.size() - 1));
            List<String> problems = AvroCompatibility.readProblems(schema, latest);
            if (!problems.isEmpty()) {
                throw new RegistryException(
                        "POST /subjects/" + subject + "/versions",
                        409,
                        RegistryException.INCOMPATIBLE_SCHEMA,
                        "Schema being registered is incompatible with an earlier schema for subject \"" + subject
                                + "\", details: " + problems);
            }
        }
        int id = known != null ? known : byId.size() + 1;
        byId.put(id, schema);
        idOf.put(schema, id);
        ids.add(id);
        return id;
    }

    @Override
    public synchronized Schema schemaById(int id) {
        Schema schema = byId.get(id);
        if (schema == null) {
            throw new RegistryException(
                    "GET /schemas/ids/" + id, 404, RegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
        }
        return schema;
    }

    @Override
    public synchronized RegisteredSchema version(String subject, String version) {
        String request = "GET /subjects/" + subject + "/versions/" + version;
        List<Integer> ids = subjectVersions(request, subject);
        int number;
        if (LATEST.equals(version)) {
            number = ids.size();
        } else {
            try {
                number = Integer.parseInt(version);
            } catch (NumberFormatException e) {
                throw new RegistryException(
                        request,
                        422,
                        RegistryException.INVALID_VERSION,
                        "The specified version '" + version
                                + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
            }
        }
        if (number < 1 || number > ids.size()) {
            throw new RegistryException(
                    request, 404, RegistryException.VERSION_NOT_FOUND, "Version " + version + " not found.");
        }
        int id = ids.get(number - 1);
        return new RegisteredSchema(subject, number, id, byId.get(id));
    }

    @Override
    public synchronized RegisteredSchema lookup(String subject, Schema schema) {
        String request = "POST /subjects/" + subject;
        List<Integer> ids = subjectVersions(request, subject);
        Integer id = idOf.get(schema);
        if (id == null || !ids.contains(id)) {
            throw new RegistryException(request, 404, RegistryException.SCHEMA_NOT_FOUND, "Schema not found");
        }
        return new RegisteredSchema(subject, ids.indexOf(id) + 1, id, schema);
    }

    @Override
    public synchronized CompatibilityResult testCompatibility(String subject, String version, Schema schema) {
        RegisteredSchema against = version(subject, version);
        List<String> problems = AvroCompatibility.readProblems(schema, against.schema());
        return new CompatibilityResult(problems.isEmpty(), problems);
    }

    /** Subjects with at least one version, sorted. */
    public synchronized List<String> subjects() {
        return versions.entrySet().stream()
                .filter(e -> !e.getValue().isEmpty())
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
    }

    private List<Integer> subjectVersions(String request, String subject) {
        List<Integer> ids = versions.get(subject);
        if (ids == null || ids.isEmpty()) {
            throw new RegistryException(
                    request, 404, RegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
        }
        return ids;
    }

    @Override
    public String toString() {
        return "InMemorySchemaRegistry[mock://" + scope + "]";
    }
}
