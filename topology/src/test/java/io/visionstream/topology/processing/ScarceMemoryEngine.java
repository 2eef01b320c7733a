package io.visionstream.topology.processing;

import ai.djl.engine.EngineException;
import io.visionstream.inference.engine.BatchResult;
import io.visionstream.inference.engine.InferenceEngine;
import io.visionstream.inference.engine.ModelInfo;
import io.visionstream.inference.image.DecodedImage;
import io.visionstream.inference.image.ImageEncoder;
import io.visionstream.schemas.avro.Frame;
import io.visionstream.schemas.avro.ImageEncoding;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A model on a "device" short of memory: it throws libtorch's CUDA out-of-memory error for any batch of
 * more than {@code maxBatch} images, and for any batch that holds an image of one flat colour (every pixel
 * of its first channel equal, see {@link #flatFrame}); otherwise the wrapped model runs. Records every
 * batch size it was asked to run. Thread-safe if the wrapped model is.
 */
public final class ScarceMemoryEngine implements InferenceEngine {

    /** The message of its failures, as libtorch words it. */
    public static final String OUT_OF_MEMORY =
            "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.78 GiB total capacity)";

    private final InferenceEngine model;
    private final int maxBatch;
    private final List<Integer> batchSizes = new ArrayList<>();

    public ScarceMemoryEngine(InferenceEngine model, int maxBatch) {
        this.model = model;
        this.maxBatch = maxBatch;
    }

    @Override
    public BatchResult infer(float[] chwBatch, int batchSize) {
        synchronized (batchSizes) {
            batchSizes.add(batchSize);
        }
        if (batchSize > maxBatch || holdsAFlatImage(chwBatch, batchSize)) {
            throw new EngineException(OUT_OF_MEMORY);
        }
        return model.infer(chwBatch, batchSize);
    }

    /** The sizes of the batches it was asked to run, in order. */
    public List<Integer> batchSizes() {
        synchronized (batchSizes) {
            return List.copyOf(batchSizes);
        }
    }

    private static boolean holdsAFlatImage(float[] chw, int batchSize) {
        int perImage = chw.length / batchSize;
        int perChannel = perImage / 3;
        for (int b = 0; b < batchSize; b++) {
            float first = chw[b * perImage];
            boolean flat = true;
            for (int i = 1; i < perChannel && flat; i++) {
                flat = Math.abs(chw[b * perImage + i] - first) < 1e-6f;
            }
            if (flat) {
                return true;
            }
        }
        return false;
    }

    /** {@code frame} with its image replaced by a JPEG of one flat grey: this engine fails on any batch holding it. */
    public static Frame flatFrame(Frame frame) {
        byte[] rgb = new byte[frame.getWidth() * frame.getHeight() * 3];
        Arrays.fill(rgb, (byte) 128);
        return Frame.newBuilder(frame)
                .setEncoding(ImageEncoding.JPEG)
                .setImage(ByteBuffer.wrap(
                        ImageEncoder.jpeg(new DecodedImage(frame.getWidth(), frame.getHeight(), rgb), 90)))
                .build();
    }

    @Override
    public ModelInfo info() {
        return model.info();
    }

    /** Leaves the wrapped model open: its owner closes it. */
    @Override
    public void close() {}
}
