/**
 * Building blocks shared by model families and heads, each a DJL block numerically equal to the timm or
 * PyTorch module it is named after: {@link io.visionstream.inference.layers.Linear}, {@link
 * io.visionstream.inference.layers.LayerNorm}, {@link io.visionstream.inference.layers.Attention} (with an
 * optional additive bias or mask on the logits), {@link io.visionstream.inference.layers.Mlp}, {@link
 * io.visionstream.inference.layers.DropPath}, {@link io.visionstream.inference.layers.StdConv2dSame}
 * (weight-standardised convolution with TF "SAME" padding), {@link
 * io.visionstream.inference.layers.MaxPool2dSame}, {@link io.visionstream.inference.layers.GroupNormAct},
 * {@link io.visionstream.inference.layers.BatchNormAct2d}, {@link
 * io.visionstream.inference.layers.ConvNormAct} (also mmcv's {@code ConvModule}), a plain {@link
 * io.visionstream.inference.layers.Conv2dLayer}, and their common base {@link
 * io.visionstream.inference.layers.CheckpointBlock}, which lists parameters under PyTorch state-dict
 * keys.
 *
 * <p>Maps are channels-first, {@code [B, C, H, W]}; token sequences {@code [B, N, D]}. Every block works
 * in inference and, under DJL's autograd, in training. Depends on DJL's API only: no model family, no
 * file formats, no Kafka.
 */
package io.visionstream.inference.layers;
