package io.visionstream.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.testkit.BrokerProcessCluster;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A broker whose client listener is SASL_SSL with SCRAM-SHA-512: TLS with the test CA's certificate, and a
 * SCRAM login. The brokers' own SCRAM user is written at format time; the client's user is added through
 * the admin API, as an operator would.
 */
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
class SaslSslScramIT extends TlsClusterScenario {

    private static final String USER = "vision";
    private final String password = "scram-pw-" + UUID.randomUUID();

    @Override
    String name() {
        return "sasl-ssl-scram";
    }

    @Override
    BrokerProcessCluster.Settings clusterSettings(Path directory) {
        return BrokerProcessCluster.Settings.oneNodeSaslSslScram(16 << 20, directory, certificates());
    }

    @Override
    void prepare(BrokerProcessCluster started) {
        started.addScramUser(USER, password);
    }

    @Override
    Map<String, String> clientSecurity() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("security.protocol", "SASL_SSL");
        s.put("sasl.mechanism", "SCRAM-SHA-512");
        s.put("sasl.jaas.config", BrokerProcessCluster.scramJaas(USER, password));
        s.putAll(certificates().trustSettings());
        return s;
    }

    @Override
    List<String> secrets() {
        List<String> all = super.secrets();
        all.add(password);
        all.add(((BrokerProcessCluster.Security.SaslSslScram) cluster.settings().security()).brokerPassword());
        return all;
    }

    @Test
    void aWrongScramPasswordStopsRunAtStartUpWithOneLine() throws Exception {
        String wrong = "not-" + password;
        Map<String, String> settings = settings("wrong-scram-password");
        settings.put("sasl.jaas.config", BrokerProcessCluster.scramJaas(USER, wrong));

        String line = runFailsWithOneLine(settings, wrong);

        assertThat(line)
                .isEqualTo("vision run: could not list topics: Authentication failed during authentication"
                        + " due to invalid credentials with SASL mechanism SCRAM-SHA-512");
    }

    @Test
    void aClientThatDoesNotTrustTheBrokersCertificateStopsRunAtStartUpWithOneLine() throws Exception {
        Map<String, String> settings = settings("untrusted-broker");
        settings.keySet().removeIf(key -> key.startsWith("ssl.truststore.")); // the JDK's CAs only

        String line = runFailsWithOneLine(settings);

        assertThat(line)
                .isEqualTo("vision run: could not list topics: SSL handshake failed: PKIX path building failed:"
                        + " sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid"
                        + " certification path to requested target");
    }
}
