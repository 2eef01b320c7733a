/**
 * The served model as one unit: a {@link io.visionstream.inference.vit.VisionTransformer} backbone, its
 * CLS classifier and an optional {@link io.visionstream.inference.heads.UperNetHead} dense head, run
 * with one backbone pass per batch ({@link io.visionstream.inference.model.VisionModel}), its model
 * directory format ({@link io.visionstream.inference.model.ModelDirectory}: timm's {@code config.json}
 * plus a {@code dense_head} object, one {@code model.safetensors} holding backbone and {@code
 * decode_head.*} tensors).
 *
 * <p>Depends on {@code vit}, {@code heads}, {@code weights} and {@code image}; no Kafka, no training
 * code.
 */
package io.visionstream.inference.model;
