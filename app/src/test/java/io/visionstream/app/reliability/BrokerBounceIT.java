package io.visionstream.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.app.verify.Verification;
import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.processing.TestFrames;
import io.visionstream.topology.runtime.ProcessorInstance;
import io.visionstream.topology.topics.FrameSizing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * One broker of three goes away mid-stream and comes back, under exactly_once_v2, while cameras keep
 * producing: the broker that coordinates the processor's transactions, so that leaders, the transaction
 * coordinator and the group's partitions all move.
 */
class BrokerBounceIT {

    private static final int SOURCES = 4;
    private static final String APP = "bounce";
    /**
     * Frames sent in each phase (before the stop, while the broker is down, after its restart) that must
     * have committed predictions before the test moves on, so that no phase is vacuous.
     */
    private static final int PER_PHASE = 20;

    private static final Duration MIN_DOWN = Duration.ofSeconds(5);

    @Test
    void aBrokerBouncedMidStreamCostsNoFrameNoDuplicateAndNoReordering() throws Exception {
        String registryUrl = "mock://bounce-" + UUID.randomUUID();
        Map<String, Object> registry = Map.of("schema.registry.url", registryUrl);
        try (EmbeddedKafkaCluster kafka =
                EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.threeBrokers(16 << 20))) {
            Map<String, String> settings = LiveSetup.settings(kafka, registryUrl, APP);
            settings.put("processing.guarantee", "exactly_once_v2");
            settings.put("topics.partitions", "3");
            settings.put("topics.replication.factor", "3");
            // Kafka Streams' own topics (the pending-frames changelog): passed through to Kafka Streams.
            settings.put("replication.factor", "3");
            settings.put("topic.min.insync.replicas", "2");
            VisionConfig config = VisionConfig.from(settings);

            try (ProcessorInstance processor = ProcessorInstance.start(config);
                    StateWatch states = new StateWatch(processor);
                    OutcomeCollector outcomes =
                            new OutcomeCollector(kafka.bootstrapServers(), registry, config.topics());
                    FrameFeeder feeder = new FrameFeeder(kafka, registry, config);
                    Admin admin = kafka.admin()) {
                assertThat(processor.awaitRunning(Duration.ofSeconds(90)))
                        .as("processor RUNNING")
                        .isTrue();
                assertEveryTopicHasThreeReplicasAndMinIsrTwo(admin, config);

                feeder.start();
                awaitPredicted(outcomes, feeder, 0, "before the stop");

                int victim = transactionCoordinator(admin);
                String led = leadership(admin, config, victim);
                assertThat(led).as("what broker %d leads", victim).isNotEmpty();
                int groupCoordinator = admin.describeConsumerGroups(List.of(APP))
                        .all()
                        .get()
                        .get(APP)
                        .coordinator()
                        .id();
                System.out.printf(
                        "bounce: stopping broker %d, the transaction coordinator (group coordinator: %d); it leads %s%n",
                        victim, groupCoordinator, led);
                kafka.stopBroker(victim);
                long downSince = System.nanoTime();
                long firstWhileDown = feeder.started();
                awaitPredicted(outcomes, feeder, firstWhileDown, "while the broker is down");
                // Down for some seconds at least: many transactions commit without it, not just the first.
                Thread.sleep(Math.max(0, MIN_DOWN.toMillis() - (System.nanoTime() - downSince) / 1_000_000));
                long predictedWhileDown = awaitPredicted(outcomes, feeder, firstWhileDown, "while the broker is down");
                long sentWhileDown = feeder.started() - firstWhileDown;
                assertThat(kafka.isBrokerRunning(victim)).isFalse();

                kafka.startBroker(victim);
                long firstAfter = feeder.started();
                awaitPredicted(outcomes, feeder, firstAfter, "after the restart");
                feeder.stop();
                long sent = feeder.sent();
                assertThat(feeder.failure()).as("producer failure").isNull();
                outcomes.awaitOutcomes(sent, Duration.ofSeconds(120));

                Verification v = LiveSetup.verify(kafka, config);
                System.out.printf(
                        "bounce: %d frames sent (%d while broker %d was down, %d of them predicted before it came"
                                + " back); states %s%n%s%n",
                        sent, sentWhileDown, victim, predictedWhileDown, states.seen(), String.join("\n", v.lines()));
                assertThat(v.clean()).as(String.join("\n", v.lines())).isTrue();
                assertThat(v.inputs()).isEqualTo(sent);
                assertThat(v.total()).isEqualTo(new Verification.SourceCount(sent, sent, 0, 0, 0));
                assertThat(v.sources()).hasSize(SOURCES);
                assertThat(v.deadLetters()).isZero();
                assertThat(predictedWhileDown).isGreaterThanOrEqualTo(PER_PHASE);
                assertThat(processor.failure()).isNull();
                assertThat(processor.state()).isEqualTo(KafkaStreams.State.RUNNING);
                assertThat(states.seen())
                        .as("Kafka Streams states seen")
                        .doesNotContain(
                                KafkaStreams.State.PENDING_ERROR,
                                KafkaStreams.State.ERROR,
                                KafkaStreams.State.PENDING_SHUTDOWN,
                                KafkaStreams.State.NOT_RUNNING);
            }
        }
    }

    /**
     * Waits until {@link #PER_PHASE} frames sent from index {@code from} on have committed predictions,
     * and returns how many have.
     */
    private static long awaitPredicted(OutcomeCollector outcomes, FrameFeeder feeder, long from, String phase)
            throws InterruptedException {
        long[] count = {0};
        Await.until(
                PER_PHASE + " frames sent " + phase + " are predicted",
                Duration.ofSeconds(90),
                () -> {
                    if (feeder.failure() != null) {
                        throw new AssertionError("producer failed " + phase, feeder.failure());
                    }
                    count[0] = 0;
                    for (long i = from; i < feeder.sent(); i++) {
                        if (outcomes.predicted(FrameFeeder.source(i), FrameFeeder.sequence(i))) {
                            count[0]++;
                        }
                    }
                    return count[0] >= PER_PHASE;
                },
                () -> count[0] + " of " + (feeder.sent() - from) + " sent " + phase + " are predicted");
        return count[0];
    }

    private static void assertEveryTopicHasThreeReplicasAndMinIsrTwo(Admin admin, VisionConfig config)
            throws Exception {
        Set<String> topics = new TreeSet<>(List.of(
                config.topics().input(),
                config.topics().predictions(),
                config.topics().embeddings(),
                config.topics().deadLetters()));
        for (String name : admin.listTopics().names().get()) {
            if (name.startsWith(APP + "-")) {
                topics.add(name); // Kafka Streams' internal topics
            }
        }
        assertThat(topics).contains(APP + "-pending-frames-changelog");
        Map<String, TopicDescription> described =
                whenKnown(() -> admin.describeTopics(topics).allTopicNames().get());
        described.values().forEach(d -> assertThat(d.partitions()).as(d.name()).allSatisfy(p -> assertThat(p.replicas())
                .hasSize(3)));
        List<ConfigResource> resources = topics.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                .toList();
        whenKnown(() -> admin.describeConfigs(resources).all().get()).forEach((resource, cfg) -> assertThat(
                        cfg.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value())
                .as("min.insync.replicas of " + resource.name())
                .isEqualTo("2"));
    }

    /**
     * Retries {@code call} while the broker that answers does not know a topic yet: on three brokers one
     * may lag behind the metadata that another has already served.
     */
    private static <T> T whenKnown(Callable<T> call) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                return call.call();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** The broker that coordinates the processor's transactions (one stream thread: one transactional id). */
    private static int transactionCoordinator(Admin admin) throws InterruptedException {
        int[] coordinator = {-1};
        Await.until(
                "the processor's transactional id has a coordinator",
                Duration.ofSeconds(60),
                () -> {
                    try {
                        List<String> ids = admin.listTransactions().all().get().stream()
                                .map(TransactionListing::transactionalId)
                                .filter(id -> id.startsWith(APP + "-"))
                                .toList();
                        if (ids.isEmpty()) {
                            return false;
                        }
                        coordinator[0] = admin.describeTransactions(ids)
                                .all()
                                .get()
                                .values()
                                .iterator()
                                .next()
                                .coordinatorId();
                        return true;
                    } catch (ExecutionException e) {
                        return false;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AssertionError(e);
                    }
                },
                () -> "none listed");
        return coordinator[0];
    }

    /** The partitions of the processor's topics that {@code broker} leads, by topic. */
    private static String leadership(Admin admin, VisionConfig config, int broker) throws Exception {
        List<String> topics = new ArrayList<>();
        for (String name : admin.listTopics().names().get()) {
            if (name.startsWith(APP + "-")
                    || name.equals(config.topics().input())
                    || name.equals(config.topics().predictions())
                    || name.equals(config.topics().embeddings())
                    || name.equals(config.topics().deadLetters())) {
                topics.add(name);
            }
        }
        Map<String, List<Integer>> led = new TreeMap<>();
        whenKnown(() -> admin.describeTopics(topics).allTopicNames().get()).forEach((name, d) -> d.partitions().stream()
                .filter(p -> p.leader() != null && p.leader().id() == broker)
                .forEach(p -> led.computeIfAbsent(name, k -> new ArrayList<>()).add(p.partition())));
        return led.isEmpty() ? "" : led.toString();
    }

    /**
     * Sends frames from {@link #SOURCES} cameras in turn, one about every 20 ms, each acknowledged (acks=all)
     * before the next: frame {@code i} is frame {@code i / SOURCES} of camera {@code i % SOURCES}.
     */
    private static final class FrameFeeder implements AutoCloseable {
        private final KafkaProducer<byte[], byte[]> producer;
        private final TestFrames frames;
        private final String topic;
        private final AtomicLong started = new AtomicLong();
        private final AtomicLong sent = new AtomicLong();
        private final Thread thread = new Thread(this::run, "frame-feeder");
        private volatile boolean stopping;
        private volatile Throwable failure;

        FrameFeeder(EmbeddedKafkaCluster kafka, Map<String, Object> registry, VisionConfig config) {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.putAll(new FrameSizing(config.maxFrameBytes()).frameProducerOverrides());
            this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
            this.frames = new TestFrames(registry);
            this.topic = config.topics().input();
            thread.setDaemon(true);
        }

        static String source(long i) {
            return "cam-" + (i % SOURCES);
        }

        static long sequence(long i) {
            return i / SOURCES;
        }

        void start() {
            thread.start();
        }

        private void run() {
            try {
                while (!stopping) {
                    long i = started.getAndIncrement();
                    String source = source(i);
                    var frame = frames.frame(source, sequence(i), System.currentTimeMillis());
                    producer.send(new ProducerRecord<>(topic, TestFrames.key(source), frames.serialize(topic, frame)))
                            .get();
                    sent.incrementAndGet();
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                failure = e;
            }
        }

        /** Frames whose send has begun. */
        long started() {
            return started.get();
        }

        /** Frames acknowledged by the cluster; frames 0 .. sent()-1. */
        long sent() {
            return sent.get();
        }

        Throwable failure() {
            return failure;
        }

        /** Stops after the frame in flight is acknowledged. */
        void stop() throws InterruptedException {
            stopping = true;
            thread.join(150_000);
        }

        @Override
        public void close() throws InterruptedException {
            stop();
            producer.close(Duration.ofSeconds(10));
        }
    }

    /** Records every Kafka Streams state the processor passes through, polled every 20 ms. */
    private static final class StateWatch implements AutoCloseable {
        private final List<KafkaStreams.State> seen = new ArrayList<>();
        private final Thread thread;
        private volatile boolean closed;

        StateWatch(ProcessorInstance processor) {
            thread = new Thread(
                    () -> {
                        while (!closed) {
                            KafkaStreams.State now = processor.state();
                            synchronized (seen) {
                                if (seen.isEmpty() || seen.get(seen.size() - 1) != now) {
                                    seen.add(now);
                                }
                            }
                            try {
                                Thread.sleep(20);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    },
                    "state-watch");
            thread.setDaemon(true);
            thread.start();
        }

        /** The states in the order first seen, consecutive repeats folded. */
        List<KafkaStreams.State> seen() {
            synchronized (seen) {
                return List.copyOf(seen);
            }
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            thread.join(5_000);
        }
    }
}
