package io.visionstream.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority and the key stores a TLS test needs, made at test time with the JDK's own {@code
 * keytool} (run as a process): nothing is committed, every password is random.
 *
 * <ul>
 *   <li>a CA (RSA 2048, {@code CN=visionstream-test-ca}) whose certificate alone is in {@link #truststore()};
 *   <li>{@link #brokerKeystore()}: {@code CN=localhost}, SAN {@code dns:localhost, ip:127.0.0.1}, signed by the
 *       CA, for server and client authentication (brokers also connect to each other);
 *   <li>{@link #clientKeystore()}: {@code CN=vision-client}, signed by the CA, for client authentication;
 *   <li>{@link #strangerKeystore()}: {@code CN=vision-client} too, but self-signed: a certificate no broker
 *       trusts.
 * </ul>
 *
 * <p>Stores are PKCS12, each with one password that is also its key's password (PKCS12 has one). Valid
 * for two days. Immutable once made.
 */
public final class TestCertificates {

    /** A key or trust store file and its password; {@link #toString()} never shows the password. */
    public record Store(Path path, String password) {
        @Override
        public String toString() {
            return "Store[" + path + "]";
        }
    }

    private static final String VALIDITY_DAYS = "2";
    /** Every key pair's algorithm, size, validity and store type. */
    private static final String KEY = "-keyalg RSA -keysize 2048 -validity " + VALIDITY_DAYS + " -storetype PKCS12";

    private final Store truststore;
    private final Store brokerKeystore;
    private final Store clientKeystore;
    private final Store strangerKeystore;

    private TestCertificates(Store truststore, Store brokerKeystore, Store clientKeystore, Store strangerKeystore) {
        this.truststore = truststore;
        this.brokerKeystore = brokerKeystore;
        this.clientKeystore = clientKeystore;
        this.strangerKeystore = strangerKeystore;
    }

    /**
     * Makes the CA and the stores in {@code dir} (created if absent; existing files of the same names are
     * replaced). Takes some seconds: every step is a {@code keytool} process.
     *
     * @throws IllegalStateException if a {@code keytool} step fails; its output is in the message
     */
    public static TestCertificates create(Path dir) {
        try {
            Files.createDirectories(dir);
            for (String name : List.of("ca.p12", "ca.pem", "truststore.p12", "stranger.p12")) {
                Files.deleteIfExists(dir.resolve(name));
            }
            for (String name : List.of("broker", "client")) {
                for (String suffix : List.of(".p12", ".csr", ".pem")) {
                    Files.deleteIfExists(dir.resolve(name + suffix));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir + " for certificates", e);
        }
        Store ca = new Store(dir.resolve("ca.p12"), password());
        keytool(dir, "-genkeypair -alias ca -dname CN=visionstream-test-ca -ext bc:c " + KEY, ca);
        keytool(dir, "-exportcert -rfc -alias ca -file ca.pem", ca);
        Store truststore = new Store(dir.resolve("truststore.p12"), password());
        keytool(dir, "-importcert -noprompt -alias ca -file ca.pem -storetype PKCS12", truststore);
        // The three key pairs need only the CA: make them side by side, each keytool step is a JVM start.
        CompletableFuture<Store> broker = CompletableFuture.supplyAsync(
                () -> signed(dir, ca, "broker", "CN=localhost", " -ext SAN=dns:localhost,ip:127.0.0.1"));
        CompletableFuture<Store> client =
                CompletableFuture.supplyAsync(() -> signed(dir, ca, "client", "CN=vision-client", ""));
        Store stranger = new Store(dir.resolve("stranger.p12"), password());
        keytool(dir, "-genkeypair -alias stranger -dname CN=vision-client " + KEY, stranger);
        try {
            return new TestCertificates(truststore, broker.join(), client.join(), stranger);
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** A key pair whose certificate the CA signs, stored with the chain (its certificate, then the CA's). */
    private static Store signed(Path dir, Store ca, String name, String dname, String extensions) {
        Store store = new Store(dir.resolve(name + ".p12"), password());
        keytool(dir, "-genkeypair -alias " + name + " -dname " + dname + " " + KEY, store);
        keytool(dir, "-certreq -alias " + name + " -file " + name + ".csr", store);
        keytool(
                dir,
                "-gencert -rfc -alias ca -validity " + VALIDITY_DAYS + " -infile " + name + ".csr -outfile " + name
                        + ".pem -ext EKU=serverAuth,clientAuth" + extensions,
                ca);
        // The reply is the signed certificate followed by the CA's: keytool installs it as the key's chain.
        try {
            Files.writeString(
                    dir.resolve(name + ".pem"),
                    Files.readString(dir.resolve("ca.pem"), StandardCharsets.US_ASCII),
                    StandardCharsets.US_ASCII,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append the CA certificate to " + name + ".pem", e);
        }
        keytool(dir, "-importcert -noprompt -alias " + name + " -file " + name + ".pem", store);
        return store;
    }

    private static String password() {
        return "pw-" + UUID.randomUUID();
    }

    /**
     * Runs {@code keytool <args> -keystore <store> -storepass <password>} in {@code dir}; {@code args} are
     * separated by single spaces and hold none inside a value.
     */
    private static void keytool(Path dir, String args, Store store) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args.split(" ")));
        command.addAll(List.of("-keystore", store.path().toString(), "-storepass", store.password()));
        String step = command.get(1);
        try {
            Process process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool " + step + " did not finish within 60 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(
                        "keytool " + step + " failed with status " + process.exitValue() + ": " + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }

    /** The CA's certificate: what every broker and client here trusts. */
    public Store truststore() {
        return truststore;
    }

    /** The brokers' key and certificate ({@code CN=localhost}, SAN localhost and 127.0.0.1). */
    public Store brokerKeystore() {
        return brokerKeystore;
    }

    /** A client's key and certificate ({@code CN=vision-client}), signed by the CA. */
    public Store clientKeystore() {
        return clientKeystore;
    }

    /** A client's key and a self-signed certificate: same name as {@link #clientKeystore()}, trusted by nobody. */
    public Store strangerKeystore() {
        return strangerKeystore;
    }

    /** Client settings that trust the CA: {@code ssl.truststore.*}. */
    public Map<String, String> trustSettings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("ssl.truststore.type", "PKCS12");
        s.put("ssl.truststore.location", truststore.path().toString());
        s.put("ssl.truststore.password", truststore.password());
        return s;
    }

    /** Client settings that present {@code store}'s certificate: {@code ssl.keystore.*} and {@code ssl.key.password}. */
    public static Map<String, String> keySettings(Store store) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("ssl.keystore.type", "PKCS12");
        s.put("ssl.keystore.location", store.path().toString());
        s.put("ssl.keystore.password", store.password());
        s.put("ssl.key.password", store.password());
        return s;
    }

    /** Every password here, for tests that search output for leaks. */
    public List<String> passwords() {
        return List.of(
                truststore.password(),
                brokerKeystore.password(),
                clientKeystore.password(),
                strangerKeystore.password());
    }
}
