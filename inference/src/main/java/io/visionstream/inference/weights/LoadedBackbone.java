package io.visionstream.inference.weights;

import io.visionstream.inference.backbone.Backbone;
import io.visionstream.inference.image.PreprocessConfig;

/**
 * A backbone of any family with checkpoint weights in place. Its arrays belong to the NDManager it was
 * loaded with and live until that manager closes.
 *
 * @param backbone the initialised backbone, at the requested input size ({@code backbone.config()})
 * @param checkpoint what the checkpoint's {@code config.json} says (at the checkpoint's own size)
 * @param preprocess preprocessing for the size the backbone runs at
 */
public record LoadedBackbone(Backbone backbone, CheckpointConfig checkpoint, PreprocessConfig preprocess) {}
