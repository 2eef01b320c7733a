package io.visionstream.inference.weights;

import io.visionstream.inference.image.PreprocessConfig;
import io.visionstream.inference.vit.VisionTransformer;

/**
 * A model with checkpoint weights in place. Its arrays belong to the NDManager it was loaded with and
 * live until that manager closes.
 *
 * @param model the initialised model, at the requested input size ({@code model.config()})
 * @param checkpoint what the checkpoint's {@code config.json} says (at the checkpoint's own size)
 * @param preprocess preprocessing for the size the model runs at
 */
public record LoadedVit(VisionTransformer model, CheckpointConfig checkpoint, PreprocessConfig preprocess) {}
