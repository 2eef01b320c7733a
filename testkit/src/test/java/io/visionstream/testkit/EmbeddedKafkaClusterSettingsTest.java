package io.visionstream.testkit;

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

    @Test
    void saslPlainMakesTheClientListenerSaslAndKeepsTheControllerListenerPlaintext() {
        var settings = EmbeddedKafkaCluster.Settings.singleBroker(8 << 20).withSaslPlain(Map.of("alice", "pw-a"));
        String brokerPassword = settings.saslPlain().orElseThrow().brokerPassword();

        assertThat(EmbeddedKafkaCluster.brokerConfig(settings))
                .containsEntry("listener.security.protocol.map", "EXTERNAL:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT")
                .containsEntry("sasl.enabled.mechanisms", "PLAIN")
                .containsEntry("sasl.mechanism.inter.broker.protocol", "PLAIN")
                .containsEntry(
                        "listener.name.external.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"embedded-broker\""
                                + " password=\"" + brokerPassword + "\" user_alice=\"pw-a\" user_embedded-broker=\""
                                + brokerPassword + "\";");
    }

    @Test
    void withoutSaslTheBrokerConfigHasNoSecurityProtocolMap() {
        assertThat(EmbeddedKafkaCluster.brokerConfig(EmbeddedKafkaCluster.Settings.singleBroker(8 << 20)))
                .doesNotContainKey("listener.security.protocol.map")
                .doesNotContainKey("sasl.enabled.mechanisms");
    }

    @Test
    void printedSettingsNameTheSaslUsersButNoPassword() {
        var settings = EmbeddedKafkaCluster.Settings.singleBroker(8 << 20).withSaslPlain(Map.of("alice", "pw-a"));
        assertThat(settings.toString())
                .contains("SaslPlain[users=[alice]]")
                .doesNotContain("pw-a")
                .doesNotContain(settings.saslPlain().orElseThrow().brokerPassword());
    }

    @Test
    void refusesAPasswordThatWouldBreakTheJaasConfig() {
        assertThatThrownBy(() -> EmbeddedKafkaCluster.SaslPlain.of(Map.of("alice", "a\"b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the password of SASL user alice must be non-empty, without \" or \\");
    }
}
