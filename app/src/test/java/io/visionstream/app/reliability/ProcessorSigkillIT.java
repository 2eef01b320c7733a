package io.visionstream.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.visionstream.app.verify.Verification;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The processor as a separate JVM, killed with SIGKILL again and again while cameras keep producing and
 * frames wait in batches, after Kafka's {@code StreamsEosTest}: each kill is followed by a fresh JVM with
 * the same {@code application.id} and the same {@code state.dir}, as a supervisor restarting a crashed
 * container would do. Once the cameras stop and the last instance has drained, the verifier reads
 * everything with read_committed and accounts for every frame by its input partition and offset.
 */
class ProcessorSigkillIT {

    private static final int KILLS = 3;

    /** Outcomes a fresh instance must publish before it is killed: it has really taken up the stream. */
    private static final int OUTCOMES_BEFORE_KILL = 2 * ReliabilityScenario.BATCH_SIZE;

    /**
     * A batch closes about every {@value ReliabilityScenario#BATCH_DELAY_MS} ms; this long after the last
     * one, several frames wait in the next.
     */
    private static final long QUIET_BEFORE_KILL_MS = 700;

    /** One kill cycle's record, for the report. */
    private record Kill(String instance, long outcomesPublished, long framesOnlyInStore) {}

    @Test
    void underExactlyOnceRepeatedSigkillsLoseNoFrameAndDuplicateNone() throws Exception {
        try (ReliabilityScenario scenario = ReliabilityScenario.start("sigkill-eos")) {
            Outcome run = killRepeatedly(scenario, "exactly_once_v2", Map.of());
            Verification v = run.verification();
            System.out.println(run.summary());
            String report = run.summary() + "\n" + scenario.diagnostics();

            ReliabilityScenario.assertVerifierReadEveryFrame(v, run.framesSent(), report);
            v.sources().forEach((source, count) -> assertThat(count)
                    .as("%s\n%s", source, report)
                    .isEqualTo(new Verification.SourceCount(count.produced(), count.produced(), 0, 0, 0)));
            assertThat(v.clean()).as(report).isTrue();
            assertThat(run.framesOnlyInStore()).as(report).isPositive();
        }
    }

    @Test
    void underAtLeastOnceRepeatedSigkillsLoseNoFrame() throws Exception {
        try (ReliabilityScenario scenario = ReliabilityScenario.start("sigkill-alos")) {
            // At least once commits every 30 s by default: an instance killed within seconds would never
            // have committed an input offset, and the pending store would never be needed. Commit as
            // often as exactly_once_v2 does, so that frames wait in the store with their offsets committed.
            Outcome run = killRepeatedly(scenario, "at_least_once", Map.of("commit.interval.ms", "100"));
            Verification v = run.verification();
            System.out.println(run.summary());
            String report = run.summary() + "\n" + scenario.diagnostics();

            ReliabilityScenario.assertVerifierReadEveryFrame(v, run.framesSent(), report);
            v.sources().forEach((source, count) -> assertThat(count.missing())
                    .as("%s missing\n%s", source, report)
                    .isZero());
            assertThat(v.missingOffsets()).as(report).isEmpty();
            assertThat(run.framesOnlyInStore()).as(report).isPositive();
        }
    }

    /** What one scenario run produced: the kills, the frames sent and the verifier's account. */
    private record Outcome(List<Kill> kills, long framesSent, Verification verification, Duration took) {

        long framesOnlyInStore() {
            return kills.stream().mapToLong(Kill::framesOnlyInStore).sum();
        }

        /** The kills, the frames and the verifier's table. */
        String summary() {
            return "kills " + kills + "\nframes sent " + framesSent + ", run took " + took.toSeconds() + " s, "
                    + "duplicated " + verification.total().duplicated() + ", out of order "
                    + verification.total().outOfOrder() + "\n" + String.join("\n", verification.lines());
        }
    }

    /**
     * Starts the cameras, then {@value #KILLS} times: starts a processor JVM, waits until it has
     * published {@value #OUTCOMES_BEFORE_KILL} outcomes and caught up with the cameras, waits until it is
     * between batches ({@value #QUIET_BEFORE_KILL_MS} ms after its last outcome), SIGKILLs it and counts
     * the frames left only in the pending store. A last instance then runs while the cameras stop and
     * until it has drained.
     */
    private static Outcome killRepeatedly(ReliabilityScenario scenario, String guarantee, Map<String, String> extra)
            throws Exception {
        long began = System.nanoTime();
        Path stateDir = scenario.directory("state");
        scenario.startCameras();
        List<Kill> kills = new ArrayList<>();
        OutputTail tail = scenario.tail();
        for (int round = 0; round <= KILLS; round++) {
            String instance = scenario.applicationId() + "-" + round;
            Map<String, String> settings = scenario.processorSettings(instance, guarantee, stateDir);
            settings.putAll(extra);
            ProcessorJvm jvm = scenario.startProcessor(settings);
            tail.await(
                    instance + " to publish " + OUTCOMES_BEFORE_KILL + " outcomes and catch up with the cameras",
                    () -> tail.outcomesFrom(instance) >= OUTCOMES_BEFORE_KILL && scenario.caughtUp(),
                    Duration.ofMinutes(2),
                    scenario::diagnostics);
            if (round == KILLS) {
                break; // the last instance drains
            }
            scenario.awaitBetweenBatches(instance, QUIET_BEFORE_KILL_MS);
            jvm.kill();
            kills.add(new Kill(instance, tail.outcomesFrom(instance), scenario.framesOnlyInThePendingStore()));
        }
        long sent = scenario.stopCameras();
        scenario.awaitDrained(sent, Duration.ofMinutes(2));
        return new Outcome(kills, sent, scenario.verify(), Duration.ofNanos(System.nanoTime() - began));
    }
}
