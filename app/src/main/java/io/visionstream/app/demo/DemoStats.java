package io.visionstream.app.demo;

import io.visionstream.schemas.avro.Prediction;
import io.visionstream.schemas.avro.PredictionStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the demo saw: frames sent with their true class, outcomes received, latencies, batch sizes and
 * accuracy against ground truth. Thread-safe (cameras report from their threads, the output reader from
 * its own).
 */
public final class DemoStats {

    private final Map<String, Integer> truth = new ConcurrentHashMap<>();
    private final Map<String, byte[]> truthMasks = new ConcurrentHashMap<>();
    // Accumulated over every mask scored: per class, pixels both say (intersection) and either says (union).
    private long[] intersection = new long[0];
    private long[] union = new long[0];
    private long masksScored;
    private long unseenPixels;
    private final List<Double> latenciesMs = Collections.synchronizedList(new ArrayList<>());
    private long sent;
    private long predictions;
    private long ok;
    private long correct;
    private long scored;
    private long skipped;
    private long deadLetters;
    private long batchSizeSum;
    private long windowPredictions;
    private long windowBatchSizeSum;
    private long windowStartNanos = System.nanoTime();

    /** A camera's frame reached the broker, with its true class and per-pixel mask. */
    public void sent(String source, long sequence, int trueLabel, byte[] trueMask) {
        truth.put(source + "#" + sequence, trueLabel);
        truthMasks.put(source + "#" + sequence, trueMask);
        synchronized (this) {
            sent++;
        }
    }

    /** A prediction came out. */
    public void prediction(Prediction p) {
        Integer label = truth.get(p.getSourceId() + "#" + p.getSequence());
        latenciesMs.add(p.getTimings().getEndToEndMs());
        synchronized (this) {
            predictions++;
            if (p.getStatus() == PredictionStatus.OK) {
                ok++;
                int batch = p.getLineage().getBatchSize() == null
                        ? 0
                        : p.getLineage().getBatchSize();
                batchSizeSum += batch;
                windowBatchSizeSum += batch;
                if (label != null && !p.getTopK().isEmpty()) {
                    scored++;
                    if (p.getTopK().get(0).getIndex() == label) {
                        correct++;
                    }
                }
            } else if (p.getStatus() == PredictionStatus.SKIPPED_STALE
                    || p.getStatus() == PredictionStatus.SKIPPED_OVERLOAD) {
                skipped++;
            }
            windowPredictions++;
        }
    }

    /**
     * A segmentation mask came out: scored against the camera's true mask. Pixels the model never saw
     * (value 255, cut by the center crop) are left out of the score and counted.
     */
    public void mask(String source, long sequence, byte[] predicted, int numClasses) {
        byte[] trueMask = truthMasks.remove(source + "#" + sequence);
        if (trueMask == null || trueMask.length != predicted.length) {
            return;
        }
        synchronized (this) {
            if (intersection.length < numClasses) {
                intersection = java.util.Arrays.copyOf(intersection, numClasses);
                union = java.util.Arrays.copyOf(union, numClasses);
            }
            for (int i = 0; i < predicted.length; i++) {
                int p = predicted[i] & 0xFF;
                int t = trueMask[i] & 0xFF;
                if (p == 255) {
                    unseenPixels++;
                    continue;
                }
                if (p == t) {
                    intersection[p]++;
                    union[p]++;
                } else {
                    if (p < union.length) {
                        union[p]++;
                    }
                    if (t < union.length) {
                        union[t]++;
                    }
                }
            }
            masksScored++;
        }
    }

    /** Mean over classes of intersection over union, accumulated over all masks; NaN before the first. */
    public synchronized double meanIou() {
        double sum = 0;
        int classes = 0;
        for (int c = 0; c < union.length; c++) {
            if (union[c] > 0) {
                sum += (double) intersection[c] / union[c];
                classes++;
            }
        }
        return classes == 0 ? Double.NaN : sum / classes;
    }

    /** A dead letter came out. */
    public synchronized void deadLetter() {
        deadLetters++;
    }

    public synchronized long sent() {
        return sent;
    }

    /** Outcomes out: predictions of every status plus dead letters. */
    public synchronized long outcomes() {
        return predictions + deadLetters;
    }

    /** Top-1 accuracy of OK predictions against the cameras' truth, or NaN before the first. */
    public synchronized double accuracy() {
        return scored == 0 ? Double.NaN : (double) correct / scored;
    }

    /** The p-th percentile (0..100) of end-to-end latency so far, ms, or NaN with none. */
    public double latencyPercentile(double p) {
        List<Double> copy;
        synchronized (latenciesMs) {
            copy = new ArrayList<>(latenciesMs);
        }
        if (copy.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(copy);
        int index = (int) Math.ceil(p / 100.0 * copy.size()) - 1;
        return copy.get(Math.max(0, Math.min(copy.size() - 1, index)));
    }

    /** One status line; resets the per-window rates. */
    public synchronized String statusLine() {
        double seconds = Math.max(1e-3, (System.nanoTime() - windowStartNanos) / 1e9);
        double fps = windowPredictions / seconds;
        double meanBatch = windowPredictions == 0 ? 0 : (double) windowBatchSizeSum / windowPredictions;
        windowPredictions = 0;
        windowBatchSizeSum = 0;
        windowStartNanos = System.nanoTime();
        return String.format(
                Locale.ROOT,
                "%6.1f frames/s | batch %4.1f | e2e p50 %5.0f ms p99 %5.0f ms | top-1 %s mIoU %s | in %d out %d"
                        + " | dead %d skipped %d",
                fps,
                meanBatch,
                latencyPercentile(50),
                latencyPercentile(99),
                Double.isNaN(accuracy()) ? "  -  " : String.format(Locale.ROOT, "%.3f", accuracy()),
                Double.isNaN(meanIou()) ? "  -  " : String.format(Locale.ROOT, "%.3f", meanIou()),
                sent,
                predictions + deadLetters,
                deadLetters,
                skipped);
    }

    /** The closing account. */
    public synchronized String summary() {
        return String.format(
                Locale.ROOT,
                "frames in %d / outcomes out %d (predictions %d: ok %d, skipped %d; dead letters %d)%n"
                        + "top-1 accuracy %s over %d scored frames; mIoU %s over %d masks%s%n"
                        + "mean batch %.2f; end-to-end p50 %.0f ms, p99 %.0f ms",
                sent,
                predictions + deadLetters,
                predictions,
                ok,
                skipped,
                deadLetters,
                Double.isNaN(accuracy()) ? "n/a" : String.format(Locale.ROOT, "%.3f", accuracy()),
                scored,
                Double.isNaN(meanIou())
                        ? "n/a (the model has no dense head)"
                        : String.format(Locale.ROOT, "%.3f", meanIou()),
                masksScored,
                unseenPixels == 0 ? "" : " (" + unseenPixels + " pixels cut by the crop not scored)",
                ok == 0 ? 0.0 : (double) batchSizeSum / ok,
                latencyPercentile(50),
                latencyPercentile(99));
    }
}
