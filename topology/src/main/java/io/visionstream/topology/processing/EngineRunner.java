package io.visionstream.topology.processing;

import io.visionstream.inference.engine.BatchResult;
import io.visionstream.inference.engine.ImageResult;
import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.topology.batching.MicroBatcher;
import io.visionstream.topology.metrics.VisionMetrics;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Packs a batch of prepared frames into the engine's {@code [B, 3, H, W]} input and runs it. One per
 * stream thread's batcher. Its batches may run at the same time on several inference workers, so each
 * run takes its own full-size input array from a pool (at most one array per batch ever running at
 * once) instead of allocating about {@code max.batch.size} images' worth of floats per batch.
 */
final class EngineRunner implements MicroBatcher.Runner<PreparedFrame, ImageResult> {

    private final InferenceEngine engine;
    private final VisionMetrics metrics;
    private final int floatsPerImage;
    private final int fullBatchFloats;
    private final ConcurrentLinkedDeque<float[]> fullBatches = new ConcurrentLinkedDeque<>();

    EngineRunner(InferenceEngine engine, int maxBatchSize, VisionMetrics metrics) {
        this.engine = engine;
        this.metrics = metrics;
        this.floatsPerImage = engine.info().floatsPerImage();
        this.fullBatchFloats = Math.multiplyExact(maxBatchSize, floatsPerImage);
    }

    @Override
    public List<ImageResult> run(List<PreparedFrame> frames) {
        long started = System.nanoTime();
        int n = frames.size();
        // The engine takes an exact-length array: only a full batch can use a pooled one.
        boolean full = n * floatsPerImage == fullBatchFloats;
        float[] input = full ? takeFullBatch() : new float[n * floatsPerImage];
        try {
            for (int i = 0; i < n; i++) {
                System.arraycopy(frames.get(i).pixels(), 0, input, i * floatsPerImage, floatsPerImage);
            }
            BatchResult result = engine.infer(input, n);
            metrics.batchInference(System.nanoTime() - started);
            return result.images();
        } finally {
            if (full) {
                fullBatches.push(input);
            }
        }
    }

    private float[] takeFullBatch() {
        float[] pooled = fullBatches.poll();
        return pooled != null ? pooled : new float[fullBatchFloats];
    }
}
