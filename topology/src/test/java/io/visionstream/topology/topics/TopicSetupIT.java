package io.visionstream.topology.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.topology.KafkaTopics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Topic creation and the start-up size check, against a real broker. */
class TopicSetupIT {

    private static final int EIGHT_MIB = 8 << 20;
    private static EmbeddedKafkaCluster kafka;
    private static Admin admin;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.singleBroker(16 << 20));
        admin = kafka.admin();
    }

    @AfterAll
    static void stopBroker() {
        admin.close();
        kafka.close();
    }

    private static TopicSetup.Plan plan(String prefix) {
        return new TopicSetup.Plan(prefix + "-frames", prefix + "-dlq", List.of(prefix + "-predictions"), 2, (short) 1);
    }

    @Test
    void missingTopicsAreCreatedSizedForFrames() throws Exception {
        TopicSetup.ensure(admin, plan("fresh"), new FrameSizing(EIGHT_MIB));

        assertThat(admin.listTopics().names().get()).contains("fresh-frames", "fresh-dlq", "fresh-predictions");
        assertThat(TopicSetup.maxMessageBytes(admin, "fresh-frames")).isEqualTo(EIGHT_MIB + 65_536);
        assertThat(TopicSetup.maxMessageBytes(admin, "fresh-dlq")).isEqualTo(EIGHT_MIB + 2 * 65_536);
        assertThat(admin.describeTopics(Set.of("fresh-frames"))
                        .allTopicNames()
                        .get()
                        .get("fresh-frames")
                        .partitions())
                .hasSize(2);
    }

    @Test
    void onThreeBrokersTheSizeCheckRightAfterCreationDoesNotTripOverABrokerThatHasNotSeenTheTopicYet() {
        // The size check may ask a broker whose metadata does not list a just-created topic yet. Each round
        // is a fresh start-up of the processor's topic setup; one round alone hits the lag only sometimes.
        try (EmbeddedKafkaCluster three =
                        EmbeddedKafkaCluster.start(EmbeddedKafkaCluster.Settings.threeBrokers(16 << 20));
                Admin threeAdmin = three.admin()) {
            for (int round = 0; round < 40; round++) {
                TopicSetup.ensure(
                        threeAdmin,
                        new TopicSetup.Plan(
                                "r" + round + "-frames", "r" + round + "-dlq", List.of("r" + round + "-out"), 3, (short)
                                        3),
                        new FrameSizing(EIGHT_MIB));
                assertThat(TopicSetup.maxMessageBytes(threeAdmin, "r" + round + "-frames"))
                        .isEqualTo(EIGHT_MIB + 65_536);
            }
        }
    }

    @Test
    void anExistingInputTopicWithKafkasDefaultLimitStopsStartUp() {
        int brokerDefault = 1_048_588;
        KafkaTopics.create(kafka, "small-frames", 1, Map.of("max.message.bytes", String.valueOf(brokerDefault)));

        assertThatThrownBy(() -> TopicSetup.ensure(admin, plan("small"), new FrameSizing(EIGHT_MIB)))
                .isInstanceOf(TopicSetup.TopicTooSmallException.class)
                .hasMessage("input topic 'small-frames' accepts records up to " + brokerDefault
                        + " bytes (max.message.bytes) but max.frame.bytes=8388608 needs 8454144: raise the topic's"
                        + " max.message.bytes or lower max.frame.bytes");
    }

    @Test
    void anExistingDeadLetterTopicSmallerThanTheInputStopsStartUp() {
        KafkaTopics.create(kafka, "dlq-frames", 1, Map.of("max.message.bytes", String.valueOf(EIGHT_MIB + 65_536)));
        KafkaTopics.create(kafka, "dlq-dlq", 1, Map.of("max.message.bytes", "2000000"));

        assertThatThrownBy(() -> TopicSetup.ensure(admin, plan("dlq"), new FrameSizing(EIGHT_MIB)))
                .isInstanceOf(TopicSetup.TopicTooSmallException.class)
                .hasMessage("dead-letter topic 'dlq-dlq' accepts records up to 2000000 bytes (max.message.bytes) but"
                        + " must take any record of input topic 'dlq-frames' (up to 8454144 bytes) plus 65536 bytes"
                        + " of dead-letter fields: raise it to at least 8519680");
    }

    @Test
    void withoutCreationMissingTopicsStopStartUpNamingEachAndNoneIsCreated() throws Exception {
        KafkaTopics.create(kafka, "manual-frames", 1, Map.of("max.message.bytes", String.valueOf(EIGHT_MIB + 65_536)));

        assertThatThrownBy(() -> TopicSetup.check(admin, plan("manual"), new FrameSizing(EIGHT_MIB)))
                .isInstanceOf(TopicSetup.MissingTopicsException.class)
                .hasMessage("topics.create=false but topic(s) [manual-dlq, manual-predictions] do not exist: create"
                        + " them (the input and dead-letter topics with max.message.bytes of at least 8454144 and"
                        + " 8519680) or set topics.create=true");
        assertThat(admin.listTopics().names().get()).doesNotContain("manual-dlq", "manual-predictions");
    }

    @Test
    void withoutCreationTopicsThatExistStillHaveTheirLimitsChecked() {
        KafkaTopics.create(kafka, "premade-frames", 1, Map.of("max.message.bytes", String.valueOf(EIGHT_MIB + 65_536)));
        KafkaTopics.create(kafka, "premade-dlq", 1, Map.of("max.message.bytes", "2000000"));
        KafkaTopics.create(kafka, "premade-predictions", 1, Map.of());

        assertThatThrownBy(() -> TopicSetup.check(admin, plan("premade"), new FrameSizing(EIGHT_MIB)))
                .isInstanceOf(TopicSetup.TopicTooSmallException.class)
                .hasMessageStartingWith("dead-letter topic 'premade-dlq' accepts records up to 2000000 bytes");
    }

    @Test
    void withoutCreationTopicsThatExistAndFitPassTheCheck() {
        KafkaTopics.create(kafka, "ready-frames", 1, Map.of("max.message.bytes", String.valueOf(EIGHT_MIB + 65_536)));
        KafkaTopics.create(kafka, "ready-dlq", 1, Map.of("max.message.bytes", String.valueOf(EIGHT_MIB + 2 * 65_536)));
        KafkaTopics.create(kafka, "ready-predictions", 1, Map.of());

        TopicSetup.check(admin, plan("ready"), new FrameSizing(EIGHT_MIB));
    }

    @Test
    void existingTopicsThatAreLargeEnoughAreLeftAsTheyAre() throws Exception {
        KafkaTopics.create(kafka, "ok-frames", 3, Map.of("max.message.bytes", String.valueOf(12 << 20)));
        KafkaTopics.create(kafka, "ok-dlq", 1, Map.of("max.message.bytes", String.valueOf(13 << 20)));

        TopicSetup.ensure(admin, plan("ok"), new FrameSizing(EIGHT_MIB));

        assertThat(admin.describeTopics(Set.of("ok-frames"))
                        .allTopicNames()
                        .get()
                        .get("ok-frames")
                        .partitions())
                .hasSize(3);
        assertThat(TopicSetup.maxMessageBytes(admin, "ok-frames")).isEqualTo(12 << 20);
        assertThat(admin.listTopics().names().get()).contains("ok-predictions");
    }
}
