package io.visionstream.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.app.verify.Verification;
import io.visionstream.testkit.EmbeddedKafkaCluster;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.runtime.ProcessorInstance;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * One broker of three goes away mid-stream and comes back, under exactly_once_v2, while cameras keep
 * producing: the broker that coordinates the processor's transactions, so that leaders, the transaction
 * coordinator and the group's partitions all move.
 */
class BrokerBounceIT {

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
                    FrameFeeder feeder = new FrameFeeder(kafka.bootstrapServers(), registry, config);
                    Admin admin = kafka.admin()) {
                assertThat(processor.awaitRunning(Duration.ofSeconds(90)))
                        .as("processor RUNNING")
                        .isTrue();
                ClusterChecks.assertEveryTopicHasThreeReplicasAndMinIsrTwo(admin, config, APP);

                feeder.start();
                ClusterChecks.awaitPredicted(outcomes, feeder, PER_PHASE, 0, "before the stop");

                int victim = ClusterChecks.transactionCoordinator(admin, APP);
                String led = ClusterChecks.leadership(admin, config, APP, victim);
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
                ClusterChecks.awaitPredicted(outcomes, feeder, PER_PHASE, firstWhileDown, "while the broker is down");
                // Down for some seconds at least: many transactions commit without it, not just the first.
                Thread.sleep(Math.max(0, MIN_DOWN.toMillis() - (System.nanoTime() - downSince) / 1_000_000));
                long predictedWhileDown = ClusterChecks.awaitPredicted(
                        outcomes, feeder, PER_PHASE, firstWhileDown, "while the broker is down");
                long sentWhileDown = feeder.started() - firstWhileDown;
                assertThat(kafka.isBrokerRunning(victim)).isFalse();

                kafka.startBroker(victim);
                long firstAfter = feeder.started();
                ClusterChecks.awaitPredicted(outcomes, feeder, PER_PHASE, firstAfter, "after the restart");
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
                assertThat(v.sources()).hasSize(FrameFeeder.SOURCES);
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
}
