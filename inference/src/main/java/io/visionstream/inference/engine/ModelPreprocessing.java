package io.visionstream.inference.engine;

import io.visionstream.inference.image.PreprocessConfig;

/** Bridges a loaded model's timm preprocessing settings to the image preprocessor that applies them. */
public final class ModelPreprocessing {

    private ModelPreprocessing() {}

    /**
     * The eval transform the model was trained with, at the size the engine runs.
     *
     * @throws IllegalArgumentException for a transform the preprocessor does not implement (e.g. crop_mode
     *     "squash"), rather than serving with another one
     */
    public static PreprocessConfig configFor(ModelInfo info) {
        return info.preprocess().withSize(info.height(), info.width()).toPreprocessConfig();
    }
}
