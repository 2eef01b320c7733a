package io.visionstream.topology.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaClusterSettingsTest {

    @Test
    void refusesBrokerCountsOtherThanOneOrThree() {
        assertThatThrownBy(() -> new EmbeddedKafkaCluster.Settings(2, 8 << 20, Map.of(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("brokers must be 1 or 3, got 2");
    }

    @Test
    void refusesMessageSizeBelowKafkasDefault() {
        assertThatThrownBy(() -> EmbeddedKafkaCluster.Settings.singleBroker(1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("messageMaxBytes must be at least 1048576 (Kafka's default), got 1000");
    }

    @Test
    void copiesExtraBrokerConfigSoCallersCannotChangeItLater() {
        var extra = new java.util.HashMap<String, String>(Map.of("log.retention.ms", "1000"));
        var settings = new EmbeddedKafkaCluster.Settings(1, 8 << 20, extra, Optional.empty());
        extra.put("log.retention.ms", "5");
        assertThat(settings.extraBrokerConfig()).containsEntry("log.retention.ms", "1000");
    }
}
