package io.visionstream.inference.engine;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Path;

/** Opens the engine for a model folder; the one place that picks a backend. */
public final class InferenceEngines {

    private InferenceEngines() {}

    /**
     * Opens a model folder of any registered family ({@code config.json} + {@code model.safetensors}) on the DJL/PyTorch
     * backend at the checkpoint's input size.
     *
     * @throws IOException when the folder is missing or invalid
     * @throws IllegalArgumentException for settings the machine cannot honour (e.g. BF16 without GPU)
     */
    public static InferenceEngine open(Path modelDir, EngineOptions options) throws IOException {
        return DjlEngine.open(modelDir, options);
    }

    /**
     * Sets how many threads libtorch uses inside one operation ({@code torch.set_num_threads}) for the
     * calling thread and for every thread that runs its first libtorch operation afterwards; threads
     * that already ran one keep their count. Call it on each inference thread before its first batch to
     * be sure. Fewer threads than cores leave room for the threads that feed the model (Kafka clients,
     * decoding, an in-process broker) and avoid the stalls a parallel region suffers when one of its
     * threads is descheduled.
     *
     * @throws IllegalArgumentException unless {@code threads} is at least 1
     */
    public static void setIntraOpThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("inference.threads must be at least 1, got " + threads);
        }
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
    }

    /** libtorch's intra-op threads now (its default is one per physical core). */
    public static int intraOpThreads() {
        Engine.getEngine("PyTorch");
        return JniUtils.getNumThreads();
    }
}
