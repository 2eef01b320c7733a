package io.visionstream.schemas.registry;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.avro.Schema;

/**
 * Caches the answers of another client that never change: id to schema, (subject, schema) to id (both
 * from registration and from look-up), and (subject, version number) to schema. The {@code latest} version
 * of a subject changes, so it is cached only for {@code latestTtl} (negative: forever; zero: never).
 * Compatibility checks are never cached. Failures are not cached. Thread-safe; two threads missing the
 * cache at once may both ask the registry, which is harmless.
 */
public final class CachingSchemaRegistryClient implements SchemaRegistryClient {
    private final SchemaRegistryClient delegate;
    private final Duration latestTtl;
    private final LongSupplier nanoClock;
    private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idBySubjectSchema = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, RegisteredSchema> lookups = new ConcurrentHashMap<>();
    private final Map<SubjectVersion, RegisteredSchema> versions = new ConcurrentHashMap<>();
    private final Map<String, Timed> latest = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {}

    private record SubjectVersion(String subject, String version) {}

    private record Timed(RegisteredSchema value, long fetchedAtNanos) {}

    public CachingSchemaRegistryClient(SchemaRegistryClient delegate, Duration latestTtl) {
        this(delegate, latestTtl, System::nanoTime);
    }

    CachingSchemaRegistryClient(SchemaRegistryClient delegate, Duration latestTtl, LongSupplier nanoClock) {
        this.delegate = delegate;
        this.latestTtl = latestTtl;
        this.nanoClock = nanoClock;
    }

    @Override
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = idBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        int id = delegate.register(subject, schema);
        idBySubjectSchema.put(key, id);
        schemaById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public Schema schemaById(int id) {
        Schema cached = schemaById.get(id);
        if (cached != null) {
            return cached;
        }
        Schema schema = delegate.schemaById(id);
        schemaById.put(id, schema);
        return schema;
    }

    @Override
    public RegisteredSchema version(String subject, String version) {
        if (LATEST.equals(version)) {
            return latest(subject);
        }
        SubjectVersion key = new SubjectVersion(subject, version);
        RegisteredSchema cached = versions.get(key);
        if (cached != null) {
            return cached;
        }
        RegisteredSchema found = delegate.version(subject, version);
        remember(found);
        return found;
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        RegisteredSchema cached = lookups.get(key);
        if (cached != null) {
            return cached;
        }
        RegisteredSchema found = delegate.lookup(subject, schema);
        lookups.put(key, found);
        idBySubjectSchema.put(key, found.id());
        schemaById.putIfAbsent(found.id(), found.schema());
        return found;
    }

    @Override
    public CompatibilityResult testCompatibility(String subject, String version, Schema schema) {
        return delegate.testCompatibility(subject, version, schema);
    }

    private RegisteredSchema latest(String subject) {
        long now = nanoClock.getAsLong();
        Timed cached = latest.get(subject);
        if (cached != null && (latestTtl.isNegative() || now - cached.fetchedAtNanos() < latestTtl.toNanos())) {
            return cached.value();
        }
        RegisteredSchema found = delegate.version(subject, LATEST);
        if (!latestTtl.isZero()) {
            latest.put(subject, new Timed(found, now));
        }
        remember(found);
        return found;
    }

    private void remember(RegisteredSchema found) {
        versions.put(new SubjectVersion(found.subject(), Integer.toString(found.version())), found);
        schemaById.putIfAbsent(found.id(), found.schema());
    }

    @Override
    public String toString() {
        return "CachingSchemaRegistryClient[" + delegate + "]";
    }
}
