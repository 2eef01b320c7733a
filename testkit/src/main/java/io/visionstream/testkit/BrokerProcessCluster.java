package io.visionstream.testkit;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.security.scram.ScramLoginModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A KRaft Kafka cluster whose nodes are JVMs of their own, started as an operator starts Kafka: storage
 * formatted by Kafka's own {@code kafka-storage format} ({@code kafka.tools.StorageTool}), then {@code java
 * -cp <this JVM's class path> kafka.Kafka server.properties}. A node can then die as a real one does:
 * {@link #kill} is SIGKILL, with no controlled shutdown, no flush and no goodbye to the controller, and
 * {@link #restart} starts it again on its old log directories and port, so it recovers its logs and
 * rejoins, which an in-process broker ({@link EmbeddedKafkaCluster}) cannot show.
 *
 * <p>Every node is a combined controller and broker ({@code process.roles=broker,controller}) with a static
 * voter set, as small production clusters run: with three nodes, a kill takes a quorum voter with it and
 * the other two keep the metadata quorum (and elect a new active controller when the dead one led it).
 * Three JVMs rather than four also matter on the two shared cores this runs on. Internal and default
 * topics get one replica per node and {@code min.insync.replicas=2} on three nodes.
 *
 * <p>The client listener is PLAINTEXT, SASL_SSL with SCRAM-SHA-512, or SSL with {@code
 * ssl.client.auth=required} ({@link Security}); brokers talk to each other over it as clients would. The
 * controller listener stays PLAINTEXT on loopback. No authorizer runs: every authenticated principal may do
 * everything.
 *
 * <p>Everything a node has lives under {@code <baseDirectory>/node-<id>/}: {@code server.properties}, the
 * log directory {@code data/}, and {@code broker.log} (its stdout and stderr, appended across restarts).
 * Nodes still running when this JVM exits are killed by a shutdown hook. Not thread-safe: one test drives
 * it; {@link #bootstrapServers()} may be read from any thread.
 */
public final class BrokerProcessCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BrokerProcessCluster.class);
    private static final String CLIENT_LISTENER = "CLIENT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** Exit status of a process killed by signal 9, as Java reports it. */
    public static final int SIGKILL_STATUS = 128 + 9;

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "kill-broker-processes"));
    }

    /** How clients, and brokers among themselves, authenticate on the client listener. */
    public sealed interface Security {
        /** PLAINTEXT: no encryption, no authentication. */
        record Plaintext() implements Security {}

        /**
         * SASL_SSL with SCRAM-SHA-512. Brokers authenticate as {@code brokerUser}, whose credential is written
         * at format time ({@code kafka-storage format --add-scram}); client users are added with {@link
         * #addScramUser}, through the admin API, as an operator would.
         */
        record SaslSslScram(TestCertificates certificates, String brokerUser, String brokerPassword)
                implements Security {
            @Override
            public String toString() {
                return "SaslSslScram[brokerUser=" + brokerUser + "]";
            }
        }

        /** SSL with {@code ssl.client.auth=required}: every client presents a certificate the CA signed. */
        record MutualTls(TestCertificates certificates) implements Security {}

        static Security plaintext() {
            return new Plaintext();
        }

        static Security saslSslScram(TestCertificates certificates) {
            return new SaslSslScram(certificates, "broker", "broker-pw-" + UUID.randomUUID());
        }

        static Security mutualTls(TestCertificates certificates) {
            return new MutualTls(certificates);
        }
    }

    /**
     * How to build the cluster.
     *
     * @param nodes 1 or 3 combined controller+broker nodes
     * @param messageMaxBytes the brokers' {@code message.max.bytes} and replica fetch size
     * @param extraBrokerConfig further broker settings, applied last
     * @param baseDirectory where nodes keep their settings, logs and data; emptied first
     * @param security the client listener's protocol
     */
    public record Settings(
            int nodes,
            int messageMaxBytes,
            Map<String, String> extraBrokerConfig,
            Path baseDirectory,
            Security security) {
        public Settings {
            if (nodes != 1 && nodes != 3) {
                throw new IllegalArgumentException("nodes must be 1 or 3, got " + nodes);
            }
            if (messageMaxBytes < 1024 * 1024) {
                throw new IllegalArgumentException(
                        "messageMaxBytes must be at least 1048576 (Kafka's default), got " + messageMaxBytes);
            }
            extraBrokerConfig = Map.copyOf(extraBrokerConfig);
        }

        /** Three PLAINTEXT nodes. */
        public static Settings threeNodes(int messageMaxBytes, Path baseDirectory) {
            return new Settings(3, messageMaxBytes, Map.of(), baseDirectory, Security.plaintext());
        }

        /** One node whose client listener is SASL_SSL with SCRAM-SHA-512. */
        public static Settings oneNodeSaslSslScram(int messageMaxBytes, Path baseDirectory, TestCertificates tls) {
            return new Settings(1, messageMaxBytes, Map.of(), baseDirectory, Security.saslSslScram(tls));
        }

        /** One node whose client listener is SSL and requires a client certificate. */
        public static Settings oneNodeMutualTls(int messageMaxBytes, Path baseDirectory, TestCertificates tls) {
            return new Settings(1, messageMaxBytes, Map.of(), baseDirectory, Security.mutualTls(tls));
        }
    }

    /** One node: its id, ports, directory and, while it runs, its process. */
    private static final class BrokerNode {
        final int id;
        final int clientPort;
        final int controllerPort;
        final Path dir;
        Process process;

        BrokerNode(int id, int clientPort, int controllerPort, Path dir) {
            this.id = id;
            this.clientPort = clientPort;
            this.controllerPort = controllerPort;
            this.dir = dir;
        }

        Path properties() {
            return dir.resolve("server.properties");
        }

        Path log() {
            return dir.resolve("broker.log");
        }

        boolean running() {
            return process != null && process.isAlive();
        }
    }

    private final Settings settings;
    private final Map<Integer, BrokerNode> nodes;
    private final String bootstrapServers;

    private BrokerProcessCluster(Settings settings, Map<Integer, BrokerNode> nodes) {
        this.settings = settings;
        this.nodes = nodes;
        this.bootstrapServers =
                nodes.values().stream().map(n -> "localhost:" + n.clientPort).collect(Collectors.joining(","));
    }

    /**
     * Formats every node's storage, starts every node, and waits until every broker is registered and
     * unfenced.
     *
     * @throws IllegalStateException if a node does not come up in time (its log's tail is in the message);
     *     nodes already started are killed first
     */
    public static BrokerProcessCluster start(Settings settings) {
        long began = System.nanoTime();
        ScratchDirectories.delete(settings.baseDirectory());
        Map<Integer, BrokerNode> nodes = new TreeMap<>();
        for (int id = 1; id <= settings.nodes(); id++) {
            nodes.put(
                    id,
                    new BrokerNode(
                            id, freePort(), freePort(), settings.baseDirectory().resolve("node-" + id)));
        }
        BrokerProcessCluster cluster = new BrokerProcessCluster(settings, nodes);
        try {
            String clusterId = Uuid.randomUuid().toString();
            cluster.writeLogConfig();
            for (BrokerNode node : nodes.values()) {
                cluster.writeProperties(node);
                cluster.format(node, clusterId);
            }
            for (BrokerNode node : nodes.values()) {
                cluster.launch(node);
            }
            cluster.awaitBrokers(nodes.keySet(), Duration.ofSeconds(120));
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        log.info(
                "Broker processes: {} node(s) ready at {} in {} ms",
                settings.nodes(),
                cluster.bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
        return cluster;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }

    /** The node's {@code server.properties}. */
    Map<String, String> serverProperties(BrokerNode node) {
        int n = settings.nodes();
        int minIsr = n == 1 ? 1 : 2;
        Map<String, String> c = new LinkedHashMap<>();
        c.put("process.roles", "broker,controller");
        c.put("node.id", String.valueOf(node.id));
        c.put(
                "controller.quorum.voters",
                nodes.values().stream()
                        .map(v -> v.id + "@localhost:" + v.controllerPort)
                        .collect(Collectors.joining(",")));
        c.put(
                "listeners",
                CLIENT_LISTENER + "://localhost:" + node.clientPort + "," + CONTROLLER_LISTENER + "://localhost:"
                        + node.controllerPort);
        c.put("advertised.listeners", CLIENT_LISTENER + "://localhost:" + node.clientPort);
        c.put("inter.broker.listener.name", CLIENT_LISTENER);
        c.put("controller.listener.names", CONTROLLER_LISTENER);
        c.put(
                "listener.security.protocol.map",
                CLIENT_LISTENER + ":" + protocol() + "," + CONTROLLER_LISTENER + ":PLAINTEXT");
        c.put("log.dirs", node.dir.resolve("data").toString());
        c.put("num.partitions", "1");
        c.put("offsets.topic.replication.factor", String.valueOf(n));
        c.put("offsets.topic.num.partitions", "5");
        c.put("transaction.state.log.replication.factor", String.valueOf(n));
        c.put("transaction.state.log.min.isr", String.valueOf(minIsr));
        c.put("transaction.state.log.num.partitions", "5");
        c.put("default.replication.factor", String.valueOf(n));
        c.put("min.insync.replicas", String.valueOf(minIsr));
        c.put("unclean.leader.election.enable", "false");
        c.put("group.initial.rebalance.delay.ms", "0");
        c.put("auto.create.topics.enable", "false");
        c.put("message.max.bytes", String.valueOf(settings.messageMaxBytes()));
        c.put("replica.fetch.max.bytes", String.valueOf(settings.messageMaxBytes()));
        c.put("replica.fetch.response.max.bytes", String.valueOf(Math.max(settings.messageMaxBytes(), 10 << 20)));
        // A killed node is fenced, and its partitions get new leaders, once its session expires: 6 s, not 9.
        c.put("broker.session.timeout.ms", "6000");
        c.put("broker.heartbeat.interval.ms", "1000");
        // Threads for a test's load, not a production one's: these JVMs share two cores.
        c.put("num.network.threads", "2");
        c.put("num.io.threads", "2");
        c.put("num.replica.fetchers", "1");
        c.put("background.threads", "2");
        c.put("log.cleaner.threads", "1");
        c.put("num.recovery.threads.per.data.dir", "1");
        c.putAll(securityProperties());
        c.putAll(settings.extraBrokerConfig());
        return c;
    }

    private String protocol() {
        Security security = settings.security();
        if (security instanceof Security.SaslSslScram) {
            return "SASL_SSL";
        }
        if (security instanceof Security.MutualTls) {
            return "SSL";
        }
        return "PLAINTEXT";
    }

    private Map<String, String> securityProperties() {
        Map<String, String> c = new LinkedHashMap<>();
        Security security = settings.security();
        TestCertificates tls = null;
        if (security instanceof Security.SaslSslScram scram) {
            tls = scram.certificates();
            String prefix = "listener.name." + CLIENT_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".scram-sha-512.";
            c.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            c.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
            c.put(prefix + "sasl.jaas.config", scramJaas(scram.brokerUser(), scram.brokerPassword()));
        } else if (security instanceof Security.MutualTls mtls) {
            tls = mtls.certificates();
            c.put("ssl.client.auth", "required");
        }
        if (tls != null) {
            // The broker's key serves its listener and, with the CA trusted, its connections to other brokers.
            c.putAll(tls.trustSettings());
            c.putAll(TestCertificates.keySettings(tls.brokerKeystore()));
        }
        return c;
    }

    /** {@code sasl.jaas.config} for a SCRAM login as {@code user}. */
    public static String scramJaas(String user, String password) {
        return ScramLoginModule.class.getName() + " required username=\"" + user + "\" password=\"" + password + "\";";
    }

    private void writeProperties(BrokerNode node) {
        Properties props = new Properties();
        props.putAll(serverProperties(node));
        try {
            Files.createDirectories(node.dir);
            try (Writer out = Files.newBufferedWriter(node.properties(), StandardCharsets.UTF_8)) {
                props.store(out, "node " + node.id + " of " + settings.baseDirectory());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + node.properties(), e);
        }
    }

    /**
     * {@code kafka-storage format -t <id> -c server.properties}, plus {@code --add-scram} for the brokers'
     * own SCRAM user: the same code the shell script runs, called in this JVM to save a JVM start per node.
     */
    private void format(BrokerNode node, String clusterId) {
        List<String> args = new ArrayList<>(List.of(
                "format",
                "--cluster-id",
                clusterId,
                "--config",
                node.properties().toString()));
        if (settings.security() instanceof Security.SaslSslScram scram) {
            args.add("--add-scram");
            args.add("SCRAM-SHA-512=[name=" + scram.brokerUser() + ",password=" + scram.brokerPassword() + "]");
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int status;
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            status = kafka.tools.StorageTool.execute(args.toArray(String[]::new), print);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "kafka-storage format failed for node " + node.id + ": " + e.getMessage(), e);
        }
        if (status != 0) {
            throw new IllegalStateException("kafka-storage format exited with " + status + " for node " + node.id + ": "
                    + out.toString(StandardCharsets.UTF_8).strip());
        }
    }

    private Path logConfig() {
        return settings.baseDirectory().resolve("logback-broker.xml");
    }

    /**
     * The nodes' logging when logback is on the class path (Kafka logs through SLF4J): Kafka's INFO lines,
     * enough to follow a recovery, without the request and state-change chatter.
     */
    private void writeLogConfig() {
        String xml =
                """
                <configuration>
                  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
                  </appender>
                  <logger name="kafka.request.logger" level="WARN"/>
                  <logger name="state.change.logger" level="WARN"/>
                  <logger name="org.apache.kafka.common.config" level="WARN"/>
                  <logger name="org.apache.kafka.clients" level="WARN"/>
                  <root level="INFO"><appender-ref ref="STDOUT"/></root>
                </configuration>
                """;
        try {
            Files.createDirectories(settings.baseDirectory());
            Files.writeString(logConfig(), xml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + logConfig(), e);
        }
    }

    private void launch(BrokerNode node) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(
                "-Xms128m",
                "-Xmx512m",
                "-XX:+UseSerialGC",
                // A few minutes of life on shared cores: the C1 compiler alone starts faster for less CPU.
                "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData",
                "-Djava.awt.headless=true",
                "-Dlogback.configurationFile=" + logConfig().toAbsolutePath(),
                "-cp",
                // Under failsafe this is a manifest-only jar whose Class-Path names the whole test class path.
                System.getProperty("java.class.path"),
                "kafka.Kafka",
                node.properties().toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(node.log().toFile()));
        try {
            node.process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node " + node.id, e);
        }
        LIVE.add(node.process);
    }

    /** {@code host:port,...} of every node's client listener, whether running or not. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The node ids, ascending: 1, or 1, 2, 3. */
    public List<Integer> nodeIds() {
        return List.copyOf(nodes.keySet());
    }

    /** Whether node {@code id}'s process is alive. */
    public boolean isRunning(int id) {
        return node(id).running();
    }

    /**
     * SIGKILL to node {@code id}, then waits until its process is gone. Nothing of the node runs afterwards:
     * no controlled shutdown, no log flush. Its sessions expire at the controller (broker) and the quorum
     * (voter) on their own timeouts.
     *
     * @throws IllegalStateException if the node was not running, or did not die of the signal
     */
    public void kill(int id) {
        BrokerNode node = node(id);
        if (!node.running()) {
            throw new IllegalStateException("node " + id + " is not running" + exitNote(node));
        }
        node.process.destroyForcibly();
        try {
            if (!node.process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("node " + id + " still runs 30 s after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing node " + id, e);
        }
        LIVE.remove(node.process);
        if (node.process.exitValue() != SIGKILL_STATUS) {
            throw new IllegalStateException("node " + id + " exited with " + node.process.exitValue() + ", not "
                    + SIGKILL_STATUS + " (SIGKILL)\n" + logTail(id));
        }
        log.info("Broker processes: node {} killed (SIGKILL)", id);
    }

    /**
     * Starts node {@code id} again with its old {@code server.properties}, log directory and port, and waits
     * until the controller has it registered and unfenced. Its logs were not closed cleanly, so it recovers
     * them first; its replicas then catch up in the background ({@link #awaitFullIsr} waits for that).
     *
     * @throws IllegalStateException if it is running, or does not come back in time
     */
    public void restart(int id) {
        BrokerNode node = node(id);
        if (node.running()) {
            throw new IllegalStateException("node " + id + " is running; kill it first");
        }
        long began = System.nanoTime();
        launch(node);
        awaitBrokers(Set.of(id), Duration.ofSeconds(120));
        log.info(
                "Broker processes: node {} back at localhost:{} in {} ms",
                id,
                node.clientPort,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
    }

    /** Waits until the cluster's metadata lists every one of {@code ids} as a live (unfenced) broker. */
    private void awaitBrokers(Collection<Integer> ids, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        // Until a listener is open an admin client only logs refused connections, so wait for the ports first.
        for (int id : ids) {
            awaitListening(node(id), deadline, timeout);
        }
        String last = "no answer yet";
        try (Admin admin = admin()) {
            while (true) {
                for (int id : ids) {
                    BrokerNode node = node(id);
                    if (!node.running()) {
                        throw new IllegalStateException(
                                "node " + id + " exited while starting" + exitNote(node) + "\n" + logTail(id));
                    }
                }
                try {
                    Set<Integer> live = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream()
                            .map(Node::id)
                            .collect(Collectors.toCollection(TreeSet::new));
                    if (live.containsAll(ids)) {
                        return;
                    }
                    last = "live brokers " + live;
                } catch (ExecutionException | java.util.concurrent.TimeoutException | KafkaException e) {
                    last = e.toString();
                }
                if (System.nanoTime() > deadline) {
                    StringBuilder tails = new StringBuilder();
                    ids.forEach(id -> tails.append('\n').append(logTail(id)));
                    throw new IllegalStateException(
                            "brokers " + ids + " not all up within " + timeout + " (" + last + ")" + tails);
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for brokers " + ids, e);
        }
    }

    private void awaitListening(BrokerNode node, long deadline, Duration timeout) {
        while (true) {
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress("localhost", node.clientPort), 1000);
                return;
            } catch (IOException notYet) {
                if (!node.running()) {
                    throw new IllegalStateException(
                            "node " + node.id + " exited while starting" + exitNote(node) + "\n" + logTail(node.id));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("node " + node.id + " does not listen on port " + node.clientPort
                            + " within " + timeout + "\n" + logTail(node.id));
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for node " + node.id, e);
                }
            }
        }
    }

    /**
     * Waits until every partition of every topic has all its replicas in sync: after a restart, the node has
     * caught up everywhere and the cluster can lose another node without a partition dropping below {@code
     * min.insync.replicas}.
     *
     * @throws IllegalStateException if that does not happen within {@code timeout}; the message names the
     *     partitions still short
     */
    public void awaitFullIsr(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String shortOf = "not described yet";
        try (Admin admin = admin()) {
            while (true) {
                try {
                    Set<String> topics = admin.listTopics(
                                    new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
                            .names()
                            .get(10, TimeUnit.SECONDS);
                    Map<String, TopicDescription> described =
                            admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS);
                    List<String> under = new ArrayList<>();
                    for (TopicDescription d : described.values()) {
                        for (TopicPartitionInfo p : d.partitions()) {
                            if (p.isr().size() < p.replicas().size()) {
                                under.add(d.name() + "-" + p.partition() + " isr "
                                        + p.isr().stream().map(Node::id).toList());
                            }
                        }
                    }
                    if (under.isEmpty()) {
                        return;
                    }
                    shortOf = under.toString();
                } catch (ExecutionException | java.util.concurrent.TimeoutException | KafkaException e) {
                    shortOf = e.toString();
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("replicas not all in sync within " + timeout + ": " + shortOf);
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for in-sync replicas", e);
        }
    }

    /**
     * Adds a SCRAM-SHA-512 client user through the admin API, then waits until the brokers accept its login
     * (credentials reach every broker through the metadata log).
     *
     * @throws IllegalStateException if the listener is not SASL_SSL with SCRAM, or the login is not accepted
     *     within 30 s
     */
    public void addScramUser(String user, String password) {
        if (!(settings.security() instanceof Security.SaslSslScram)) {
            throw new IllegalStateException("the client listener is " + protocol() + ", not SASL_SSL with SCRAM");
        }
        try (Admin admin = admin()) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                            user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("could not add SCRAM user " + user + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while adding SCRAM user " + user, e);
        }
        Map<String, String> login = new LinkedHashMap<>(clientSecurity());
        login.put("sasl.jaas.config", scramJaas(user, password));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try (Admin admin = admin(login)) {
                admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the brokers do not accept SCRAM user " + user + " within 30 s", e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for SCRAM user " + user, e);
            }
        }
    }

    /**
     * Client settings that authenticate as the brokers do: {@code security.protocol} and, as the listener
     * needs, the truststore, the brokers' SCRAM login or the brokers' own certificate. Empty for PLAINTEXT.
     */
    public Map<String, String> clientSecurity() {
        Map<String, String> s = new LinkedHashMap<>();
        Security security = settings.security();
        if (security instanceof Security.SaslSslScram scram) {
            s.put("security.protocol", "SASL_SSL");
            s.put("sasl.mechanism", "SCRAM-SHA-512");
            s.put("sasl.jaas.config", scramJaas(scram.brokerUser(), scram.brokerPassword()));
            s.putAll(scram.certificates().trustSettings());
        } else if (security instanceof Security.MutualTls mtls) {
            s.put("security.protocol", "SSL");
            s.putAll(mtls.certificates().trustSettings());
            s.putAll(TestCertificates.keySettings(mtls.certificates().brokerKeystore()));
        }
        return s;
    }

    /** A new admin client that authenticates as the brokers do; the caller closes it. */
    public Admin admin() {
        return admin(clientSecurity());
    }

    private Admin admin(Map<String, String> security) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.putAll(security);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(props);
    }

    /** The settings this cluster was started with. */
    public Settings settings() {
        return settings;
    }

    /** Node {@code id}'s log: its stdout and stderr, every start appended. */
    public Path logFile(int id) {
        return node(id).log();
    }

    /** The last 60 lines of node {@code id}'s log, headed by its path. */
    public String logTail(int id) {
        Path file = node(id).log();
        try {
            List<String> lines = Files.exists(file)
                    ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8)
                            .lines()
                            .toList()
                    : List.of();
            return "--- last lines of " + file + " ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "--- cannot read " + file + ": " + e.getMessage();
        }
    }

    private static String exitNote(BrokerNode node) {
        return node.process == null ? "" : " (exit status " + node.process.exitValue() + ")";
    }

    private BrokerNode node(int id) {
        BrokerNode node = nodes.get(id);
        if (node == null) {
            throw new IllegalArgumentException("no node with id " + id + "; the nodes are " + nodes.keySet());
        }
        return node;
    }

    /**
     * Stops every node still running (SIGTERM, a controlled shutdown, for at most 20 s, then SIGKILL). The
     * base directory stays for the logs; the next {@link #start} with it empties it.
     */
    @Override
    public void close() {
        for (BrokerNode node : nodes.values()) {
            if (node.running()) {
                node.process.destroy();
            }
        }
        for (BrokerNode node : nodes.values()) {
            if (node.process == null) {
                continue;
            }
            try {
                if (!node.process.waitFor(20, TimeUnit.SECONDS)) {
                    node.process.destroyForcibly();
                    node.process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                node.process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            LIVE.remove(node.process);
        }
    }

    @Override
    public String toString() {
        return "BrokerProcessCluster[" + settings.nodes() + " node(s) at " + bootstrapServers + ", "
                + settings.security() + "]";
    }
}
