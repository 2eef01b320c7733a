package io.visionstream.topology.processing;

import io.visionstream.schemas.avro.DeadLetter;
import io.visionstream.schemas.avro.Embedding;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.avro.SegmentationMask;
import io.visionstream.schemas.serde.AvroSerializer;
import io.visionstream.schemas.serde.SerializationFailure;
import io.visionstream.topology.config.VisionConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * The processor's output schemas, resolved against the schema registry before Kafka Streams starts. Each
 * topic the processor publishes to gets the schema id its records will carry, found with the same
 * settings and in the same way as the topology's serializers find it: registered when {@code
 * auto.register.schemas} is on, otherwise the subject's latest schema or a lookup. A registry that refuses
 * the credentials, holds an incompatible schema under one of the subjects, lacks a schema that had to be
 * registered beforehand, or cannot be reached within the client's retries ({@code max.retries}) then
 * stops the start with the topic and the reason, instead of stopping the processor at its first batch.
 * The serializers resolve the ids again on their first record (each keeps its own cache).
 */
public final class OutputSchemas {

    private OutputSchemas() {}

    /**
     * @param publishMasks whether segmentation masks are published (masks enabled and the model has a
     *     dense head), as {@link VisionTopology} decides
     * @return output topic to schema id, in the order predictions, embeddings, masks, dead letters
     * @throws IllegalStateException naming the topic when the registry cannot take one of the schemas
     */
    public static Map<String, Integer> resolve(VisionConfig config, boolean publishMasks) {
        Map<String, Schema> outputs = new LinkedHashMap<>();
        outputs.put(config.topics().predictions(), Prediction.getClassSchema());
        if (config.embeddingsEnabled()) {
            outputs.put(config.topics().embeddings(), Embedding.getClassSchema());
        }
        if (publishMasks) {
            outputs.put(config.topics().masks(), SegmentationMask.getClassSchema());
        }
        outputs.put(config.topics().deadLetters(), DeadLetter.getClassSchema());

        Map<String, Integer> ids = new LinkedHashMap<>();
        try (AvroSerializer<IndexedRecord> serializer = new AvroSerializer<>()) {
            serializer.configure(new LinkedHashMap<>(config.schemaRegistry()), false);
            for (Map.Entry<String, Schema> output : outputs.entrySet()) {
                try {
                    ids.put(output.getKey(), serializer.schemaIdFor(output.getKey(), output.getValue()));
                } catch (SerializationFailure e) {
                    throw new IllegalStateException(
                            "the schema registry cannot take the records of output topic '" + output.getKey() + "'", e);
                }
            }
        }
        return ids;
    }
}
