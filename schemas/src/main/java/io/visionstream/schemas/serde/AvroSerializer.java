package io.visionstream.schemas.serde;

import io.visionstream.schemas.registry.AvroCompatibility;
import io.visionstream.schemas.registry.RegisteredSchema;
import io.visionstream.schemas.registry.SchemaRegistryClient;
import io.visionstream.schemas.registry.SchemaRegistryClients;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (generated specific classes or {@code GenericRecord}s) in the Confluent wire format.
 *
 * <p>The schema id comes from the registry, cached: with {@code auto.register.schemas} (default) the
 * record's schema is registered under its subject; with {@code use.latest.version} the subject's latest
 * schema is used and the record is resolved into it by Avro's rules; otherwise the record's schema must
 * already be registered under the subject. {@code null} is written as {@code null} (a tombstone).
 *
 * <p>Build it with {@link AvroSerdes}, or name this class in a Kafka config and let Kafka call {@link
 * #configure}. Thread-safe once configured.
 *
 * @param <T> the record type
 */
public final class AvroSerializer<T extends IndexedRecord> implements Serializer<T> {
    private AvroSerdeConfig config;
    private SchemaRegistryClient client;
    private final Map<SchemaPair, List<String>> projectionProblems = new ConcurrentHashMap<>();

    private record SchemaPair(Schema reader, Schema writer) {}

    /** For Kafka's configuration by class name; {@link #configure} must be called before use. */
    public AvroSerializer() {}

    public AvroSerializer(AvroSerdeConfig config, SchemaRegistryClient client) {
        this.config = Objects.requireNonNull(config, "config");
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.config = AvroSerdeConfig.fromMap(configs, isKey);
        this.client = SchemaRegistryClients.create(config.registry());
    }

    /**
     * @throws IncompatibleSchemaException when the registry refuses the schema (409), or the latest schema
     *     cannot read the record with {@code use.latest.version}
     * @throws RegistryRejectedException for other registry errors, e.g. the schema is not registered and
     *     auto-registration is off
     * @throws RegistryUnreachableException when the registry cannot be reached
     * @throws MalformedRecordException when the record breaks its own schema
     */
    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        requireConfigured();
        Schema schema = record.getSchema();
        String subject = config.subject(topic, schema);
        if (config.autoRegister()) {
            return encode(topic, register(topic, subject, schema), schema, record);
        }
        if (config.useLatestVersion()) {
            RegisteredSchema latest = latest(topic, subject);
            if (latest.schema().equals(schema)) {
                return encode(topic, latest.id(), schema, record);
            }
            return encode(topic, latest.id(), latest.schema(), project(topic, latest, record));
        }
        return encode(topic, lookup(topic, subject, schema).id(), schema, record);
    }

    /**
     * The schema id that records of {@code schema} sent to {@code topic} are written with, found as {@link
     * #serialize} finds it: registered, the subject's latest (which must be able to read {@code schema}), or
     * looked up. A producer calls it at start-up to learn of a registry it cannot use (refused
     * credentials, an incompatible subject, a schema that is not registered) before its first record.
     * Registers the schema when {@code auto.register.schemas} is on, as the first record would.
     *
     * @throws IncompatibleSchemaException as {@link #serialize} does
     * @throws RegistryRejectedException as {@link #serialize} does
     * @throws RegistryUnreachableException as {@link #serialize} does, after the client's retries
     */
    public int schemaIdFor(String topic, Schema schema) {
        Objects.requireNonNull(schema, "schema");
        requireConfigured();
        String subject = config.subject(topic, schema);
        if (config.autoRegister()) {
            return register(topic, subject, schema);
        }
        if (config.useLatestVersion()) {
            RegisteredSchema latest = latest(topic, subject);
            if (!latest.schema().equals(schema)) {
                requireReadable(topic, latest, schema);
            }
            return latest.id();
        }
        return lookup(topic, subject, schema).id();
    }

    private void requireConfigured() {
        if (config == null) {
            throw new IllegalStateException("AvroSerializer used before configure()");
        }
    }

    private int register(String topic, String subject, Schema schema) {
        return RegistryErrors.call(
                topic,
                null,
                "register schema " + schema.getFullName() + " under subject '" + subject + "'",
                () -> client.register(subject, schema));
    }

    private RegisteredSchema latest(String topic, String subject) {
        return RegistryErrors.call(
                topic,
                null,
                "get the latest schema of subject '" + subject + "'",
                () -> client.version(subject, SchemaRegistryClient.LATEST));
    }

    private RegisteredSchema lookup(String topic, String subject, Schema schema) {
        return RegistryErrors.call(
                topic,
                null,
                "find schema " + schema.getFullName() + " under subject '" + subject
                        + "' (auto.register.schemas is false)",
                () -> client.lookup(subject, schema));
    }

    /** Rewrites {@code record} as a generic record of {@code latest}'s schema, by Avro schema resolution. */
    private IndexedRecord project(String topic, RegisteredSchema latest, T record) {
        Schema own = record.getSchema();
        requireReadable(topic, latest, own);
        byte[] ownBytes = avroBytes(topic, latest.id(), own, record);
        try {
            return new GenericDatumReader<IndexedRecord>(own, latest.schema())
                    .read(null, DecoderFactory.get().binaryDecoder(ownBytes, null));
        } catch (IOException e) {
            throw new UncheckedIOException("Re-reading bytes just written in memory failed", e);
        }
    }

    private void requireReadable(String topic, RegisteredSchema latest, Schema own) {
        // Checked once per (latest schema, record schema): the check walks both schemas.
        List<String> problems = projectionProblems.computeIfAbsent(
                new SchemaPair(latest.schema(), own),
                pair -> AvroCompatibility.readProblems(pair.reader(), pair.writer()));
        if (!problems.isEmpty()) {
            throw new IncompatibleSchemaException(
                    topic,
                    latest.id(),
                    RegistryErrors.prefix(topic, latest.id()) + "use.latest.version: the latest schema (version "
                            + latest.version() + " of subject '" + latest.subject() + "') cannot read a record of "
                            + own.getFullName() + ": " + problems,
                    null);
        }
    }

    private static byte[] encode(String topic, int id, Schema writer, IndexedRecord record) {
        byte[] body = avroBytes(topic, id, writer, record);
        byte[] out = new byte[WireFormat.HEADER_SIZE + body.length];
        WireFormat.writeHeader(out, id);
        System.arraycopy(body, 0, out, WireFormat.HEADER_SIZE, body.length);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static byte[] avroBytes(String topic, int id, Schema writer, IndexedRecord record) {
        GenericData model =
                record instanceof SpecificRecord ? SpecificData.getForClass(record.getClass()) : GenericData.get();
        DatumWriter<Object> datumWriter = record instanceof SpecificRecord && writer.equals(record.getSchema())
                ? (DatumWriter<Object>) model.createDatumWriter(writer)
                : new GenericDatumWriter<>(writer, model);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        try {
            datumWriter.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("Writing to an in-memory stream failed", e);
        } catch (RuntimeException e) {
            // Avro reports a record that breaks its schema with NullPointerException, ClassCastException or
            // AvroRuntimeException; all mean the same thing to the caller.
            throw new MalformedRecordException(
                    topic,
                    id,
                    RegistryErrors.prefix(topic, id) + "record of "
                            + record.getSchema().getFullName() + " does not fit schema " + writer.getFullName() + ": "
                            + e,
                    e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        // The registry client holds no resource that needs closing (java.net.http.HttpClient in Java 17).
    }
}
