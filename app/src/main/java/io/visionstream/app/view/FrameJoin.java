package io.visionstream.app.view;

import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.avro.PredictionStatus;
import io.visionstream.schemas.avro.SegmentationMask;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Joins the processor's input and outputs by camera ({@code sourceId}) and {@code sequence}: a frame, its
 * prediction, and its segmentation mask when one is coming. The three arrive on different topics, so in
 * any order; what makes the join cheap and bounded is that each camera's frames, and each camera's
 * outcomes, arrive in sequence order (one key, one partition each).
 *
 * <ul>
 *   <li>Each camera keeps a small ring of recent sequences, at most {@code framesPerCamera} of them and
 *       {@code bytesPerCamera} of frame bytes; the oldest go first.
 *   <li>An outcome for a sequence newer than the camera's last frame waits in the ring for its frame, at
 *       most {@code frameWaitMs}. An
 *       outcome for a sequence the camera has passed, with no frame in the ring, never gets one: the frame
 *       came before the viewer started, or was evicted. It is counted ({@link #unmatchedPredictions()})
 *       and dropped. So is a waiting outcome once a newer frame arrives.
 *   <li>A frame is ready when it has its prediction and, if the prediction promises one, its mask. A mask
 *       that has not come {@code maskWaitMs} after its prediction is given up on, and the frame is drawn
 *       without it.
 *   <li>{@link #takeReady} hands out the newest ready frame of each camera and forgets everything older
 *       of that camera: the newest frame wins.
 * </ul>
 *
 * <p>Cameras past {@code maxCameras} are ignored and their records counted ({@link #ignoredRecords()}).
 *
 * <p>Not thread-safe: the viewer's one consumer thread owns it.
 */
final class FrameJoin {

    /** A frame with its prediction; {@code mask} is null when none was promised or it came too late. */
    record Joined(Frame frame, Prediction prediction, SegmentationMask mask) {}

    private static final class Entry {
        Frame frame;
        int frameBytes;
        long firstOutcomeAtMs;
        Prediction prediction;
        long predictionAtMs;
        SegmentationMask mask;
    }

    private static final class Camera {
        final TreeMap<Long, Entry> ring = new TreeMap<>();
        long frameBytes;
        Long lastFrame;
        long lastShown = Long.MIN_VALUE;
    }

    private final int maxCameras;
    private final int framesPerCamera;
    private final long bytesPerCamera;
    private final long maskWaitMs;
    private final long frameWaitMs;
    private final boolean masksEnabled;
    private final Map<String, Camera> cameras = new HashMap<>();
    private long unmatched;
    private long ignored;

    /**
     * @param maxCameras cameras tracked at most; records of further cameras are ignored and counted
     * @param framesPerCamera sequences each camera's ring holds at most, at least 1
     * @param bytesPerCamera frame bytes each camera's ring holds at most (its newest frame always stays)
     * @param maskWaitMs how long a frame waits for a promised mask after its prediction came
     * @param frameWaitMs how long an outcome waits for a frame the camera has not reached yet
     * @param masksEnabled the processor's {@code masks.enabled}: whether an OK prediction with a
     *     segmentation summary promises a mask
     */
    FrameJoin(
            int maxCameras,
            int framesPerCamera,
            long bytesPerCamera,
            long maskWaitMs,
            long frameWaitMs,
            boolean masksEnabled) {
        if (maxCameras < 1 || framesPerCamera < 1 || bytesPerCamera < 1 || maskWaitMs < 0 || frameWaitMs < 0) {
            throw new IllegalArgumentException("bad join bounds: " + maxCameras + " cameras, " + framesPerCamera
                    + " frames, " + bytesPerCamera + " bytes, " + maskWaitMs + " and " + frameWaitMs + " ms");
        }
        this.maxCameras = maxCameras;
        this.framesPerCamera = framesPerCamera;
        this.bytesPerCamera = bytesPerCamera;
        this.maskWaitMs = maskWaitMs;
        this.frameWaitMs = frameWaitMs;
        this.masksEnabled = masksEnabled;
    }

    /** A frame from the input topic. */
    void frame(Frame frame) {
        Camera camera = camera(frame.getSourceId());
        if (camera == null) {
            return;
        }
        long sequence = frame.getSequence();
        if (camera.lastFrame != null && sequence < camera.lastFrame) {
            // Sequences went back: the camera restarted. What the ring holds belongs to its previous run.
            while (!camera.ring.isEmpty()) {
                removeFirst(camera);
            }
            camera.lastShown = Long.MIN_VALUE;
        }
        // This camera's frames arrive in order, so outcomes still waiting for an older frame never get it.
        while (!camera.ring.isEmpty()
                && camera.ring.firstKey() < sequence
                && camera.ring.firstEntry().getValue().frame == null) {
            removeFirst(camera);
        }
        Entry entry = camera.ring.computeIfAbsent(sequence, s -> new Entry());
        camera.frameBytes -= entry.frameBytes;
        entry.frame = frame;
        entry.frameBytes = frame.getImage().remaining();
        camera.frameBytes += entry.frameBytes;
        camera.lastFrame = sequence;
        while (camera.ring.size() > framesPerCamera || (camera.frameBytes > bytesPerCamera && camera.ring.size() > 1)) {
            removeFirst(camera);
        }
    }

    /** A prediction (OK or skipped) from the predictions topic, received at {@code nowMs}. */
    void prediction(Prediction prediction, long nowMs) {
        Entry entry = outcomeEntry(prediction.getSourceId(), prediction.getSequence(), true, nowMs);
        if (entry != null) {
            entry.prediction = prediction;
            entry.predictionAtMs = nowMs;
        }
    }

    /** A segmentation mask from the masks topic, received at {@code nowMs}. */
    void mask(SegmentationMask mask, long nowMs) {
        Entry entry = outcomeEntry(mask.getSourceId(), mask.getSequence(), false, nowMs);
        if (entry != null) {
            entry.mask = mask;
        }
    }

    /**
     * The newest ready frame of each camera that has one, each removed with everything older of its camera.
     * Outcomes that waited {@code frameWaitMs} for a frame are counted and dropped.
     *
     * @param nowMs the clock {@link #prediction} and {@link #mask} were given, for the waits
     */
    List<Joined> takeReady(long nowMs) {
        List<Joined> ready = new ArrayList<>();
        for (Camera camera : cameras.values()) {
            // A camera whose frames never come (or not yet, past the wait) leaves its outcomes unmatched.
            var waiting = camera.ring.values().iterator();
            while (waiting.hasNext()) {
                Entry entry = waiting.next();
                if (entry.frame == null && nowMs - entry.firstOutcomeAtMs >= frameWaitMs) {
                    waiting.remove();
                    if (entry.prediction != null) {
                        unmatched++;
                    }
                }
            }
            for (var e : camera.ring.descendingMap().entrySet()) {
                Entry entry = e.getValue();
                if (isReady(entry, nowMs)) {
                    ready.add(new Joined(entry.frame, entry.prediction, entry.mask));
                    camera.lastShown = e.getKey();
                    while (!camera.ring.isEmpty() && camera.ring.firstKey() <= e.getKey()) {
                        removeFirst(camera);
                    }
                    break;
                }
            }
        }
        return ready;
    }

    /** Predictions whose frame this join never saw (before it started, or evicted), since it was made. */
    long unmatchedPredictions() {
        return unmatched;
    }

    /** Records ignored because their camera was past {@code maxCameras}. */
    long ignoredRecords() {
        return ignored;
    }

    /** Sequences held for {@code camera}, oldest first; for tests. */
    List<Long> held(String camera) {
        Camera c = cameras.get(camera);
        return c == null ? List.of() : List.copyOf(c.ring.keySet());
    }

    private boolean isReady(Entry entry, long nowMs) {
        if (entry.frame == null || entry.prediction == null) {
            return false;
        }
        return entry.mask != null || !promisesMask(entry.prediction) || nowMs - entry.predictionAtMs >= maskWaitMs;
    }

    private boolean promisesMask(Prediction prediction) {
        return masksEnabled && prediction.getStatus() == PredictionStatus.OK && prediction.getSegmentation() != null;
    }

    /** Where an outcome for {@code sequence} goes; null when it is dropped (and counted, for a prediction). */
    private Entry outcomeEntry(String source, long sequence, boolean isPrediction, long nowMs) {
        Camera camera = camera(source);
        if (camera == null) {
            return null;
        }
        if (sequence <= camera.lastShown) {
            // A newer frame of this camera is already on screen (a repeated outcome, say): nothing to draw.
            return null;
        }
        Entry entry = camera.ring.get(sequence);
        if (entry != null) {
            return entry;
        }
        if (camera.lastFrame != null && sequence <= camera.lastFrame) {
            if (isPrediction) {
                unmatched++;
            }
            return null;
        }
        entry = new Entry();
        entry.firstOutcomeAtMs = nowMs;
        camera.ring.put(sequence, entry);
        while (camera.ring.size() > framesPerCamera) {
            removeFirst(camera);
        }
        return entry;
    }

    private Camera camera(String source) {
        Camera camera = cameras.get(source);
        if (camera == null) {
            if (cameras.size() >= maxCameras) {
                ignored++;
                return null;
            }
            camera = new Camera();
            cameras.put(source, camera);
        }
        return camera;
    }

    private void removeFirst(Camera camera) {
        Entry gone = camera.ring.pollFirstEntry().getValue();
        camera.frameBytes -= gone.frameBytes;
        if (gone.frame == null && gone.prediction != null) {
            unmatched++;
        }
    }
}
