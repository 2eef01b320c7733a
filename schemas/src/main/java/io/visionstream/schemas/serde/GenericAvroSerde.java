package io.visionstream.schemas.serde;

import io.visionstream.schemas.registry.SchemaRegistryClient;
import io.visionstream.schemas.registry.SchemaRegistryClients;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde of {@link GenericRecord}s in the Confluent wire format; records are read in their writer's schema
 * (timestamps as {@code long} milliseconds). Interchangeable with Confluent's {@code GenericAvroSerde}.
 * Thread-safe once configured.
 */
public final class GenericAvroSerde implements Serde<GenericRecord> {
    private AvroSerializer<GenericRecord> serializer;
    private AvroDeserializer<GenericRecord> deserializer;

    /** {@link #configure} must be called before use. */
    public GenericAvroSerde() {}

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        AvroSerdeConfig config = AvroSerdeConfig.fromMap(configs, isKey);
        SchemaRegistryClient client = SchemaRegistryClients.create(config.registry());
        this.serializer = new AvroSerializer<>(config, client);
        this.deserializer = AvroDeserializer.generic(client);
    }

    @Override
    public Serializer<GenericRecord> serializer() {
        if (serializer == null) {
            throw new IllegalStateException("GenericAvroSerde used before configure()");
        }
        return serializer;
    }

    @Override
    public Deserializer<GenericRecord> deserializer() {
        if (deserializer == null) {
            throw new IllegalStateException("GenericAvroSerde used before configure()");
        }
        return deserializer;
    }
}
