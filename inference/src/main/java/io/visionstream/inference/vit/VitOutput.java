package io.visionstream.inference.vit;

import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * Logits and embedding from one forward pass; both arrays belong to the manager of the input.
 *
 * @param logits {@code [B, numClasses]}, or {@code null} when the model has no head ({@code
 *     num_classes=0})
 * @param embedding pre-logits pooled features {@code [B, D]}: the normed [CLS] token for "token"
 *     pooling, the {@code fc_norm} output for "avg", the mean of [CLS] and [DIST] for DeiT distilled
 */
public record VitOutput(NDArray logits, NDArray embedding) {

    /** Checks that the embedding is present. */
    public VitOutput {
        Objects.requireNonNull(embedding, "embedding");
    }
}
