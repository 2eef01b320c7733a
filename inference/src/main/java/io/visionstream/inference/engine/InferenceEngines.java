package io.visionstream.inference.engine;

import java.io.IOException;
import java.nio.file.Path;

/** Opens the engine for a model folder; the one place that picks a backend. */
public final class InferenceEngines {

    private InferenceEngines() {}

    /**
     * Opens a timm model folder ({@code config.json} + {@code model.safetensors}) on the DJL/PyTorch
     * backend at the checkpoint's input size.
     *
     * @throws IOException when the folder is missing or invalid
     * @throws IllegalArgumentException for settings the machine cannot honour (e.g. BF16 without GPU)
     */
    public static InferenceEngine open(Path modelDir, EngineOptions options) throws IOException {
        return DjlVitEngine.open(modelDir, options);
    }
}
