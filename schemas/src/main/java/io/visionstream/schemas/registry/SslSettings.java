package io.visionstream.schemas.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Trust and key stores for HTTPS to the registry, read with the JDK's own {@link KeyStore} and {@link
 * SSLContext}. When no store is configured the JDK default context is used (which honours {@code
 * javax.net.ssl.trustStore} and friends). Host names are always verified. {@link #toString()} never shows
 * a password.
 *
 * @param truststore path of the trust store, or {@code null} for the JDK's default trust
 * @param truststorePassword its password, or {@code null}
 * @param truststoreType its type, e.g. {@code PKCS12} or {@code JKS}
 * @param keystore path of the key store holding a client certificate (mutual TLS), or {@code null}
 * @param keystorePassword its password, or {@code null}
 * @param keystoreType its type
 * @param keyPassword password of the private key, or {@code null} to use the key store's password
 */
public record SslSettings(
        Path truststore,
        String truststorePassword,
        String truststoreType,
        Path keystore,
        String keystorePassword,
        String keystoreType,
        String keyPassword) {

    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    public static final String KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    public static final String KEY_PASSWORD = "schema.registry.ssl.key.password";

    /** No stores: the JDK's default SSL context. */
    public static final SslSettings JDK_DEFAULT = new SslSettings(null, null, "PKCS12", null, null, "PKCS12", null);

    public SslSettings {
        if (truststore != null && !Files.isReadable(truststore)) {
            throw new InvalidConfigException(TRUSTSTORE_LOCATION, "cannot read file '" + truststore + "'");
        }
        if (keystore != null && !Files.isReadable(keystore)) {
            throw new InvalidConfigException(KEYSTORE_LOCATION, "cannot read file '" + keystore + "'");
        }
    }

    /** Reads the {@code schema.registry.ssl.*} keys; {@link #JDK_DEFAULT} when none is set. */
    public static SslSettings fromMap(Map<String, ?> config) {
        String truststore = ConfigValues.string(config, TRUSTSTORE_LOCATION);
        String keystore = ConfigValues.string(config, KEYSTORE_LOCATION);
        if (truststore == null && keystore == null) {
            return JDK_DEFAULT;
        }
        return new SslSettings(
                truststore == null ? null : Path.of(truststore),
                ConfigValues.string(config, TRUSTSTORE_PASSWORD),
                orDefault(ConfigValues.string(config, TRUSTSTORE_TYPE), "PKCS12"),
                keystore == null ? null : Path.of(keystore),
                ConfigValues.string(config, KEYSTORE_PASSWORD),
                orDefault(ConfigValues.string(config, KEYSTORE_TYPE), "PKCS12"),
                ConfigValues.string(config, KEY_PASSWORD));
    }

    /**
     * Builds the SSL context.
     *
     * @throws InvalidConfigException naming the store's key when a store cannot be loaded
     */
    public SSLContext sslContext() {
        if (truststore == null && keystore == null) {
            try {
                return SSLContext.getDefault();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("The JDK has no default SSL context", e);
            }
        }
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(
                    truststore == null
                            ? null
                            : load(TRUSTSTORE_LOCATION, truststore, truststoreType, truststorePassword));
            KeyManagerFactory kmf = null;
            if (keystore != null) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                String keyPass = keyPassword != null ? keyPassword : keystorePassword;
                kmf.init(
                        load(KEYSTORE_LOCATION, keystore, keystoreType, keystorePassword),
                        keyPass == null ? new char[0] : keyPass.toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new InvalidConfigException(
                    keystore != null ? KEYSTORE_LOCATION : TRUSTSTORE_LOCATION,
                    "cannot build an SSL context: " + e.getMessage());
        }
    }

    private static KeyStore load(String key, Path path, String type, String password) {
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password == null ? null : password.toCharArray());
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new InvalidConfigException(key, "cannot load " + type + " store '" + path + "': " + e.getMessage());
        }
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }

    @Override
    public String toString() {
        return "SslSettings[truststore=" + truststore + ", truststoreType=" + truststoreType + ", keystore=" + keystore
                + ", keystoreType=" + keystoreType + ", passwords=****]";
    }
}
