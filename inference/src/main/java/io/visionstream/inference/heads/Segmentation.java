package io.visionstream.inference.heads;

import ai.djl.ndarray.NDArray;

/**
 * Result of {@link UperNetHead#segment}: both arrays live on the manager of the input feature maps,
 * which owns (and frees) them.
 *
 * @param logits per-pixel class scores {@code [B, K, H, W]} (float32)
 * @param classMap per-pixel argmax {@code [B, H, W]} (int64)
 */
public record Segmentation(NDArray logits, NDArray classMap) {}
