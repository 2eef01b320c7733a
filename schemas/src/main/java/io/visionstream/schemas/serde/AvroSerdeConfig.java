package io.visionstream.schemas.serde;

import io.visionstream.schemas.registry.ConfigValues;
import io.visionstream.schemas.registry.InvalidConfigException;
import io.visionstream.schemas.registry.RegistryClientConfig;
import java.util.Map;
import java.util.Objects;

/**
 * Configuration of one serializer or deserializer, read from Confluent's keys.
 *
 * <table>
 *   <caption>Configuration keys (besides the registry's, see {@link RegistryClientConfig})</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code auto.register.schemas}</td><td>true</td><td>the serializer registers the record's
 *       schema under its subject</td></tr>
 *   <tr><td>{@code use.latest.version}</td><td>false</td><td>with auto-registration off, the serializer
 *       writes with the subject's latest schema (the record is resolved into it) instead of looking up the
 *       record's own schema</td></tr>
 *   <tr><td>{@code key.subject.name.strategy}</td><td>TopicNameStrategy</td><td>see {@link
 *       SubjectNameStrategy}</td></tr>
 *   <tr><td>{@code value.subject.name.strategy}</td><td>TopicNameStrategy</td><td>see {@link
 *       SubjectNameStrategy}</td></tr>
 * </table>
 *
 * @param registry how to reach the registry
 * @param isKey whether this serde handles record keys (subject suffix {@code -key}) or values
 * @param autoRegister the value of {@code auto.register.schemas}
 * @param useLatestVersion the value of {@code use.latest.version}; never true together with autoRegister
 * @param subjectNameStrategy the strategy for keys or values, as {@code isKey} says
 */
public record AvroSerdeConfig(
        RegistryClientConfig registry,
        boolean isKey,
        boolean autoRegister,
        boolean useLatestVersion,
        SubjectNameStrategy subjectNameStrategy) {

    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";

    public AvroSerdeConfig {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(subjectNameStrategy, "subjectNameStrategy");
        if (autoRegister && useLatestVersion) {
            // Confluent's serializer silently lets auto-registration win; a config asking for both is a mistake.
            throw new InvalidConfigException(
                    USE_LATEST_VERSION, "true needs " + AUTO_REGISTER_SCHEMAS + "=false, but it is true");
        }
    }

    /**
     * Reads a Kafka-style configuration map.
     *
     * @throws InvalidConfigException naming the key of the first missing or malformed value
     */
    public static AvroSerdeConfig fromMap(Map<String, ?> config, boolean isKey) {
        String strategyKey = isKey ? KEY_SUBJECT_NAME_STRATEGY : VALUE_SUBJECT_NAME_STRATEGY;
        String strategy = ConfigValues.string(config, strategyKey);
        return new AvroSerdeConfig(
                RegistryClientConfig.fromMap(config),
                isKey,
                ConfigValues.bool(config, AUTO_REGISTER_SCHEMAS, true),
                ConfigValues.bool(config, USE_LATEST_VERSION, false),
                strategy == null ? SubjectNameStrategy.TOPIC_NAME : SubjectNameStrategy.parse(strategyKey, strategy));
    }

    /** The subject for a record of {@code schema} on {@code topic}. */
    public String subject(String topic, org.apache.avro.Schema schema) {
        return subjectNameStrategy.subject(topic, isKey, schema);
    }
}
