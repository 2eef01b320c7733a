package io.visionstream.topology.processing;

import io.visionstream.inference.engine.BatchResult;
import io.visionstream.inference.engine.ImageResult;
import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.inference.engine.InputBatch;
import io.visionstream.inference.engine.InputBatchPool;
import io.visionstream.topology.batching.MicroBatcher;
import io.visionstream.topology.metrics.VisionMetrics;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a batch of prepared frames on the engine, on an inference worker, and finishes their outputs
 * there: each frame's mask is projected back to the frame and encoded as PNG (when masks are published),
 * so that the stream thread does none of it.
 *
 * <p>The frames' pixels are already in the slots of their batch's {@link InputBatch}, where the stream
 * thread preprocessed them; the engine reads them in place. Only a batch whose slots are not one run (a
 * task's frames were removed from it while it formed) is packed into a spare input from the pool first.
 * Thread-safe: batches of one batcher may run on several workers at once.
 */
final class EngineRunner implements MicroBatcher.Runner<PreparedFrame, FrameResult> {

    private final InferenceEngine engine;
    private final InputBatchPool inputs;
    private final OutputRecords outputs;
    private final boolean masks;
    private final VisionMetrics metrics;

    /**
     * @param inputs the pool the frames' input batches come from (spares for packing are taken from it)
     * @param masks whether to encode each frame's mask
     */
    EngineRunner(
            InferenceEngine engine,
            InputBatchPool inputs,
            OutputRecords outputs,
            boolean masks,
            VisionMetrics metrics) {
        this.engine = engine;
        this.inputs = inputs;
        this.outputs = outputs;
        this.masks = masks;
        this.metrics = metrics;
    }

    @Override
    public List<FrameResult> run(List<PreparedFrame> frames) {
        long started = System.nanoTime();
        BatchResult result = infer(frames);
        metrics.batchInference(System.nanoTime() - started);
        List<FrameResult> finished = new ArrayList<>(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            ImageResult image = result.get(i);
            PreparedFrame frame = frames.get(i);
            finished.add(new FrameResult(image, masks ? outputs.maskPng(frame, image.classMap()) : null));
        }
        return finished;
    }

    private BatchResult infer(List<PreparedFrame> frames) {
        int n = frames.size();
        InputSlot first = frames.get(0).slot();
        boolean oneRun = true;
        for (int i = 1; i < n && oneRun; i++) {
            InputSlot slot = frames.get(i).slot();
            oneRun = slot.batch() == first.batch() && slot.index() == first.index() + i;
        }
        if (oneRun) {
            return engine.infer(first.batch(), first.index(), n);
        }
        InputBatch packed = inputs.take();
        try {
            for (int i = 0; i < n; i++) {
                InputSlot slot = frames.get(i).slot();
                slot.batch().copyImage(slot.index(), packed, i);
            }
            return engine.infer(packed, 0, n);
        } finally {
            inputs.give(packed);
        }
    }
}
