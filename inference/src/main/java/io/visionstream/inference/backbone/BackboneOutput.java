package io.visionstream.inference.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.Objects;

/**
 * What one backbone pass produces; every array belongs to the manager of the input.
 *
 * @param logits {@code [B, numClasses]}, or null when the backbone has no classifier ({@code
 *     num_classes=0})
 * @param embedding the pooled pre-logits features {@code [B, numFeatures]} (timm's {@code
 *     forward_head(x, pre_logits=True)})
 * @param featureMaps the requested intermediate maps, {@code [B, C_i, h_i, w_i]} each, in the order
 *     asked for; empty when none was asked for
 */
public record BackboneOutput(NDArray logits, NDArray embedding, NDList featureMaps) {

    /** Checks that the embedding and the (possibly empty) list of maps are present. */
    public BackboneOutput {
        Objects.requireNonNull(embedding, "embedding");
        Objects.requireNonNull(featureMaps, "featureMaps");
    }
}
