package io.visionstream.inference.model;

import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * What one forward pass of a {@link VisionModel} produces for a batch of {@code B} images of {@code H x
 * W} pixels. Every array belongs to the manager of the input batch.
 *
 * @param logits classifier logits {@code [B, numClasses]}, or null when the backbone has no classifier
 * @param embedding pre-logits pooled feature {@code [B, D]}
 * @param denseLogits per-pixel class logits at the input resolution {@code [B, K, H, W]}, or null when
 *     the model has no dense head
 */
public record ModelOutputs(NDArray logits, NDArray embedding, NDArray denseLogits) {

    /** Checks that the embedding is present. */
    public ModelOutputs {
        Objects.requireNonNull(embedding, "embedding");
    }
}
