package io.visionstream.schemas.serde;

import io.visionstream.schemas.avro.DeadLetter;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * Entry point: configured serdes in the Confluent wire format. {@code config} takes Confluent's keys (see
 * {@link AvroSerdeConfig} and {@link io.visionstream.schemas.registry.RegistryClientConfig}); at least
 * {@code schema.registry.url}. Each call builds its own registry client and caches, except that {@code
 * mock://scope} URLs share one in-memory registry per scope.
 */
public final class AvroSerdes {
    private AvroSerdes() {}

    /**
     * A configured serde for the generated class {@code type}.
     *
     * @param isKey whether it serializes record keys (subject {@code <topic>-key}) or values
     * @throws io.visionstream.schemas.registry.InvalidConfigException naming the key of a missing or bad value
     */
    public static <T extends SpecificRecord> Serde<T> specific(Class<T> type, Map<String, ?> config, boolean isKey) {
        SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(type);
        serde.configure(config, isKey);
        return serde;
    }

    /** A configured serde of {@link GenericRecord}s. */
    public static Serde<GenericRecord> generic(Map<String, ?> config, boolean isKey) {
        GenericAvroSerde serde = new GenericAvroSerde();
        serde.configure(config, isKey);
        return serde;
    }

    /** The value serde of the dead-letter topic. */
    public static Serde<DeadLetter> deadLetter(Map<String, ?> config) {
        return specific(DeadLetter.class, config, false);
    }
}
