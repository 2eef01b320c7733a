package io.visionstream.topology.processing;

import io.visionstream.inference.engine.InputBatch;
import io.visionstream.inference.engine.InputBatchPool;
import io.visionstream.topology.batching.MicroBatcher;
import java.util.List;

/**
 * The native input batches of one stream thread's micro-batches: the forming batch gets an {@link
 * InputBatch} from the pool when its first frame comes, each frame is preprocessed straight into the slot
 * it will have in the batch, and the closed batch's input goes back to the pool once its run on the model
 * is over ({@link #release}). A stream thread therefore holds at most {@code max.inflight.batches + 1}
 * input batches of {@code max.batch.size} images: the forming one and those closed and not yet run.
 *
 * <p>Not thread-safe: {@link #next} belongs to the stream thread that owns the batcher; {@link #release}
 * may be called from any thread.
 */
final class FrameSlots {

    private final InputBatchPool pool;
    private final MicroBatcher<PreparedFrame, ?> batcher;
    private InputBatch forming;
    private long formingNumber = -1;

    FrameSlots(InputBatchPool pool, MicroBatcher<PreparedFrame, ?> batcher) {
        this.pool = pool;
        this.batcher = batcher;
    }

    /**
     * The slot the next frame added to the batcher takes. A slot handed out and not used (the frame turned
     * out to be a dead letter) is simply handed out again.
     */
    InputSlot next() {
        long number = batcher.formingBatchNumber();
        if (forming == null || number != formingNumber) {
            // the previous input went with its batch when that closed; its run gives it back to the pool
            forming = pool.take();
            formingNumber = number;
        }
        return new InputSlot(forming, batcher.nextSlot());
    }

    /** Gives the input of a closed batch, whose frames are {@code frames}, back to the pool. */
    static void release(InputBatchPool pool, List<PreparedFrame> frames) {
        if (!frames.isEmpty()) {
            pool.give(frames.get(0).slot().batch());
        }
    }
}
