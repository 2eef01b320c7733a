package io.visionstream.app.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Where the slowest frames' time goes at a fixed load: each prediction's own timings split into the
 * queue (arrival to the close of its batch), its batch's inference and the rest (producing, the broker,
 * the stream thread's poll and decode, waiting for a free inference worker, and the forward after the
 * batch), set beside the collector pauses of this JVM and the JIT compilers' share over the same
 * window. The top 1% of frames by end-to-end latency are compared with all frames: a component that is
 * much larger in the tail than at the median is where the tail comes from.
 */
final class LatencyTail {

    private LatencyTail() {}

    /**
     * One prediction at the offered load.
     *
     * @param captureMs the frame's capture time, epoch millis
     * @param endToEndMs capture to publication (the prediction's own figure)
     * @param seenMs capture to the moment a read_committed consumer polled it (includes the transaction commit)
     * @param queueMs arrival at the processor to the close of its batch
     * @param inferenceMs its batch's inference, NaN where the model did not run
     * @param batchSize frames in its batch, 0 where the model did not run
     */
    record Sample(long captureMs, double endToEndMs, double seenMs, double queueMs, double inferenceMs, int batchSize) {

        double restMs() {
            return endToEndMs - queueMs - (Double.isNaN(inferenceMs) ? 0 : inferenceMs);
        }

        boolean overlaps(Pause p) {
            long end = captureMs + (long) Math.ceil(endToEndMs);
            return p.startMs() < end && p.startMs() + p.durationMs() > captureMs;
        }
    }

    /** A stop-the-world collection the JVM reported, wall-clock start in epoch millis. */
    record Pause(String collector, String cause, long startMs, long durationMs) {}

    /**
     * Records the collections of this JVM from construction to {@link #close()}: HotSpot announces each
     * one through its collector beans (on JDK 17's G1 the young and mixed pauses and full collections;
     * the concurrent cycle's remark and cleanup pauses are not announced there before JDK 20).
     */
    static final class Pauses implements AutoCloseable {
        private final List<Pause> pauses = Collections.synchronizedList(new ArrayList<>());
        private final long jvmStartMs = ManagementFactory.getRuntimeMXBean().getStartTime();
        private final List<NotificationEmitter> emitters = new ArrayList<>();
        private final NotificationListener listener = this::onNotification;

        Pauses() {
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof NotificationEmitter emitter) {
                    emitter.addNotificationListener(listener, null, null);
                    emitters.add(emitter);
                }
            }
        }

        private void onNotification(Notification n, Object handback) {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                return;
            }
            GarbageCollectionNotificationInfo info =
                    GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
            pauses.add(new Pause(
                    info.getGcName(),
                    info.getGcCause(),
                    jvmStartMs + info.getGcInfo().getStartTime(),
                    info.getGcInfo().getDuration()));
        }

        List<Pause> snapshot() {
            synchronized (pauses) {
                return List.copyOf(pauses);
            }
        }

        @Override
        public void close() {
            for (NotificationEmitter emitter : emitters) {
                try {
                    emitter.removeNotificationListener(listener);
                } catch (ListenerNotFoundException e) {
                    // Already gone: nothing to remove.
                }
            }
        }
    }

    /**
     * The split. Percentiles are nearest-rank; "tail" is the frames at or above the end-to-end p99.
     *
     * @param pausesOverlappingTail tail frames whose capture-to-publication interval overlaps a pause
     * @param pausesOverlappingAll all frames whose interval overlaps a pause
     * @param jitCores JIT compiler cores over the window (an upper bound, see {@link Machine.JitReading})
     */
    record Split(
            int frames,
            double[] endToEnd,
            double[] seen,
            double[] queue,
            double[] inference,
            double[] rest,
            int tailFrames,
            double[] tailMeans,
            double[] allMeans,
            int pauses,
            long pauseTotalMs,
            long pauseMaxMs,
            int pausesOverlappingTail,
            int pausesOverlappingAll,
            double windowSeconds,
            double jitCores) {

        /** End-to-end p99 over p50. */
        double tailRatio() {
            return endToEnd[1] / endToEnd[0];
        }
    }

    /** The split of {@code samples} against the collections in {@code pauses}. */
    static Split of(List<Sample> samples, List<Pause> pauses, double windowSeconds, double jitCores) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no predictions to split");
        }
        double[] e2e = samples.stream().mapToDouble(Sample::endToEndMs).toArray();
        double p99 = percentile(e2e, 99);
        List<Sample> tail = samples.stream().filter(s -> s.endToEndMs() >= p99).toList();
        long total = pauses.stream().mapToLong(Pause::durationMs).sum();
        long max = pauses.stream().mapToLong(Pause::durationMs).max().orElse(0);
        return new Split(
                samples.size(),
                p50p99(e2e),
                p50p99(samples.stream().mapToDouble(Sample::seenMs).toArray()),
                p50p99(samples.stream().mapToDouble(Sample::queueMs).toArray()),
                p50p99(samples.stream()
                        .mapToDouble(Sample::inferenceMs)
                        .filter(v -> !Double.isNaN(v))
                        .toArray()),
                p50p99(samples.stream().mapToDouble(Sample::restMs).toArray()),
                tail.size(),
                means(tail),
                means(samples),
                pauses.size(),
                total,
                max,
                (int) tail.stream()
                        .filter(s -> pauses.stream().anyMatch(s::overlaps))
                        .count(),
                (int) samples.stream()
                        .filter(s -> pauses.stream().anyMatch(s::overlaps))
                        .count(),
                windowSeconds,
                jitCores);
    }

    /** Mean end to end, queue, inference, rest and batch size. */
    private static double[] means(List<Sample> samples) {
        return new double[] {
            samples.stream().mapToDouble(Sample::endToEndMs).average().orElse(Double.NaN),
            samples.stream().mapToDouble(Sample::queueMs).average().orElse(Double.NaN),
            samples.stream()
                    .mapToDouble(Sample::inferenceMs)
                    .filter(v -> !Double.isNaN(v))
                    .average()
                    .orElse(Double.NaN),
            samples.stream().mapToDouble(Sample::restMs).average().orElse(Double.NaN),
            samples.stream().mapToInt(Sample::batchSize).average().orElse(Double.NaN)
        };
    }

    private static double[] p50p99(double[] values) {
        return new double[] {percentile(values, 50), percentile(values, 99)};
    }

    /** Nearest-rank percentile; NaN for no values. */
    static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1))];
    }

    static void print(Split s, PrintStream out) {
        out.printf(
                Locale.ROOT,
                "latency split over %d predictions in %.0f s, p50 / p99 ms:%n",
                s.frames(),
                s.windowSeconds());
        row(out, "  end to end (capture to publication)", s.endToEnd());
        row(out, "  seen by a read_committed consumer", s.seen());
        row(out, "  queue (arrival to batch close)", s.queue());
        row(out, "  batch inference", s.inference());
        row(out, "  rest (Kafka in, decode, worker wait, forward)", s.rest());
        out.printf(Locale.ROOT, "%-52s %10.2f%n", "  end-to-end p99 / p50", s.tailRatio());
        out.printf(
                Locale.ROOT,
                "%-52s %s%n",
                "  means, top 1% (" + s.tailFrames() + " frames) vs all",
                String.format(
                        Locale.ROOT,
                        "e2e %.0f/%.0f, queue %.0f/%.0f, inference %.0f/%.0f, rest %.0f/%.0f ms, batch %.1f/%.1f",
                        s.tailMeans()[0],
                        s.allMeans()[0],
                        s.tailMeans()[1],
                        s.allMeans()[1],
                        s.tailMeans()[2],
                        s.allMeans()[2],
                        s.tailMeans()[3],
                        s.allMeans()[3],
                        s.tailMeans()[4],
                        s.allMeans()[4]));
        out.printf(
                Locale.ROOT,
                "%-52s %d, %d ms in all, longest %d ms; overlapping %d of %d tail frames, %d of %d frames%n",
                "  GC pauses in the window",
                s.pauses(),
                s.pauseTotalMs(),
                s.pauseMaxMs(),
                s.pausesOverlappingTail(),
                s.tailFrames(),
                s.pausesOverlappingAll(),
                s.frames());
        out.printf(Locale.ROOT, "%-52s %10.2f cores%n", "  JIT compilers in the window", s.jitCores());
    }

    private static void row(PrintStream out, String label, double[] p) {
        out.printf(Locale.ROOT, "%-52s %10.0f ms / %.0f ms%n", label, p[0], p[1]);
    }
}
