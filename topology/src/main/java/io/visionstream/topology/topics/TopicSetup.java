package io.visionstream.topology.topics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the processor's topics exist and can carry frames: creates the missing ones sized by
 * {@link FrameSizing}, and refuses to start when an existing topic's {@code max.message.bytes} is too
 * small, naming the topic, its limit and the setting that needs it.
 */
public final class TopicSetup {

    private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);
    private static final long TIMEOUT_SECONDS = 30;

    /** A topic whose limit is below what the processor needs; thrown before anything starts. */
    public static final class TopicTooSmallException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TopicTooSmallException(String message) {
            super(message);
        }
    }

    /** A topic the processor needs does not exist and it is not to create it; thrown before anything starts. */
    public static final class MissingTopicsException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MissingTopicsException(String message) {
            super(message);
        }
    }

    /**
     * What to create or check.
     *
     * @param input the frames topic
     * @param deadLetters where undecodable frames go, whole
     * @param outputs predictions, embeddings, masks: small records, default limits suffice
     * @param partitions partitions for topics this creates
     * @param replicationFactor replicas for topics this creates, or -1 for the broker default
     */
    public record Plan(
            String input, String deadLetters, List<String> outputs, int partitions, short replicationFactor) {
        public Plan {
            outputs = List.copyOf(outputs);
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
            }
        }
    }

    private TopicSetup() {}

    /**
     * Creates missing topics, then checks the limits of the input and dead-letter topics as they are now
     * (whoever created them: another instance may have raced this one).
     *
     * @throws TopicTooSmallException if the input or dead-letter topic cannot hold what it must
     * @throws IllegalStateException if the cluster cannot be reached or a topic cannot be created
     */
    public static void ensure(Admin admin, Plan plan, FrameSizing sizing) {
        Set<String> existing = listTopics(admin);
        int inputLimit = existing.contains(plan.input())
                ? maxMessageBytes(admin, plan.input())
                : sizing.inputTopicMessageBytes();
        Map<String, Map<String, String>> wanted = new LinkedHashMap<>();
        wanted.put(plan.input(), sizing.frameTopicConfig());
        wanted.put(
                plan.deadLetters(),
                Map.of(
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                        String.valueOf(FrameSizing.deadLetterTopicMessageBytes(inputLimit))));
        for (String output : plan.outputs()) {
            wanted.putIfAbsent(output, Map.of());
        }
        List<NewTopic> missing = new ArrayList<>();
        wanted.forEach((name, config) -> {
            if (!existing.contains(name)) {
                missing.add(new NewTopic(name, plan.partitions(), plan.replicationFactor()).configs(config));
            }
        });
        createIfAbsent(admin, missing);
        checkLimits(admin, plan, sizing);
    }

    /**
     * For a processor that creates no topics ({@code topics.create=false}): checks that every topic of the
     * plan exists and that the input and dead-letter topics can carry frames, so a mistyped topic name or
     * a topic made with Kafka's default limits stops the start instead of the first frame or dead letter.
     *
     * @throws MissingTopicsException naming every topic that does not exist
     * @throws TopicTooSmallException if the input or dead-letter topic cannot hold what it must
     * @throws IllegalStateException if the cluster cannot be reached
     */
    public static void check(Admin admin, Plan plan, FrameSizing sizing) {
        Set<String> existing = listTopics(admin);
        List<String> needed = new ArrayList<>(List.of(plan.input(), plan.deadLetters()));
        needed.addAll(plan.outputs());
        List<String> missing =
                needed.stream().filter(t -> !existing.contains(t)).distinct().toList();
        if (!missing.isEmpty()) {
            throw new MissingTopicsException("topics.create=false but topic(s) " + missing + " do not exist: create"
                    + " them (the input and dead-letter topics with max.message.bytes of at least "
                    + sizing.inputTopicMessageBytes() + " and "
                    + FrameSizing.deadLetterTopicMessageBytes(sizing.inputTopicMessageBytes())
                    + ") or set topics.create=true");
        }
        checkLimits(admin, plan, sizing);
    }

    private static void checkLimits(Admin admin, Plan plan, FrameSizing sizing) {
        int inputLimit = maxMessageBytes(admin, plan.input());
        if (inputLimit < sizing.inputTopicMessageBytes()) {
            throw new TopicTooSmallException("input topic '" + plan.input() + "' accepts records up to " + inputLimit
                    + " bytes (max.message.bytes) but max.frame.bytes=" + sizing.maxFrameBytes()
                    + " needs " + sizing.inputTopicMessageBytes() + ": raise the topic's max.message.bytes"
                    + " or lower max.frame.bytes");
        }
        int dlqLimit = maxMessageBytes(admin, plan.deadLetters());
        int needed = FrameSizing.deadLetterTopicMessageBytes(inputLimit);
        if (dlqLimit < needed) {
            throw new TopicTooSmallException("dead-letter topic '" + plan.deadLetters() + "' accepts records up to "
                    + dlqLimit + " bytes (max.message.bytes) but must take any record of input topic '"
                    + plan.input() + "' (up to " + inputLimit + " bytes) plus " + FrameSizing.RECORD_OVERHEAD_BYTES
                    + " bytes of dead-letter fields: raise it to at least " + needed);
        }
    }

    /**
     * Creates topics, treating "already exists" as success (another instance got there first), and waits
     * until every partition of every one has a leader that serves it: the controller has created them
     * when the call returns, but brokers apply that later, and clients started right after would see
     * unknown topics or be told that the broker leads nothing yet. That matters beyond a retry: an
     * idempotent producer whose first request to a new partition is refused that way while a later one
     * is appended retries the first with OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout, and
     * those records are lost (KAFKA-15591). The leaders are asked for each partition's end offset, which
     * only a broker that has opened the partition's log can answer.
     */
    public static void createIfAbsent(Admin admin, Collection<NewTopic> topics) {
        if (topics.isEmpty()) {
            return;
        }
        log.info("Creating topics {}", topics.stream().map(NewTopic::name).toList());
        admin.createTopics(topics)
                .values()
                .forEach((name, future) -> call(
                        () -> {
                            try {
                                return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                            } catch (ExecutionException e) {
                                if (e.getCause() instanceof TopicExistsException) {
                                    return null;
                                }
                                throw e;
                            }
                        },
                        "create topic " + name));
        Set<String> names = topics.stream().map(NewTopic::name).collect(Collectors.toSet());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!everyPartitionLed(admin, names)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics " + names + " were created but not every partition had a"
                        + " leader after " + TIMEOUT_SECONDS + " s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topics " + names, e);
            }
        }
    }

    /** Whether every topic is listed and each of its partitions has a leader; false while any is unknown. */
    private static boolean everyPartitionLed(Admin admin, Set<String> names) {
        if (!listTopics(admin).containsAll(names)) {
            return false;
        }
        Map<String, TopicDescription> described = call(
                () -> {
                    try {
                        return admin.describeTopics(names).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                            return Map.of();
                        }
                        throw e;
                    }
                },
                "describe topics " + names);
        if (!described.keySet().containsAll(names)
                || !described.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
            return false;
        }
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        described.values().forEach(d -> d.partitions()
                .forEach(p -> ends.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
        // The admin client retries NOT_LEADER_OR_FOLLOWER itself until its API timeout. On several brokers
        // the one it asks for metadata may not know the topic yet, although another one described it:
        // that is "not yet" too, and the caller asks again until its deadline.
        return call(
                () -> {
                    try {
                        admin.listOffsets(ends).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                        return true;
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                            return false;
                        }
                        throw e;
                    }
                },
                "list offsets of " + names);
    }

    private static Set<String> listTopics(Admin admin) {
        return call(() -> admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS), "list topics");
    }

    /**
     * The effective {@code max.message.bytes} of a topic (its own, or the broker default it inherits).
     * Asked only of topics that exist, just listed or created. On a cluster of several brokers the broker
     * that answers may not list a new topic yet and call it unknown; that is retried until the timeout.
     */
    static int maxMessageBytes(Admin admin, String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        Config config = null;
        while (config == null) {
            config = call(
                    () -> {
                        try {
                            return admin.describeConfigs(List.of(resource))
                                    .all()
                                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                                    .get(resource);
                        } catch (ExecutionException e) {
                            if (e.getCause() instanceof UnknownTopicOrPartitionException
                                    && System.nanoTime() < deadline) {
                                Thread.sleep(50);
                                return null;
                            }
                            throw e;
                        }
                    },
                    "describe topic " + topic);
        }
        ConfigEntry entry = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        return Integer.parseInt(entry.value());
    }

    @FunctionalInterface
    private interface AdminCall<V> {
        V get() throws InterruptedException, ExecutionException, TimeoutException;
    }

    private static <V> V call(AdminCall<V> call, String what) {
        try {
            return call.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while trying to " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("could not " + what + ": " + cause.getMessage(), cause);
        }
    }
}
