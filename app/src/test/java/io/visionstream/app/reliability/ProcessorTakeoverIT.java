package io.visionstream.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.app.verify.Verification;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Two processor JVMs with one {@code application.id} share the input partitions; one is killed with
 * SIGKILL mid-stream. Kafka Streams' own rebalancing hands its partitions, and the pending frames in
 * their stores' changelogs, to the survivor.
 */
class ProcessorTakeoverIT {

    @Test
    void whenOneOfTwoInstancesIsKilledTheSurvivorTakesOverItsPartitionsLosingAndDuplicatingNothing() throws Exception {
        try (ReliabilityScenario scenario = ReliabilityScenario.start("takeover")) {
            String a = "takeover-a";
            String b = "takeover-b";
            OutputTail tail = scenario.tail();
            scenario.startCameras();
            // Separate state directories: two instances on one machine are two machines to Kafka Streams.
            ProcessorJvm jvmA = scenario.launchProcessor(
                    scenario.processorSettings(a, "exactly_once_v2", scenario.directory("state-a")));
            ProcessorJvm jvmB = scenario.launchProcessor(
                    scenario.processorSettings(b, "exactly_once_v2", scenario.directory("state-b")));
            jvmA.awaitLogLine(ProcessorJvm.RUNNING_LINE, 1, Duration.ofMinutes(3));
            jvmB.awaitLogLine(ProcessorJvm.RUNNING_LINE, 1, Duration.ofMinutes(3));

            // Both must really work before the kill, or the test would pass with one idle instance.
            tail.await(
                    "both instances to own partitions, publish outcomes and catch up",
                    () -> !tail.partitionsLatestPublishedBy(a).isEmpty()
                            && !tail.partitionsLatestPublishedBy(b).isEmpty()
                            && tail.outcomesFrom(a) >= ReliabilityScenario.BATCH_SIZE
                            && tail.outcomesFrom(b) >= ReliabilityScenario.BATCH_SIZE
                            && scenario.caughtUp(),
                    Duration.ofMinutes(2),
                    scenario::diagnostics);
            // Between two of A's batches: frames of A's partitions then wait in its batcher and its store.
            scenario.awaitBetweenBatches(a, 700);
            Set<Integer> partitionsOfA = tail.partitionsLatestPublishedBy(a);
            Map<Integer, Long> survivorBefore = tail.outcomesByPartition(b);
            long outcomesOfA = tail.outcomesFrom(a);
            jvmA.kill();
            long framesOnlyInStore = scenario.framesOnlyInThePendingStore();

            tail.await(
                    b + " to publish frames of every partition " + a + " owned, " + partitionsOfA,
                    () -> partitionsOfA.stream()
                            .allMatch(p -> tail.outcomesByPartition(b).getOrDefault(p, 0L)
                                    > survivorBefore.getOrDefault(p, 0L)),
                    Duration.ofMinutes(2),
                    scenario::diagnostics);
            long sent = scenario.stopCameras();
            scenario.awaitDrained(sent, Duration.ofMinutes(2));
            Verification v = scenario.verify();
            String summary = "killed " + a + " (pid " + jvmA.pid() + ") owning partitions " + partitionsOfA
                    + " after " + outcomesOfA + " outcomes; frames only in its pending store at the kill "
                    + framesOnlyInStore + "; frames sent " + sent + "\n" + String.join("\n", v.lines());
            System.out.println(summary);
            String report = summary + "\n" + scenario.diagnostics();

            assertThat(partitionsOfA).as(report).isNotEmpty();
            assertThat(tail.partitionsLatestPublishedBy(b)).as(report).containsExactly(0, 1, 2, 3);
            ReliabilityScenario.assertVerifierReadEveryFrame(v, sent, report);
            v.sources().forEach((source, count) -> assertThat(count)
                    .as("%s\n%s", source, report)
                    .isEqualTo(new Verification.SourceCount(count.produced(), count.produced(), 0, 0, 0)));
            assertThat(v.clean()).as(report).isTrue();
        }
    }
}
