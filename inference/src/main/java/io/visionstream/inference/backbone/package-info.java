/**
 * The seam between model families and everything on top of them: {@link
 * io.visionstream.inference.backbone.Backbone} (logits, pooled embedding, feature maps with their
 * channels and strides, as timm's {@code forward_features} / {@code forward_head} / {@code
 * forward_intermediates}), its configuration {@link io.visionstream.inference.backbone.BackboneConfig},
 * {@link io.visionstream.inference.backbone.FeatureInfo}, and a family's registration {@link
 * io.visionstream.inference.backbone.BackboneFamily} with the keyword arguments it reads ({@link
 * io.visionstream.inference.backbone.ModelArgs}).
 *
 * <p>Families ({@code vit}, {@code hybrid}, later {@code swin}) implement these; heads, the engine, the
 * loader and the trainer use only these. Depends on DJL's API only.
 */
package io.visionstream.inference.backbone;
