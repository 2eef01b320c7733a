package io.visionstream.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.app.verify.Verification;
import io.visionstream.testkit.BrokerProcessCluster;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.runtime.ProcessorInstance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * Brokers that die hard, as in Kafka's own Streams system tests ("hard bounce"): three broker processes
 * (combined KRaft nodes), replication factor 3 and {@code min.insync.replicas=2} everywhere, {@code
 * exactly_once_v2}, cameras producing throughout. Three times a broker gets SIGKILL: first the leader of an
 * input partition, then the coordinator of the processor's transactions, then the group's coordinator.
 * Each time, frames sent while it is dead must be predicted before it is restarted on its old log
 * directories (its log must show Kafka recovering them: no clean shutdown), and it must be back in every
 * ISR before the next kill. At the end the verifier reports no frame missing, none duplicated, none out of
 * order.
 */
class HardBrokerCrashIT {

    private static final String APP = "hard-crash";
    /** Frames sent in each phase that must have committed predictions before the test moves on. */
    private static final int PER_PHASE = 15;

    private record Kill(String role, int node, long sentBefore, long predictedWhileDown, long downMs) {}

    @Test
    void threeBrokersKilledWithSigkillMidStreamCostNoFrameNoDuplicateAndNoReordering() throws Exception {
        long began = System.nanoTime();
        String registryUrl = "mock://hard-crash-" + UUID.randomUUID();
        Map<String, Object> registry = Map.of("schema.registry.url", registryUrl);
        Path brokers = Path.of("target", "reliability", APP, "brokers").toAbsolutePath();
        try (BrokerProcessCluster cluster =
                BrokerProcessCluster.start(BrokerProcessCluster.Settings.threeNodes(16 << 20, brokers))) {
            Map<String, String> settings = LiveSetup.settings(cluster.bootstrapServers(), registryUrl, APP);
            settings.put("processing.guarantee", "exactly_once_v2");
            settings.put("topics.partitions", "3");
            settings.put("topics.replication.factor", "3");
            settings.put("replication.factor", "3");
            settings.put("topic.min.insync.replicas", "2");
            VisionConfig config = VisionConfig.from(settings);
            String input = config.topics().input();

            List<Kill> kills = new ArrayList<>();
            try (ProcessorInstance processor = ProcessorInstance.start(config);
                    StateWatch states = new StateWatch(processor);
                    OutcomeCollector outcomes =
                            new OutcomeCollector(cluster.bootstrapServers(), registry, config.topics());
                    FrameFeeder feeder = new FrameFeeder(cluster.bootstrapServers(), registry, config);
                    Admin admin = cluster.admin()) {
                assertThat(processor.awaitRunning(Duration.ofSeconds(120)))
                        .as("processor RUNNING")
                        .isTrue();
                ClusterChecks.assertEveryTopicHasThreeReplicasAndMinIsrTwo(admin, config, APP);
                feeder.start();
                ClusterChecks.awaitPredicted(outcomes, feeder, PER_PHASE, 0, "before the first kill");

                for (String role :
                        List.of("leader of " + input + "-0", "transaction coordinator", "group coordinator")) {
                    int victim =
                            switch (role) {
                                case "transaction coordinator" -> ClusterChecks.transactionCoordinator(admin, APP);
                                case "group coordinator" -> ClusterChecks.groupCoordinator(admin, APP);
                                default -> ClusterChecks.leaderOf(admin, input, 0);
                            };
                    System.out.printf(
                            "hard crash: SIGKILL node %d, the %s; it leads %s%n",
                            victim, role, ClusterChecks.leadership(admin, config, APP, victim));
                    long sentBefore = feeder.sent();
                    long killedAt = System.nanoTime();
                    cluster.kill(victim);
                    long predicted = ClusterChecks.awaitPredicted(
                            outcomes, feeder, PER_PHASE, feeder.started(), "while node " + victim + " is dead");
                    cluster.restart(victim);
                    long downMs = (System.nanoTime() - killedAt) / 1_000_000;
                    cluster.awaitFullIsr(Duration.ofSeconds(90));
                    kills.add(new Kill(role, victim, sentBefore, predicted, downMs));
                }
                // The next kill's phase ran on the restarted nodes; this one shows the last is serving too.
                ClusterChecks.awaitPredicted(outcomes, feeder, PER_PHASE, feeder.started(), "after the last restart");
                feeder.stop();
                long sent = feeder.sent();
                assertThat(feeder.failure()).as("producer failure").isNull();
                outcomes.awaitOutcomes(sent, Duration.ofSeconds(120));

                Verification v = LiveSetup.verify(cluster.bootstrapServers(), config);
                System.out.printf(
                        "hard crash: %d frames sent, kills %s, states %s, %d s in all%n%s%n",
                        sent,
                        kills,
                        states.seen(),
                        (System.nanoTime() - began) / 1_000_000_000,
                        String.join("\n", v.lines()));
                assertThat(v.clean()).as(String.join("\n", v.lines())).isTrue();
                assertThat(v.inputs()).isEqualTo(sent);
                assertThat(v.total()).isEqualTo(new Verification.SourceCount(sent, sent, 0, 0, 0));
                assertThat(v.sources()).hasSize(FrameFeeder.SOURCES);
                assertThat(v.deadLetters()).isZero();
                assertThat(kills).hasSize(3);
                for (Kill kill : kills) {
                    long recoveries =
                            kills.stream().filter(k -> k.node() == kill.node()).count();
                    assertThat(Files.readString(cluster.logFile(kill.node())))
                            .as("node %d's log shows it recovered its logs after the SIGKILL", kill.node())
                            .containsPattern("(?s)(Recovering [1-9][0-9]* logs from .*? since no clean shutdown file"
                                    + " was found.*){" + recoveries + "}");
                }
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
