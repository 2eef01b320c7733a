package io.visionstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS to the registry with the JDK's TLS. The server certificate (for IP 127.0.0.1) is made by the JDK's
 * keytool when the test starts, so no key material is committed and nothing expires.
 */
class TlsRegistryTest {
    private static final String PASSWORD = "changeit";
    private static final Schema PING = SchemaBuilder.record("Ping")
            .namespace("test")
            .fields()
            .requiredInt("n")
            .endRecord();

    @TempDir
    static Path dir;

    private static RegistryFixture server;
    private static Path truststore;

    @BeforeAll
    static void start() throws Exception {
        Path keystore = dir.resolve("server.p12");
        truststore = dir.resolve("trust.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "registry",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "san=ip:127.0.0.1",
                "-validity",
                "2",
                "-keystore",
                keystore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD);
        // The trust store holds only the server's certificate; built here, since each keytool JVM is slow.
        KeyStore serverKeys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            serverKeys.load(in, PASSWORD.toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("registry", serverKeys.getCertificate("registry"));
        try (OutputStream out = Files.newOutputStream(truststore)) {
            trust.store(out, PASSWORD.toCharArray());
        }
        SSLContext serverTls = new SslSettings(null, null, "PKCS12", keystore, PASSWORD, "PKCS12", null).sslContext();
        server = RegistryFixture.start(1, Optional.empty(), Optional.of(serverTls));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void configuredTruststoreLetsTheClientTrustTheRegistry() {
        int id = server.preRegister("pings-value", PING.toString());
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(RegistryClientConfig.fromMap(Map.of(
                RegistryClientConfig.URL, server.url(),
                SslSettings.TRUSTSTORE_LOCATION, truststore.toString(),
                SslSettings.TRUSTSTORE_PASSWORD, PASSWORD)));
        assertThat(server.url()).startsWith("https://");
        assertThat(client.schemaById(id)).isEqualTo(PING);
    }

    @Test
    void jdkDefaultTrustRefusesAnUnknownCertificate() {
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(RegistryClientConfig.fromMap(
                Map.of(RegistryClientConfig.URL, server.url(), RegistryClientConfig.MAX_RETRIES, "0")));
        assertThatThrownBy(() -> client.schemaById(1))
                .isInstanceOf(RegistryUnavailableException.class)
                .hasMessageStartingWith(
                        "Schema Registry [" + server.url() + "] did not answer GET /schemas/ids/1 after 1"
                                + " attempts; last failure: " + server.url() + ": SSLHandshakeException")
                .hasCauseInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void wrongTruststorePasswordFailsNamingTheKey() {
        assertThatThrownBy(() -> new RestSchemaRegistryClient(RegistryClientConfig.fromMap(Map.of(
                        RegistryClientConfig.URL, server.url(),
                        SslSettings.TRUSTSTORE_LOCATION, truststore.toString(),
                        SslSettings.TRUSTSTORE_PASSWORD, "wrong"))))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("Invalid configuration 'schema.registry.ssl.truststore.location': cannot load"
                        + " PKCS12 store '" + truststore + "'");
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
