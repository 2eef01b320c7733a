package io.visionstream.topology.processing;

import io.visionstream.inference.engine.InputBatch;
import java.nio.FloatBuffer;

/**
 * Where one frame's preprocessed pixels live: slot {@code index} of the engine input batch that its
 * micro-batch fills. Written once, on the stream thread, before the frame joins the batch; read by the
 * engine on an inference worker.
 *
 * @param batch the native input of the frame's micro-batch
 * @param index the frame's slot in it, as {@code MicroBatcher.nextSlot()} gave it
 */
record InputSlot(InputBatch batch, int index) {

    /** The slot's floats, {@code [3, H, W]}. */
    FloatBuffer floats() {
        return batch.slot(index);
    }
}
