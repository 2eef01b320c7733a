package io.visionstream.topology;

import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.topology.topics.TopicSetup;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Creates test topics on an embedded cluster the way the processor creates its own: through {@link
 * TopicSetup#createIfAbsent}, which returns only once every partition's leader serves it.
 */
public final class KafkaTopics {
    private KafkaTopics() {}

    /**
     * Creates {@code name} with the cluster's replication factor (1 or 3); an existing topic is left as it
     * is.
     *
     * @param topicConfig topic-level settings such as {@code max.message.bytes}
     */
    public static void create(
            EmbeddedKafkaCluster kafka, String name, int partitions, Map<String, String> topicConfig) {
        try (Admin admin = kafka.admin()) {
            TopicSetup.createIfAbsent(
                    admin,
                    List.of(new NewTopic(
                                    name, partitions, (short) kafka.settings().brokers())
                            .configs(topicConfig)));
        }
    }
}
