package io.visionstream.app.view;

import io.visionstream.inference.image.ClassPalette;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.avro.PredictionStatus;
import io.visionstream.schemas.avro.SegmentationMask;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The numbers the page shows, kept up to date by the viewer's consumer thread: counters, per-camera
 * frames per second and latency over a sliding window, what each camera's latest picture shows, and the
 * mask legend. {@link #snapshot} freezes them for the HTTP threads.
 *
 * <p>Not thread-safe: one thread (the consumer's) calls every method.
 */
final class LiveView {

    /** The window per-camera rates and latencies are taken over. */
    static final long WINDOW_MS = 5_000;

    private static final class CameraNumbers {
        // (arrival ms, latency ms) of the predictions within the window, oldest first.
        final ArrayDeque<long[]> recent = new ArrayDeque<>();
        final long sinceMs;
        long picture;
        long sequence = -1;
        String status;
        String label;
        float score;

        CameraNumbers(long sinceMs) {
            this.sinceMs = sinceMs;
        }
    }

    private final ClassPalette palette;
    private final int maxCameras;
    private final Map<String, CameraNumbers> cameras = new TreeMap<>();
    private List<Snapshot.LegendEntry> legend = List.of();
    private List<String> legendNames = List.of();
    private long frames;
    private long predictions;
    private long deadLetters;
    private long skipped;
    private long undecodable;
    private long changes;

    /** @param maxCameras cameras given numbers of their own at most; further ones are only counted */
    LiveView(ClassPalette palette, int maxCameras) {
        this.palette = palette;
        this.maxCameras = maxCameras;
    }

    void frame() {
        frames++;
        changes++;
    }

    void deadLetter() {
        deadLetters++;
        changes++;
    }

    void undecodable() {
        undecodable++;
        changes++;
    }

    /** A prediction arrived at {@code nowMs}: counts it and adds it to its camera's window. */
    void prediction(Prediction p, long nowMs) {
        predictions++;
        if (p.getStatus() != PredictionStatus.OK) {
            skipped++;
        }
        changes++;
        CameraNumbers camera = cameras.get(p.getSourceId());
        if (camera == null) {
            if (cameras.size() >= maxCameras) {
                return;
            }
            camera = new CameraNumbers(nowMs);
            cameras.put(p.getSourceId(), camera);
        }
        camera.recent.addLast(new long[] {nowMs, nowMs - p.getCaptureTime().toEpochMilli()});
        trim(camera, nowMs);
    }

    /** A mask's class names become the legend when they differ from the current one. */
    void mask(SegmentationMask mask) {
        if (mask.getClassNames().equals(legendNames)) {
            return;
        }
        legendNames = List.copyOf(mask.getClassNames());
        List<Snapshot.LegendEntry> entries = new ArrayList<>();
        for (int i = 1; i < legendNames.size() && i < palette.size(); i++) {
            entries.add(new Snapshot.LegendEntry(
                    i, legendNames.get(i), String.format(Locale.ROOT, "#%06x", palette.colour(i))));
        }
        legend = List.copyOf(entries);
        changes++;
    }

    /** {@code camera}'s picture is now version {@code picture}, showing this prediction's frame. */
    void shown(String camera, long picture, Prediction p, long nowMs) {
        CameraNumbers numbers = cameras.computeIfAbsent(camera, id -> new CameraNumbers(nowMs));
        numbers.picture = picture;
        numbers.sequence = p.getSequence();
        numbers.status = p.getStatus().name();
        boolean ok = p.getStatus() == PredictionStatus.OK && !p.getTopK().isEmpty();
        numbers.label = ok ? p.getTopK().get(0).getLabel() : null;
        numbers.score = ok ? p.getTopK().get(0).getScore() : 0;
        changes++;
    }

    /**
     * The current numbers, with windows trimmed to {@code nowMs}.
     *
     * @param unmatched and {@code ignored}: the join's counters
     */
    Snapshot snapshot(long version, long nowMs, long unmatched, long ignored) {
        List<Snapshot.CameraView> views = new ArrayList<>(cameras.size());
        for (var e : cameras.entrySet()) {
            CameraNumbers c = e.getValue();
            trim(c, nowMs);
            double latency = 0;
            for (long[] r : c.recent) {
                latency += r[1];
            }
            int n = c.recent.size();
            // A camera seen for less than the window has its rate taken over the time it has been seen.
            double seconds = Math.max(1_000, Math.min(WINDOW_MS, nowMs - c.sinceMs)) / 1000.0;
            views.add(new Snapshot.CameraView(
                    e.getKey(),
                    c.picture,
                    c.sequence,
                    c.status,
                    c.label,
                    c.score,
                    n / seconds,
                    n == 0 ? 0 : latency / n));
        }
        return new Snapshot(
                version,
                new Snapshot.Counters(frames, predictions, deadLetters, skipped, undecodable, unmatched, ignored),
                legend,
                views);
    }

    /** A number that changes whenever anything in the next snapshot would, sliding windows aside. */
    long changes() {
        return changes;
    }

    private static void trim(CameraNumbers camera, long nowMs) {
        while (!camera.recent.isEmpty() && camera.recent.peekFirst()[0] <= nowMs - WINDOW_MS) {
            camera.recent.pollFirst();
        }
    }
}
