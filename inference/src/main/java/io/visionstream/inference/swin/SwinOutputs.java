package io.visionstream.inference.swin;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * What one pass of a {@link SwinTransformer} produces for a batch of B images.
 *
 * @param logits {@code [B, numClasses]}, or null when the model has no head
 * @param embedding the pooled pre-logits feature {@code [B, numFeatures]} (final norm, then average)
 * @param featureMaps each stage's output, channels-first {@code [B, C_i, H_i, W_i]}, before any norm
 *     (timm's {@code forward_intermediates(norm=False)}); strides and channels from {@link
 *     SwinTransformer#featureStrides()} and {@link SwinTransformer#featureChannels()}
 * @param normedFeatureMaps {@code norm_i} of each stage's output, {@code [B, C_i, H_i, W_i]}, as
 *     mmsegmentation's Swin backbone hands them to a dense head; null unless the model was built with
 *     stage norms
 */
public record SwinOutputs(NDArray logits, NDArray embedding, NDList featureMaps, NDList normedFeatureMaps) {}
