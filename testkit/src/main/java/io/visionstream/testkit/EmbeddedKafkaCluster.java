package io.visionstream.testkit;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.plain.PlainLoginModule;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A KRaft Kafka cluster of 1 or 3 brokers running in this JVM, built on Kafka's {@code
 * KafkaClusterTestKit}.
 *
 * <p>One broker runs as a single combined controller+broker node. Three brokers run beside one
 * dedicated controller, so that stopping a broker never costs the metadata quorum; internal topics then
 * use replication factor 3 with {@code min.insync.replicas=2}, as a production cluster would.
 *
 * <p>One broker can be stopped and started again ({@link #stopBroker}, {@link #startBroker}) to test
 * what clients do while a broker is away: it comes back with its id, its log directories and its
 * listener port, so the bootstrap list that clients were given stays valid throughout.
 *
 * <p>Not thread-safe for start/stop of the cluster or of a broker; {@link #bootstrapServers()} and
 * {@link #createTopics} may be called from any thread once started. Always close it
 * (try-with-resources): it owns threads, sockets and a temporary log directory that close deletes.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);
    private static final long ADMIN_TIMEOUT_SECONDS = 30;
    /** The test kit's name for the brokers' client listener. */
    private static final String CLIENT_LISTENER = "EXTERNAL";

    private final KafkaClusterTestKit kit;
    private final Settings settings;
    private final String bootstrapServers;

    /**
     * How to build the cluster.
     *
     * @param brokers number of brokers, 1 or 3
     * @param messageMaxBytes the broker's {@code message.max.bytes} and replica fetch size: the largest
     *     record batch it accepts. Image frames need this well above Kafka's 1 MiB default.
     * @param extraBrokerConfig any further broker settings, applied last
     * @param baseDirectory where logs live, or empty for a fresh temporary directory deleted on close
     * @param saslPlain SASL/PLAIN on the client listener, or empty for PLAINTEXT (the default)
     */
    public record Settings(
            int brokers,
            int messageMaxBytes,
            Map<String, String> extraBrokerConfig,
            Optional<Path> baseDirectory,
            Optional<SaslPlain> saslPlain) {
        public Settings {
            if (brokers != 1 && brokers != 3) {
                throw new IllegalArgumentException("brokers must be 1 or 3, got " + brokers);
            }
            if (messageMaxBytes < 1024 * 1024) {
                throw new IllegalArgumentException(
                        "messageMaxBytes must be at least 1048576 (Kafka's default), got " + messageMaxBytes);
            }
            extraBrokerConfig = Map.copyOf(extraBrokerConfig);
        }

        /** A PLAINTEXT cluster. */
        public Settings(
                int brokers, int messageMaxBytes, Map<String, String> extraBrokerConfig, Optional<Path> baseDirectory) {
            this(brokers, messageMaxBytes, extraBrokerConfig, baseDirectory, Optional.empty());
        }

        /** One broker that accepts record batches up to {@code messageMaxBytes}. */
        public static Settings singleBroker(int messageMaxBytes) {
            return new Settings(1, messageMaxBytes, Map.of(), Optional.empty());
        }

        /** Three brokers, replication factor 3 for internal topics, {@code min.insync.replicas=2}. */
        public static Settings threeBrokers(int messageMaxBytes) {
            return new Settings(3, messageMaxBytes, Map.of(), Optional.empty());
        }

        /** The same cluster with a client listener that accepts only {@code users} over SASL/PLAIN. */
        public Settings withSaslPlain(Map<String, String> users) {
            return new Settings(
                    brokers, messageMaxBytes, extraBrokerConfig, baseDirectory, Optional.of(SaslPlain.of(users)));
        }
    }

    /**
     * SASL/PLAIN on the client listener ({@code SASL_PLAINTEXT}); the controller listener stays PLAINTEXT.
     * Brokers talk to each other over the client listener as {@value #BROKER_USER}, whose password is made
     * up here; {@link #admin()} uses that user too. No authorizer runs: every authenticated user may do
     * everything.
     *
     * <p>Configured through listener-scoped broker settings ({@code
     * listener.name.external.plain.sasl.jaas.config}), not the test kit's own SASL mode, which sets the
     * JVM-wide {@code java.security.auth.login.config} property, has fixed passwords and turns on ACLs.
     *
     * @param users user name to password, the only client credentials the broker accepts. Names are
     *     letters, digits, {@code _} and {@code -}; passwords have no {@code "} or {@code \}.
     * @param brokerPassword the password of {@value #BROKER_USER}
     */
    public record SaslPlain(Map<String, String> users, String brokerPassword) {
        /** The user brokers and {@link #admin()} authenticate as. */
        public static final String BROKER_USER = "embedded-broker";

        public SaslPlain {
            users = Map.copyOf(users);
            if (users.isEmpty()) {
                throw new IllegalArgumentException("SASL/PLAIN needs at least one user");
            }
            if (users.containsKey(BROKER_USER)) {
                throw new IllegalArgumentException("user name " + BROKER_USER + " is reserved for the brokers");
            }
            users.forEach((user, password) -> {
                if (!user.matches("[A-Za-z0-9_-]+")) {
                    throw new IllegalArgumentException(
                            "SASL user names may hold only letters, digits, _ and -, got '" + user + "'");
                }
                requireJaasQuotable(user, password);
            });
            requireJaasQuotable(BROKER_USER, brokerPassword);
        }

        /** These users, and a random password for {@value #BROKER_USER}. */
        public static SaslPlain of(Map<String, String> users) {
            return new SaslPlain(users, UUID.randomUUID().toString());
        }

        private static void requireJaasQuotable(String user, String password) {
            if (password.isEmpty() || password.contains("\"") || password.contains("\\")) {
                throw new IllegalArgumentException(
                        "the password of SASL user " + user + " must be non-empty, without \" or \\");
            }
        }

        /** {@code sasl.jaas.config} for a client logging in as {@code user} with {@code password}. */
        public static String jaasConfig(String user, String password) {
            return PlainLoginModule.class.getName() + " required username=\"" + user + "\" password=\"" + password
                    + "\";";
        }

        /** Client settings that log in as {@value #BROKER_USER}. */
        Map<String, String> brokerClientSettings() {
            return Map.of(
                    CommonClientConfigs.SECURITY_PROTOCOL_CONFIG,
                    SecurityProtocol.SASL_PLAINTEXT.name,
                    SaslConfigs.SASL_MECHANISM,
                    "PLAIN",
                    SaslConfigs.SASL_JAAS_CONFIG,
                    jaasConfig(BROKER_USER, brokerPassword));
        }

        /** Broker settings: the listener's protocol and the users it accepts. */
        Map<String, String> brokerConfig() {
            // username/password: what a broker sends to other brokers; user_NAME: each login it accepts.
            Map<String, String> accepted = new TreeMap<>(users);
            accepted.put(BROKER_USER, brokerPassword);
            StringBuilder jaas = new StringBuilder(PlainLoginModule.class.getName())
                    .append(" required username=\"" + BROKER_USER + "\" password=\"" + brokerPassword + "\"");
            accepted.forEach((user, password) -> jaas.append(" user_" + user + "=\"" + password + "\""));
            jaas.append(';');
            Map<String, String> config = new LinkedHashMap<>();
            config.put("listener.security.protocol.map", CLIENT_LISTENER + ":SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
            config.put("sasl.enabled.mechanisms", "PLAIN");
            config.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
            config.put(
                    "listener.name." + CLIENT_LISTENER.toLowerCase(Locale.ROOT) + ".plain.sasl.jaas.config",
                    jaas.toString());
            return config;
        }

        /** Never shows a password. */
        @Override
        public String toString() {
            return "SaslPlain[users=" + new TreeMap<>(users).keySet() + "]";
        }
    }

    private EmbeddedKafkaCluster(KafkaClusterTestKit kit, Settings settings) {
        this.kit = kit;
        this.settings = settings;
        this.bootstrapServers = kit.bootstrapServers();
    }

    /**
     * Formats storage, starts every node and waits until all brokers are registered and unfenced.
     *
     * @throws IllegalStateException if the cluster does not come up; the partially started nodes are
     *     shut down first
     */
    public static EmbeddedKafkaCluster start(Settings settings) {
        long began = System.nanoTime();
        boolean combined = settings.brokers() == 1;
        TestKitNodes.Builder nodes = new TestKitNodes.Builder()
                .setCombined(combined)
                .setNumBrokerNodes(settings.brokers())
                .setNumControllerNodes(1);
        settings.baseDirectory().ifPresent(nodes::setBaseDirectory);
        KafkaClusterTestKit kit = null;
        try {
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes.build());
            brokerConfig(settings).forEach(builder::setConfigProp);
            builder.setDeleteOnClose(settings.baseDirectory().isEmpty());
            kit = builder.build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
        } catch (Exception e) {
            closeQuietlyAfterFailure(kit, e);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException(
                    "embedded Kafka cluster of " + settings.brokers() + " broker(s) failed to start: " + e.getMessage(),
                    e);
        }
        EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(kit, settings);
        log.info(
                "Embedded Kafka: {} broker(s) ready at {} in {} ms",
                settings.brokers(),
                cluster.bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
        return cluster;
    }

    /**
     * Broker settings as strings, which Kafka parses by its own config definitions. Internal topics get
     * one replica per broker; without that a single broker cannot host the consumer-offsets or
     * transaction-state topics, and groups and transactions hang with no error.
     */
    static Map<String, String> brokerConfig(Settings settings) {
        int replicas = settings.brokers();
        int minIsr = replicas == 1 ? 1 : 2;
        Map<String, String> config = new java.util.LinkedHashMap<>();
        config.put("offsets.topic.replication.factor", String.valueOf(replicas));
        config.put("offsets.topic.num.partitions", "5");
        config.put("transaction.state.log.replication.factor", String.valueOf(replicas));
        config.put("transaction.state.log.min.isr", String.valueOf(minIsr));
        config.put("transaction.state.log.num.partitions", "5");
        config.put("default.replication.factor", String.valueOf(replicas));
        config.put("min.insync.replicas", String.valueOf(minIsr));
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("auto.create.topics.enable", "false");
        config.put("message.max.bytes", String.valueOf(settings.messageMaxBytes()));
        config.put("replica.fetch.max.bytes", String.valueOf(settings.messageMaxBytes()));
        config.put("replica.fetch.response.max.bytes", String.valueOf(Math.max(settings.messageMaxBytes(), 10 << 20)));
        settings.saslPlain().ifPresent(sasl -> config.putAll(sasl.brokerConfig()));
        config.putAll(settings.extraBrokerConfig());
        return config;
    }

    private static void closeQuietlyAfterFailure(KafkaClusterTestKit kit, Exception cause) {
        if (kit == null) {
            return;
        }
        try {
            kit.close();
        } catch (Exception closeFailure) {
            cause.addSuppressed(closeFailure);
        }
    }

    /** {@code host:port,...} of every broker's client listener. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The node ids of the brokers, ascending. With three brokers these are not 0, 1, 2. */
    public List<Integer> brokerIds() {
        return kit.brokers().keySet().stream().sorted().toList();
    }

    /** Whether broker {@code brokerId} is up: started and not stopped or stopping. */
    public boolean isBrokerRunning(int brokerId) {
        return !broker(brokerId).isShutdown();
    }

    /**
     * Stops one broker with a controlled shutdown, as a rolling restart or an operator's SIGTERM would:
     * the broker asks the controller to move the leadership of its partitions to other in-sync replicas
     * and to drop it from their ISRs, then closes its listener and its logs. Returns when it is down.
     * Clients see its connections close and follow the new leaders; its partitions run under-replicated
     * until {@link #startBroker} brings it back.
     *
     * <p>The controller stays up (with three brokers it is a node of its own; with one broker it shares
     * the node, and stopping the only broker leaves the cluster with no broker at all).
     *
     * @throws IllegalArgumentException if there is no broker with that id
     * @throws IllegalStateException if it is already stopped
     */
    public void stopBroker(int brokerId) {
        BrokerServer broker = broker(brokerId);
        if (broker.isShutdown()) {
            throw new IllegalStateException("broker " + brokerId + " is already stopped");
        }
        long began = System.nanoTime();
        broker.shutdown();
        broker.awaitShutdown();
        log.info(
                "Embedded Kafka: broker {} stopped in {} ms",
                brokerId,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
    }

    /**
     * Starts a broker that {@link #stopBroker} stopped, with the same node id, log directories and
     * listener port (Kafka's test kit binds the port it had again), and waits until the controller has
     * registered and unfenced it and every broker's metadata lists it. Its replicas then catch up from
     * the leaders in the background: it rejoins each ISR once it has caught up.
     *
     * <p>This takes about {@code broker.session.timeout.ms} (9 s by default) after the stop, as for a
     * real broker: the controller refuses the new incarnation's registration (DUPLICATE_BROKER_REGISTRATION)
     * until the session of the previous one has expired, and the broker retries until then.
     *
     * @throws IllegalArgumentException if there is no broker with that id
     * @throws IllegalStateException if it is running, or does not come back
     */
    public void startBroker(int brokerId) {
        BrokerServer broker = broker(brokerId);
        if (!broker.isShutdown()) {
            throw new IllegalStateException("broker " + brokerId + " is running; stop it first");
        }
        long began = System.nanoTime();
        try {
            broker.startup();
            kit.waitForReadyBrokers();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting broker " + brokerId, e);
        } catch (Exception e) {
            throw new IllegalStateException("broker " + brokerId + " did not come back: " + e.getMessage(), e);
        }
        log.info(
                "Embedded Kafka: broker {} back at {} in {} ms",
                brokerId,
                bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
    }

    private BrokerServer broker(int brokerId) {
        BrokerServer broker = kit.brokers().get(brokerId);
        if (broker == null) {
            throw new IllegalArgumentException("no broker with id " + brokerId + "; the brokers are " + brokerIds());
        }
        return broker;
    }

    /** The settings this cluster was started with. */
    public Settings settings() {
        return settings;
    }

    /**
     * Client settings that authenticate as the brokers' own user ({@link SaslPlain#BROKER_USER}): empty for
     * a PLAINTEXT cluster.
     */
    public Map<String, String> clientSecurity() {
        return settings.saslPlain().map(SaslPlain::brokerClientSettings).orElse(Map.of());
    }

    /** A new admin client for this cluster; the caller closes it. */
    public Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.putAll(clientSecurity());
        return Admin.create(props);
    }

    /** Shuts every node down and deletes the temporary log directory (when one was created). */
    @Override
    public void close() {
        try {
            kit.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the embedded Kafka cluster", e);
        } catch (Exception e) {
            throw new IllegalStateException("embedded Kafka cluster did not shut down cleanly: " + e.getMessage(), e);
        }
    }
}
