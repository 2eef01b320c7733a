package io.visionstream.schemas.serde;

import io.visionstream.schemas.registry.SchemaRegistryClient;
import io.visionstream.schemas.registry.SchemaRegistryClients;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde of generated Avro classes in the Confluent wire format. Interchangeable with Confluent's {@code
 * io.confluent.kafka.streams.serdes.avro.SpecificAvroSerde}: same bytes, same subjects, same keys.
 *
 * <p>Built with a class ({@link AvroSerdes#specific}), it always reads into that class. Built by Kafka from
 * its class name ({@code default.value.serde}), it reads into the class named by {@code
 * specific.avro.value.type} ({@code specific.avro.key.type} for keys), or else into the generated class the
 * writer schema names. Thread-safe once configured.
 *
 * @param <T> the generated record class
 */
public final class SpecificAvroSerde<T extends SpecificRecord> implements Serde<T> {
    private final Class<T> type;
    private AvroSerializer<T> serializer;
    private AvroDeserializer<T> deserializer;

    /** For Kafka's configuration by class name; {@link #configure} must be called before use. */
    public SpecificAvroSerde() {
        this.type = null;
    }

    /** A serde for {@code type}; {@link #configure} must be called before use. */
    public SpecificAvroSerde(Class<T> type) {
        this.type = type;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        AvroSerdeConfig config = AvroSerdeConfig.fromMap(configs, isKey);
        SchemaRegistryClient client = SchemaRegistryClients.create(config.registry());
        this.serializer = new AvroSerializer<>(config, client);
        if (type != null) {
            this.deserializer = AvroDeserializer.specific(type, client);
        } else {
            AvroDeserializer<T> byName = new AvroDeserializer<>();
            Map<String, Object> withSpecific = new java.util.HashMap<>(configs);
            withSpecific.put(AvroDeserializer.SPECIFIC_AVRO_READER, "true");
            byName.configure(withSpecific, isKey);
            this.deserializer = byName;
        }
    }

    @Override
    public Serializer<T> serializer() {
        return requireConfigured(serializer);
    }

    @Override
    public Deserializer<T> deserializer() {
        return requireConfigured(deserializer);
    }

    private static <X> X requireConfigured(X part) {
        if (part == null) {
            throw new IllegalStateException("SpecificAvroSerde used before configure()");
        }
        return part;
    }
}
