package io.visionstream.inference.engine;

import io.visionstream.inference.image.PreprocessConfig;
import io.visionstream.inference.weights.PreprocessSettings;

/** Bridges a loaded model's timm preprocessing settings to the image preprocessor that applies them. */
public final class ModelPreprocessing {

    private ModelPreprocessing() {}

    /** The eval transform the model was trained with, at the size the engine runs. */
    public static PreprocessConfig configFor(ModelInfo info) {
        PreprocessSettings p = info.preprocess();
        return PreprocessConfig.fromTimm(
                new int[] {p.channels(), info.height(), info.width()},
                p.mean().stream().mapToDouble(Double::doubleValue).toArray(),
                p.std().stream().mapToDouble(Double::doubleValue).toArray(),
                p.cropPct(),
                p.interpolation());
    }
}
