package io.visionstream.topology.processing;

import io.visionstream.inference.engine.BatchResult;
import io.visionstream.inference.engine.ImageResult;
import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.topology.batching.MicroBatcher;
import java.util.List;

/**
 * Packs a batch of prepared frames into the engine's {@code [B, 3, H, W]} input and runs it. One per
 * stream thread's batcher; it reuses a full-size input buffer, so its runs are serialised (they are
 * anyway: one inference thread and one engine lock serve every stream thread).
 */
final class EngineRunner implements MicroBatcher.Runner<PreparedFrame, ImageResult> {

    private final InferenceEngine engine;
    private final int floatsPerImage;
    private final float[] fullBatch;

    EngineRunner(InferenceEngine engine, int maxBatchSize) {
        this.engine = engine;
        this.floatsPerImage = engine.info().floatsPerImage();
        this.fullBatch = new float[maxBatchSize * floatsPerImage];
    }

    @Override
    public synchronized List<ImageResult> run(List<PreparedFrame> frames) {
        int n = frames.size();
        // The engine takes an exact-length array: the reused buffer fits only a full batch.
        float[] input = n * floatsPerImage == fullBatch.length ? fullBatch : new float[n * floatsPerImage];
        for (int i = 0; i < n; i++) {
            System.arraycopy(frames.get(i).pixels(), 0, input, i * floatsPerImage, floatsPerImage);
        }
        BatchResult result = engine.infer(input, n);
        return result.images();
    }
}
