/**
 * Swin Transformer (v1) as DJL blocks, numerically equal to timm's {@code swin_transformer.py} on every
 * map the window plan divides, and to torchvision's and mmsegmentation's Swin where a map has to be
 * padded: patch embedding with norm, window attention with a learned relative position bias, shifted
 * windows (cyclic shift by slices and concatenation, DJL has no {@code roll}), patch merging, stages,
 * final norm, average pool and linear head. Optional per-stage LayerNorms ({@code norm0..norm3}, as
 * mmsegmentation's Swin backbone has them) turn the four stage maps into a dense-head pyramid.
 *
 * <p>Block and parameter names follow timm's current layout ({@code patch_embed.proj}, {@code
 * layers.1.downsample.reduction}, {@code layers.0.blocks.1.attn.relative_position_bias_table}, {@code
 * head.fc}), so a timm state dict maps onto {@link io.visionstream.inference.swin.SwinTransformer}'s
 * {@code checkpointParameters()} key for key; {@link io.visionstream.inference.swin.SwinWeights} maps
 * older checkpoints the way timm's {@code checkpoint_filter_fn} does. The relative position index and
 * the shift masks are computed here, never loaded. {@link io.visionstream.inference.swin.SwinTransformer}
 * is a {@code Backbone} (four stage maps at strides 4 to 32; with stage norms its intermediates are
 * mmsegmentation's normed outputs), registered as the {@code swin} family in {@code Architectures}.
 *
 * <p>Maps are channels-last {@code [B, H, W, C]} inside the model, as in timm; the stage maps handed
 * out are channels-first {@code [B, C, H, W]}. Every block works in inference and, under DJL's
 * autograd, in training. Linear, LayerNorm (eps 1e-5), MLP and drop path are the shared {@code layers}
 * classes, with the same keys and numerics as the stand-ins they replaced.
 * Depends on {@code io.visionstream.inference.layers} and DJL's API only: no file formats, no Kafka.
 */
package io.visionstream.inference.swin;
