package io.visionstream.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.testkit.BrokerProcessCluster;
import io.visionstream.testkit.TestCertificates;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A broker whose client listener is SSL with {@code ssl.client.auth=required}: every client presents a
 * certificate the test CA signed, and trusts the broker's. No SASL: the certificate is the identity.
 *
 * <p>A refused client certificate reaches the client as the broker's {@code bad_certificate} alert. Under TLS
 * 1.3 the client has usually finished its side of the handshake by then, and Kafka words it "Failed to
 * process post-handshake messages"; if the alert arrives earlier it is "SSL handshake failed". Both are
 * accepted, nothing else.
 */
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
class MutualTlsIT extends TlsClusterScenario {

    @Override
    String name() {
        return "mutual-tls";
    }

    @Override
    BrokerProcessCluster.Settings clusterSettings(Path directory) {
        return BrokerProcessCluster.Settings.oneNodeMutualTls(16 << 20, directory, certificates());
    }

    @Override
    Map<String, String> clientSecurity() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("security.protocol", "SSL");
        s.putAll(certificates().trustSettings());
        s.putAll(TestCertificates.keySettings(certificates().clientKeystore()));
        return s;
    }

    private static final String REFUSED_CERTIFICATE = "vision run: could not list topics: (SSL handshake failed"
            + "|Failed to process post-handshake messages: Received fatal alert: bad_certificate)";

    @Test
    void aCertificateTheCaDidNotSignStopsRunAtStartUpWithOneLine() throws Exception {
        Map<String, String> settings = settings("stranger");
        settings.putAll(TestCertificates.keySettings(certificates().strangerKeystore()));

        String line = runFailsWithOneLine(settings);

        assertThat(line).matches(REFUSED_CERTIFICATE);
    }

    @Test
    void aClientWithoutACertificateStopsRunAtStartUpWithOneLine() throws Exception {
        Map<String, String> settings = settings("no-certificate");
        settings.keySet().removeIf(key -> key.startsWith("ssl.keystore.") || key.equals("ssl.key.password"));

        String line = runFailsWithOneLine(settings);

        assertThat(line).matches(REFUSED_CERTIFICATE);
    }

    @Test
    void aWrongKeystorePasswordStopsRunAtStartUpWithOneLineThatDoesNotShowIt() throws Exception {
        String wrong = "not-" + certificates().clientKeystore().password();
        Map<String, String> settings = settings("wrong-keystore-password");
        settings.put("ssl.keystore.password", wrong);
        settings.put("ssl.key.password", wrong);

        String line = runFailsWithOneLine(settings, wrong);

        assertThat(line)
                .startsWith("vision run: Failed to create new KafkaAdminClient: Failed to create new NetworkClient:"
                        + " Failed to load SSL keystore "
                        + certificates().clientKeystore().path() + " of type PKCS12:"
                        + " keystore password was incorrect");
    }
}
