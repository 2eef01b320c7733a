package io.visionstream.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * An in-memory Schema Registry with the Confluent server's semantics; the store behind {@code mock://scope}
 * URLs (every client configured with the same scope in one JVM shares one instance, as with Confluent's mock
 * registry) and behind {@link LocalSchemaRegistryServer}.
 *
 * <p>Ids are global, never reused, and start at 1 (or where {@link #standalone} says); a schema gets the
 * same id under every subject, two schemas being the same when their Avro JSON text ({@link
 * Schema#toString()}) is. A subject's first version is 1, and each new one is one past the highest it holds,
 * soft-deleted ones included. Registration honours the subject's compatibility level, else the global one ({@link
 * CompatibilityLevel#BACKWARD} unless set), against the versions that are not deleted. A soft deletion
 * hides a version from every read that does not ask for deleted ones; a permanent one, allowed only after
 * the soft one, forgets it, and with the last version using an id, the id.
 *
 * <p>Errors are {@link RegistryException}s with Confluent's HTTP statuses and error codes. Thread-safe.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {
    /** Error code: the subject's versions are all soft-deleted already. */
    public static final int SUBJECT_SOFT_DELETED = 40404;
    /** Error code: a permanent deletion of a subject that still has live versions. */
    public static final int SUBJECT_NOT_SOFT_DELETED = 40405;
    /** Error code: the version is soft-deleted already. */
    public static final int VERSION_SOFT_DELETED = 40406;
    /** Error code: a permanent deletion of a version that is not soft-deleted. */
    public static final int VERSION_NOT_SOFT_DELETED = 40407;
    /** Error code: the subject has no compatibility level of its own. */
    public static final int SUBJECT_LEVEL_NOT_CONFIGURED = 40408;
    /** Error code: an unknown compatibility level. */
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;

    private static final Map<String, InMemorySchemaRegistry> SCOPES = new ConcurrentHashMap<>();

    /** One version of a subject. */
    private static final class Version {
        final int number;
        final int id;
        boolean deleted;

        Version(int number, int id) {
            this.number = number;
            this.id = id;
        }
    }

    private final String name;
    private final Map<Integer, Schema> byId = new HashMap<>();
    private final Map<String, Integer> idByText = new HashMap<>();
    /** Versions by number, per subject; a subject whose every version was permanently deleted is absent. */
    private final Map<String, TreeMap<Integer, Version>> subjects = new HashMap<>();

    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
    private int nextId;

    private InMemorySchemaRegistry(String name, int firstId) {
        this.name = name;
        this.nextId = firstId;
    }

    /** The registry of {@code scope}, created on first use. */
    public static InMemorySchemaRegistry forScope(String scope) {
        return SCOPES.computeIfAbsent(scope, s -> new InMemorySchemaRegistry("mock://" + s, 1));
    }

    /** Forgets the registry of {@code scope}; the next {@link #forScope} starts empty. For tests. */
    public static void dropScope(String scope) {
        SCOPES.remove(scope);
    }

    /**
     * A registry of its own, in no scope, whose first schema gets id {@code firstId}.
     *
     * @param name for {@link #toString()}
     */
    static InMemorySchemaRegistry standalone(String name, int firstId) {
        if (firstId < 1) {
            throw new IllegalArgumentException("ids start at 1 or above, got " + firstId);
        }
        return new InMemorySchemaRegistry(name, firstId);
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        TreeMap<Integer, Version> versions = subjects.get(subject);
        Integer known = idByText.get(schema.toString());
        if (versions != null && known != null) {
            for (Version v : versions.values()) {
                if (!v.deleted && v.id == known) {
                    return known;
                }
            }
        }
        List<Schema> live = versions == null
                ? List.of()
                : versions.values().stream()
                        .filter(v -> !v.deleted)
                        .map(v -> byId.get(v.id))
                        .toList();
        CompatibilityLevel level = effectiveLevel(subject);
        List<String> problems = level.problems(schema, live);
        if (!problems.isEmpty()) {
            throw new RegistryException(
                    "POST /subjects/" + subject + "/versions",
                    409,
                    RegistryException.INCOMPATIBLE_SCHEMA,
                    "Schema being registered is incompatible with an earlier schema for subject \"" + subject
                            + "\" (compatibility " + level + "), details: " + problems);
        }
        int id = known != null ? known : nextId++;
        byId.put(id, schema);
        idByText.put(schema.toString(), id);
        int number = versions == null ? 1 : versions.lastKey() + 1;
        TreeMap<Integer, Version> target = subjects.computeIfAbsent(subject, s -> new TreeMap<>());
        // A soft-deleted earlier version of this very schema gives way to the new one, as on Confluent's
        // server: otherwise a lookup with deleted=true would find the schema twice.
        target.values().removeIf(v -> v.deleted && v.id == id);
        target.put(number, new Version(number, id));
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

    /**
     * Every version, in any subject, that holds the schema with id {@code id}, by subject then version.
     *
     * @param includeDeleted whether soft-deleted versions count
     * @throws RegistryException 40403 when no schema has that id
     */
    public synchronized List<RegisteredSchema> versionsOfId(int id, boolean includeDeleted) {
        Schema schema = byId.get(id);
        if (schema == null) {
            throw new RegistryException(
                    "GET /schemas/ids/" + id + "/versions",
                    404,
                    RegistryException.SCHEMA_NOT_FOUND,
                    "Schema " + id + " not found");
        }
        List<RegisteredSchema> found = new ArrayList<>();
        subjects.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            for (Version v : e.getValue().values()) {
                if (v.id == id && (includeDeleted || !v.deleted)) {
                    found.add(new RegisteredSchema(e.getKey(), v.number, id, schema));
                }
            }
        });
        return found;
    }

    @Override
    public synchronized RegisteredSchema version(String subject, String version) {
        return version(subject, version, false);
    }

    /**
     * One version of a subject.
     *
     * @param version a version number, or {@link #LATEST} (or {@code -1}): the newest version not deleted
     * @param includeDeleted whether a soft-deleted version may be returned
     * @throws RegistryException 40401 when the subject has no version (live, or any with {@code
     *     includeDeleted}), 40402 when it has not this one, 42202 when {@code version} is no version
     */
    public synchronized RegisteredSchema version(String subject, String version, boolean includeDeleted) {
        String request = "GET /subjects/" + subject + "/versions/" + version;
        int number = versionNumber(request, version);
        Version found = find(subject, number, includeDeleted);
        if (found == null) {
            throw hasVersions(subject, includeDeleted)
                    ? versionNotFound(request, number)
                    : subjectNotFound(request, subject);
        }
        return new RegisteredSchema(subject, found.number, found.id, byId.get(found.id));
    }

    @Override
    public synchronized RegisteredSchema lookup(String subject, Schema schema) {
        return lookup(subject, schema, false);
    }

    /**
     * Finds {@code schema} among the versions of {@code subject}, the newest first.
     *
     * @param includeDeleted whether soft-deleted versions are searched too
     * @throws RegistryException 40401 when the subject has no version to search, 40403 when none holds it
     */
    public synchronized RegisteredSchema lookup(String subject, Schema schema, boolean includeDeleted) {
        String request = "POST /subjects/" + subject;
        if (!hasVersions(subject, includeDeleted)) {
            throw subjectNotFound(request, subject);
        }
        Integer id = idByText.get(schema.toString());
        if (id != null) {
            for (Version v : subjects.get(subject).descendingMap().values()) {
                if (v.id == id && (includeDeleted || !v.deleted)) {
                    return new RegisteredSchema(subject, v.number, id, byId.get(id));
                }
            }
        }
        throw new RegistryException(request, 404, RegistryException.SCHEMA_NOT_FOUND, "Schema not found");
    }

    /**
     * Whether {@code schema} could be registered next to one version of {@code subject}, under the subject's
     * compatibility level. Against {@link #LATEST} of a subject with no live version, anything is compatible.
     *
     * @throws RegistryException 40402 when a numbered version does not exist (or is deleted), 42202 when
     *     {@code version} is no version
     */
    @Override
    public synchronized CompatibilityResult testCompatibility(String subject, String version, Schema schema) {
        String request = "POST /compatibility/subjects/" + subject + "/versions/" + version;
        int number = versionNumber(request, version);
        Version against = find(subject, number, false);
        if (against == null && number != -1) {
            throw versionNotFound(request, number);
        }
        List<Schema> earlier = against == null ? List.of() : List.of(byId.get(against.id));
        List<String> problems = effectiveLevel(subject).problems(schema, earlier);
        return new CompatibilityResult(problems.isEmpty(), problems);
    }

    /**
     * Whether {@code schema} could be registered under {@code subject}: checked against every live version
     * that the subject's compatibility level looks at.
     */
    public synchronized CompatibilityResult testCompatibility(String subject, Schema schema) {
        List<String> problems = effectiveLevel(subject).problems(schema, liveSchemas(subject));
        return new CompatibilityResult(problems.isEmpty(), problems);
    }

    /** Subjects with at least one live version (or any version, with {@code includeDeleted}), sorted. */
    public synchronized List<String> subjects(boolean includeDeleted) {
        return subjects.keySet().stream()
                .filter(s -> hasVersions(s, includeDeleted))
                .sorted()
                .toList();
    }

    /** Subjects with at least one live version, sorted. */
    public List<String> subjects() {
        return subjects(false);
    }

    /**
     * The version numbers of {@code subject}, ascending.
     *
     * @throws RegistryException 40401 when it has none (live ones, unless {@code includeDeleted})
     */
    public synchronized List<Integer> versions(String subject, boolean includeDeleted) {
        if (!hasVersions(subject, includeDeleted)) {
            throw subjectNotFound("GET /subjects/" + subject + "/versions", subject);
        }
        return subjects.get(subject).values().stream()
                .filter(v -> includeDeleted || !v.deleted)
                .map(v -> v.number)
                .toList();
    }

    /**
     * Deletes a subject: softly (every live version becomes deleted; the subject's compatibility level
     * stays) or permanently (every version, already soft-deleted, and the subject's level are forgotten).
     *
     * @return the version numbers deleted, ascending
     * @throws RegistryException 40401 when the subject has no version at all, 40404 when a soft deletion
     *     finds every version deleted already, 40405 when a permanent deletion finds a live version
     */
    public synchronized List<Integer> deleteSubject(String subject, boolean permanent) {
        String request = "DELETE /subjects/" + subject + (permanent ? "?permanent=true" : "");
        if (!hasVersions(subject, true)) {
            throw subjectNotFound(request, subject);
        }
        TreeMap<Integer, Version> versions = subjects.get(subject);
        if (!permanent) {
            if (!hasVersions(subject, false)) {
                throw new RegistryException(
                        request,
                        404,
                        SUBJECT_SOFT_DELETED,
                        "Subject '" + subject + "' is soft-deleted already; add permanent=true to delete it for good");
            }
            List<Integer> deleted = new ArrayList<>();
            for (Version v : versions.values()) {
                if (!v.deleted) {
                    v.deleted = true;
                    deleted.add(v.number);
                }
            }
            return deleted;
        }
        if (hasVersions(subject, false)) {
            throw new RegistryException(
                    request,
                    404,
                    SUBJECT_NOT_SOFT_DELETED,
                    "Subject '" + subject + "' must be soft-deleted before it can be deleted permanently");
        }
        List<Integer> deleted = List.copyOf(versions.keySet());
        subjects.remove(subject);
        subjectLevels.remove(subject);
        versions.values().forEach(v -> forgetIdIfUnused(v.id));
        return deleted;
    }

    /**
     * Deletes one version of a subject, softly or (once soft-deleted) permanently. Permanently deleting a
     * subject's last version also forgets the subject's compatibility level.
     *
     * @param version a version number, or {@link #LATEST}: the newest live version
     * @return the number of the version deleted
     * @throws RegistryException 40401 when the subject has no version at all, 40402 when it has not this
     *     one, 40406 when a soft deletion finds it deleted already, 40407 when a permanent deletion finds it
     *     live, 42202 when {@code version} is no version
     */
    public synchronized int deleteVersion(String subject, String version, boolean permanent) {
        String request = "DELETE /subjects/" + subject + "/versions/" + version + (permanent ? "?permanent=true" : "");
        int number = versionNumber(request, version);
        Version found = find(subject, number, true);
        if (found == null) {
            throw hasVersions(subject, true) ? versionNotFound(request, number) : subjectNotFound(request, subject);
        }
        if (!permanent) {
            if (found.deleted) {
                throw new RegistryException(
                        request,
                        404,
                        VERSION_SOFT_DELETED,
                        "Version " + found.number + " of subject '" + subject
                                + "' is soft-deleted already; add permanent=true to delete it for good");
            }
            found.deleted = true;
            return found.number;
        }
        if (!found.deleted) {
            throw new RegistryException(
                    request,
                    404,
                    VERSION_NOT_SOFT_DELETED,
                    "Version " + found.number + " of subject '" + subject
                            + "' must be soft-deleted before it can be deleted permanently");
        }
        TreeMap<Integer, Version> versions = subjects.get(subject);
        versions.remove(found.number);
        if (versions.isEmpty()) {
            subjects.remove(subject);
            subjectLevels.remove(subject);
        }
        forgetIdIfUnused(found.id);
        return found.number;
    }

    /** The global compatibility level: {@link CompatibilityLevel#BACKWARD} until set. */
    public synchronized CompatibilityLevel compatibility() {
        return globalLevel;
    }

    /** Sets the global compatibility level, which later registrations honour. */
    public synchronized void setCompatibility(CompatibilityLevel level) {
        globalLevel = Objects.requireNonNull(level, "level");
    }

    /** Resets the global level to {@link CompatibilityLevel#BACKWARD}, returning the one it replaced. */
    public synchronized CompatibilityLevel resetCompatibility() {
        CompatibilityLevel old = globalLevel;
        globalLevel = CompatibilityLevel.BACKWARD;
        return old;
    }

    /** The subject's own compatibility level, if it has one; the subject need not have versions. */
    public synchronized Optional<CompatibilityLevel> compatibility(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    /** Gives {@code subject} a level of its own, which later registrations under it honour. */
    public synchronized void setCompatibility(String subject, CompatibilityLevel level) {
        subjectLevels.put(subject, Objects.requireNonNull(level, "level"));
    }

    /**
     * Removes the subject's own level, so that the global one applies again.
     *
     * @return the level removed
     * @throws RegistryException 40401 when the subject had none
     */
    public synchronized CompatibilityLevel deleteCompatibility(String subject) {
        CompatibilityLevel old = subjectLevels.remove(subject);
        if (old == null) {
            throw subjectNotFound("DELETE /config/" + subject, subject);
        }
        return old;
    }

    private CompatibilityLevel effectiveLevel(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    private List<Schema> liveSchemas(String subject) {
        TreeMap<Integer, Version> versions = subjects.get(subject);
        return versions == null
                ? List.of()
                : versions.values().stream()
                        .filter(v -> !v.deleted)
                        .map(v -> byId.get(v.id))
                        .toList();
    }

    /** Version {@code number} of the subject, -1 being the newest live one; null when there is none. */
    private Version find(String subject, int number, boolean includeDeleted) {
        TreeMap<Integer, Version> versions = subjects.get(subject);
        if (versions == null) {
            return null;
        }
        if (number == -1) {
            return versions.descendingMap().values().stream()
                    .filter(v -> !v.deleted)
                    .findFirst()
                    .orElse(null);
        }
        Version v = versions.get(number);
        return v == null || (v.deleted && !includeDeleted) ? null : v;
    }

    private boolean hasVersions(String subject, boolean includeDeleted) {
        TreeMap<Integer, Version> versions = subjects.get(subject);
        return versions != null && versions.values().stream().anyMatch(v -> includeDeleted || !v.deleted);
    }

    private void forgetIdIfUnused(int id) {
        boolean used = subjects.values().stream()
                .flatMap(versions -> versions.values().stream())
                .anyMatch(v -> v.id == id);
        if (!used) {
            Schema schema = byId.remove(id);
            idByText.remove(schema.toString());
        }
    }

    /** {@code latest} (any case) and {@code -1} are -1; otherwise a positive number. */
    private static int versionNumber(String request, String version) {
        String text = version.trim();
        if (text.equalsIgnoreCase(LATEST)) {
            return -1;
        }
        try {
            int number = Integer.parseInt(text);
            if (number > 0 || number == -1) {
                return number;
            }
        } catch (NumberFormatException e) {
            // falls through to the registry's own answer for a malformed version
        }
        throw new RegistryException(
                request,
                422,
                RegistryException.INVALID_VERSION,
                "The specified version '" + version
                        + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    private static RegistryException subjectNotFound(String request, String subject) {
        return new RegistryException(
                request, 404, RegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }

    private static RegistryException versionNotFound(String request, int number) {
        return new RegistryException(
                request, 404, RegistryException.VERSION_NOT_FOUND, "Version " + number + " not found.");
    }

    @Override
    public String toString() {
        return "InMemorySchemaRegistry[" + name + "]";
    }
}
