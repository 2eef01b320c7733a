package io.visionstream.topology.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SecretsTest {

    /** Every setting Kafka 4.2's clients and Kafka Streams define as a password (and print as [hidden]). */
    private static final List<String> KAFKA_PASSWORDS = List.of(
            "sasl.jaas.config",
            "sasl.oauthbearer.assertion.private.key.passphrase",
            "sasl.oauthbearer.client.credentials.client.secret",
            "ssl.key.password",
            "ssl.keystore.certificate.chain",
            "ssl.keystore.key",
            "ssl.keystore.password",
            "ssl.truststore.certificates",
            "ssl.truststore.password");

    @Test
    void everySettingKafkaTreatsAsAPasswordIsSecretAlsoUnderAClientPrefix() {
        Set<String> shown = new TreeSet<>();
        for (String key : KAFKA_PASSWORDS) {
            for (String prefix : List.of(
                    "",
                    "producer.",
                    "consumer.",
                    "main.consumer.",
                    "restore.consumer.",
                    "global.consumer.",
                    "admin.")) {
                if (!Secrets.isSecret(prefix + key)) {
                    shown.add(prefix + key);
                }
            }
        }
        assertThat(shown).isEmpty();
    }

    @Test
    void theSchemaRegistrysSecretsAreSecret() {
        assertThat(Secrets.isSecret("basic.auth.user.info")).isTrue();
        assertThat(Secrets.isSecret("schema.registry.basic.auth.user.info")).isTrue();
        assertThat(Secrets.isSecret("schema.registry.ssl.truststore.password")).isTrue();
        assertThat(Secrets.isSecret("schema.registry.ssl.key.password")).isTrue();
        assertThat(Secrets.isSecret("bearer.auth.token")).isTrue();
    }

    @Test
    void ordinarySettingsAreNotSecret() {
        assertThat(Secrets.isSecret("bootstrap.servers")).isFalse();
        assertThat(Secrets.isSecret("security.protocol")).isFalse();
        assertThat(Secrets.isSecret("sasl.mechanism")).isFalse();
        assertThat(Secrets.isSecret("ssl.truststore.location")).isFalse();
        assertThat(Secrets.isSecret("basic.auth.credentials.source")).isFalse();
        assertThat(Secrets.isSecret("max.batch.size")).isFalse();
    }

    @Test
    void userInfoInAUrlIsMaskedAndTheRestOfTheUrlKept() {
        assertThat(Secrets.masked(
                        Map.of("schema.registry.url", "http://svc:s3cret@sr-1:8081,https://svc:s3cret@sr-2:8081/path")))
                .containsExactly(
                        Map.entry("schema.registry.url", "http://[hidden]@sr-1:8081,https://[hidden]@sr-2:8081/path"));
    }

    @Test
    void aUrlWithoutUserInfoIsUnchanged() {
        assertThat(Secrets.masked(Map.of("schema.registry.url", "http://sr:8081", "x", "a@b")))
                .containsEntry("schema.registry.url", "http://sr:8081")
                .containsEntry("x", "a@b");
    }
}
