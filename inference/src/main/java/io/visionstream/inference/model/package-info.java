/**
 * The served model as one unit: a {@link io.visionstream.inference.backbone.Backbone} of any registered
 * family, its classifier and an optional {@link io.visionstream.inference.heads.UperNetHead} dense head,
 * run with one backbone pass per batch ({@link io.visionstream.inference.model.VisionModel}), and its
 * model directory format ({@link io.visionstream.inference.model.ModelDirectory}: timm's {@code
 * config.json} plus a {@code dense_head} object, one {@code model.safetensors} holding backbone and
 * {@code decode_head.*} tensors).
 *
 * <p>Depends on {@code backbone}, {@code heads}, {@code weights} and {@code image}; never on a family's
 * classes. No Kafka, no training code.
 */
package io.visionstream.inference.model;
