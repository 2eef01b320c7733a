package io.visionstream.inference.model;

import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * Inference results for a batch of {@code B} images of {@code H x W} pixels; every array belongs to the
 * manager of the input batch.
 *
 * @param logits classifier logits {@code [B, numClasses]}, or null without a classifier
 * @param embedding pre-logits pooled feature {@code [B, D]}
 * @param classMap per-pixel argmax of the dense logits at the input resolution, {@code [B, H, W]}
 *     INT64, or null when the model has no dense head; {@link VisionModel#resizeClassMap} brings it to
 *     a frame's size
 */
public record PredictionTensors(NDArray logits, NDArray embedding, NDArray classMap) {

    /** Checks that the embedding is present. */
    public PredictionTensors {
        Objects.requireNonNull(embedding, "embedding");
    }
}
