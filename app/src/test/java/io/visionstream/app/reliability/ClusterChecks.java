package io.visionstream.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.topology.config.VisionConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** What the broker-failure scenarios ask of the cluster and wait for, whichever cluster runs them. */
final class ClusterChecks {

    private ClusterChecks() {}

    /**
     * Waits until {@code perPhase} frames sent from index {@code from} on have committed predictions, and
     * returns how many have.
     */
    static long awaitPredicted(OutcomeCollector outcomes, FrameFeeder feeder, int perPhase, long from, String phase)
            throws InterruptedException {
        long[] count = {0};
        Await.until(
                perPhase + " frames sent " + phase + " are predicted",
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
                    return count[0] >= perPhase;
                },
                () -> count[0] + " of " + (feeder.sent() - from) + " sent " + phase + " are predicted");
        return count[0];
    }

    static void assertEveryTopicHasThreeReplicasAndMinIsrTwo(Admin admin, VisionConfig config, String app)
            throws Exception {
        Set<String> topics = new TreeSet<>(List.of(
                config.topics().input(),
                config.topics().predictions(),
                config.topics().embeddings(),
                config.topics().deadLetters()));
        for (String name : admin.listTopics().names().get()) {
            if (name.startsWith(app + "-")) {
                topics.add(name); // Kafka Streams' internal topics
            }
        }
        assertThat(topics).contains(app + "-pending-frames-changelog");
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
    static <T> T whenKnown(Callable<T> call) throws Exception {
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
    static int transactionCoordinator(Admin admin, String app) throws InterruptedException {
        int[] coordinator = {-1};
        Await.until(
                "the processor's transactional id has a coordinator",
                Duration.ofSeconds(60),
                () -> {
                    try {
                        List<String> ids = admin.listTransactions().all().get().stream()
                                .map(TransactionListing::transactionalId)
                                .filter(id -> id.startsWith(app + "-"))
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
    static String leadership(Admin admin, VisionConfig config, String app, int broker) throws Exception {
        List<String> topics = new ArrayList<>();
        for (String name : admin.listTopics().names().get()) {
            if (name.startsWith(app + "-")
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

    /** The broker that leads partition {@code partition} of {@code topic} now. */
    static int leaderOf(Admin admin, String topic, int partition) throws Exception {
        TopicDescription d = whenKnown(
                () -> admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic));
        var leader = d.partitions().get(partition).leader();
        if (leader == null) {
            throw new AssertionError(topic + "-" + partition + " has no leader");
        }
        return leader.id();
    }

    /** The broker that coordinates consumer group {@code group}. */
    static int groupCoordinator(Admin admin, String group) throws Exception {
        return admin.describeConsumerGroups(List.of(group))
                .all()
                .get()
                .get(group)
                .coordinator()
                .id();
    }
}
