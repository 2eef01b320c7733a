package io.visionstream.schemas.serde;

import io.visionstream.schemas.registry.AvroCompatibility;
import io.visionstream.schemas.registry.ConfigValues;
import io.visionstream.schemas.registry.InvalidConfigException;
import io.visionstream.schemas.registry.RegistryException;
import io.visionstream.schemas.registry.RegistryUnavailableException;
import io.visionstream.schemas.registry.SchemaRegistryClient;
import io.visionstream.schemas.registry.SchemaRegistryClients;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads records in the Confluent wire format: the writer schema is fetched from the registry by the id in
 * the header (cached) and resolved into the reader schema by Avro's rules.
 *
 * <p>Three kinds of reader: a fixed generated class ({@link #specific(Class, SchemaRegistryClient)}); the generated class named by the writer schema; or {@code GenericRecord}s in the
 * writer's own schema ({@link #generic}). Configured by class name (Kafka calls {@link #configure}), it
 * follows Confluent's keys: {@code specific.avro.reader} (default false: generic), and
 * {@code specific.avro.key.type} / {@code specific.avro.value.type} to fix the class.
 *
 * <p>{@code null} reads as {@code null} (a tombstone). Every failure is a {@link SerializationFailure}
 * naming topic and schema id. Thread-safe once configured.
 *
 * @param <T> the type returned
 */
public final class AvroDeserializer<T> implements Deserializer<T> {
    public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
    public static final String SPECIFIC_AVRO_KEY_TYPE = "specific.avro.key.type";
    public static final String SPECIFIC_AVRO_VALUE_TYPE = "specific.avro.value.type";

    /**
     * Chooses the reader schema and data model for a writer schema.
     *
     * @param fixedType the generated class to read into, or {@code null}
     * @param fromWriter with no fixed type: read into the generated class the writer schema names (true) or
     *     into generic records in the writer's schema (false)
     */
    private record ReaderChoice(Class<? extends SpecificRecord> fixedType, boolean fromWriter) {
        static final ReaderChoice GENERIC = new ReaderChoice(null, false);
        static final ReaderChoice FROM_WRITER = new ReaderChoice(null, true);
    }

    private ReaderChoice choice;
    private SchemaRegistryClient client;
    private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();

    /** For Kafka's configuration by class name; {@link #configure} must be called before use. */
    public AvroDeserializer() {}

    private AvroDeserializer(ReaderChoice choice, SchemaRegistryClient client) {
        this.choice = choice;
        this.client = Objects.requireNonNull(client, "client");
    }

    /** A deserializer that returns instances of the generated class {@code type}. */
    public static <T extends SpecificRecord> AvroDeserializer<T> specific(Class<T> type, SchemaRegistryClient client) {
        Objects.requireNonNull(type, "type");
        return new AvroDeserializer<>(new ReaderChoice(type, false), client);
    }

    /** A deserializer that returns {@code GenericRecord}s in each record's writer schema. */
    public static <T> AvroDeserializer<T> generic(SchemaRegistryClient client) {
        return new AvroDeserializer<>(ReaderChoice.GENERIC, client);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        AvroSerdeConfig config = AvroSerdeConfig.fromMap(configs, isKey);
        String typeKey = isKey ? SPECIFIC_AVRO_KEY_TYPE : SPECIFIC_AVRO_VALUE_TYPE;
        String typeName = ConfigValues.string(configs, typeKey);
        if (typeName != null) {
            this.choice = new ReaderChoice(specificClass(typeKey, typeName), false);
        } else if (ConfigValues.bool(configs, SPECIFIC_AVRO_READER, false)) {
            this.choice = ReaderChoice.FROM_WRITER;
        } else {
            this.choice = ReaderChoice.GENERIC;
        }
        this.client = SchemaRegistryClients.create(config.registry());
        readers.clear();
    }

    /**
     * @throws WrongMagicByteException when the first byte is not 0
     * @throws TruncatedPayloadException when the header or the Avro body is cut short
     * @throws UnknownSchemaIdException when the registry does not know the id
     * @throws IncompatibleSchemaException when the writer schema cannot be resolved into the reader's
     * @throws MalformedRecordException when the body is not valid Avro under the writer schema
     * @throws RegistryRejectedException for other registry errors
     * @throws RegistryUnreachableException when the registry cannot be reached
     */
    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (choice == null) {
            throw new IllegalStateException("AvroDeserializer used before configure()");
        }
        int id = WireFormat.schemaId(topic, data);
        DatumReader<T> reader = readers.computeIfAbsent(id, i -> newReader(topic, i));
        int bodyLength = data.length - WireFormat.HEADER_SIZE;
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, WireFormat.HEADER_SIZE, bodyLength, null);
        T value;
        try {
            // Avro allocates whatever a length prefix claims; bound every length by the body first.
            value = reader.read(null, new BoundedDecoder(decoder, bodyLength));
        } catch (EOFException e) {
            throw new TruncatedPayloadException(
                    topic,
                    id,
                    RegistryErrors.prefix(topic, id) + "the Avro body (" + bodyLength
                            + " bytes after the header) ends before the record is complete",
                    e);
        } catch (IOException | RuntimeException e) {
            // Garbage bytes surface from Avro as AvroRuntimeException, ArrayIndexOutOfBoundsException (bad
            // union or enum index) and others; each means the body is not this writer schema's encoding.
            throw new MalformedRecordException(
                    topic,
                    id,
                    RegistryErrors.prefix(topic, id) + "the Avro body is not a valid encoding under the writer schema: "
                            + e,
                    e);
        }
        try {
            if (!decoder.isEnd()) {
                throw new MalformedRecordException(
                        topic,
                        id,
                        RegistryErrors.prefix(topic, id) + "bytes are left over after the record (" + bodyLength
                                + " bytes after the header); the writer used another schema",
                        null);
            }
        } catch (IOException e) {
            throw new MalformedRecordException(topic, id, RegistryErrors.prefix(topic, id) + e, e);
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private DatumReader<T> newReader(String topic, int id) {
        Schema writer;
        try {
            writer = client.schemaById(id);
        } catch (RegistryException e) {
            // Only the registry's own code means the id is unknown; a bare 404 (say, a URL that points at
            // something other than a registry) is a configuration error, and must not dead-letter every record.
            if (e.errorCode() == RegistryException.SCHEMA_NOT_FOUND) {
                throw new UnknownSchemaIdException(topic, id, e);
            }
            throw new RegistryRejectedException(
                    topic,
                    id,
                    RegistryErrors.prefix(topic, id) + "could not fetch the writer schema: " + e.getMessage(),
                    e);
        } catch (RegistryUnavailableException e) {
            throw new RegistryUnreachableException(
                    topic,
                    id,
                    RegistryErrors.prefix(topic, id) + "could not fetch the writer schema: " + e.getMessage(),
                    e);
        }
        Class<? extends SpecificRecord> type = choice.fixedType() != null
                ? choice.fixedType()
                : choice.fromWriter() ? classOf(topic, id, writer) : null;
        if (type == null) {
            return (DatumReader<T>) GenericData.get().createDatumReader(writer, writer);
        }
        SpecificData model = SpecificData.getForClass(type);
        Schema reader = model.getSchema(type);
        List<String> problems = AvroCompatibility.readProblems(reader, writer);
        if (!problems.isEmpty()) {
            throw new IncompatibleSchemaException(
                    topic,
                    id,
                    RegistryErrors.prefix(topic, id) + "writer schema " + writer.getFullName()
                            + " cannot be resolved into reader " + type.getName() + ": " + problems,
                    null);
        }
        return (DatumReader<T>) model.createDatumReader(writer, reader);
    }

    private static Class<? extends SpecificRecord> classOf(String topic, int id, Schema writer) {
        Class<?> found = SpecificData.get().getClass(writer);
        if (found == null || !SpecificRecord.class.isAssignableFrom(found)) {
            throw new IncompatibleSchemaException(
                    topic,
                    id,
                    RegistryErrors.prefix(topic, id) + "no generated Avro class " + writer.getFullName()
                            + " on the class path to read the writer schema into",
                    null);
        }
        return found.asSubclass(SpecificRecord.class);
    }

    private static Class<? extends SpecificRecord> specificClass(String key, String name) {
        Class<?> found;
        try {
            found = Class.forName(name, true, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException e) {
            throw new InvalidConfigException(key, "class '" + name + "' not found");
        }
        if (!SpecificRecord.class.isAssignableFrom(found)) {
            throw new InvalidConfigException(key, "class '" + name + "' is not a generated Avro SpecificRecord");
        }
        return found.asSubclass(SpecificRecord.class);
    }

    @Override
    public void close() {
        // Nothing to release; see AvroSerializer#close.
    }
}
