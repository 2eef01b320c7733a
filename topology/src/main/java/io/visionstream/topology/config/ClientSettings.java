package io.visionstream.topology.config;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * What a plain client of the processor's topics needs ({@code ./vision produce}, {@code ./vision
 * consume}): the cluster, the schema registry, topic names, and Kafka client settings such as security.
 * Read from the same sources and with the same keys as {@link VisionConfig}; the processor's own settings
 * (model, batching) are accepted and ignored, so one file or environment serves both.
 *
 * @param bootstrapServers {@code bootstrap.servers}
 * @param topics topic names ({@code input.topic}, {@code predictions.topic}, ...)
 * @param maxFrameBytes {@code max.frame.bytes}, which sizes producer requests and consumer fetches
 * @param kafka Kafka client settings passed through (security, tuning)
 * @param schemaRegistry settings for the Avro serdes
 */
public record ClientSettings(
        String bootstrapServers,
        VisionConfig.Topics topics,
        int maxFrameBytes,
        Map<String, String> kafka,
        Map<String, Object> schemaRegistry) {

    /**
     * @throws ConfigException naming the first bad or unknown key
     */
    public static ClientSettings from(Map<String, String> settings) {
        // Validate everything through the processor's config; a model is not needed to produce or consume.
        Map<String, String> s = new HashMap<>(settings);
        s.putIfAbsent("model.dir", "(not used by clients)");
        VisionConfig c = VisionConfig.from(s);
        return new ClientSettings(
                c.bootstrapServers(),
                c.topics(),
                c.maxFrameBytes(),
                c.kafka(),
                new LinkedHashMap<>(c.schemaRegistry()));
    }

    public ClientSettings {
        kafka = Map.copyOf(kafka);
        schemaRegistry = Map.copyOf(schemaRegistry);
    }

    /** Every setting with secrets masked, as {@link VisionConfig#toString()} does. */
    @Override
    public String toString() {
        Map<String, String> all = new LinkedHashMap<>(kafka);
        schemaRegistry.forEach((k, v) -> all.put(k, String.valueOf(v)));
        all.put("bootstrap.servers", bootstrapServers);
        all.put("max.frame.bytes", String.valueOf(maxFrameBytes));
        return "ClientSettings[topics=" + topics + ", settings=" + Secrets.masked(all) + "]";
    }

    /** Properties for a producer or consumer: bootstrap servers, then pass-through settings, then {@code extra}. */
    public Properties clientProperties(Map<String, Object> extra) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        props.putAll(kafka);
        props.putAll(extra);
        return props;
    }
}
