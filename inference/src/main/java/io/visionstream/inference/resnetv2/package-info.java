/**
 * timm's ResNetV2 in the non-pre-activation form the ViT hybrids use as their backbone ({@code
 * preact=False}, {@code stem_type='same'}, {@code StdConv2dSame(eps=1e-8)}, {@code GroupNormAct(32)}):
 * the 7x7/2 stem with a SAME 3x3/2 max-pool, and stages of {@link
 * io.visionstream.inference.resnetv2.Bottleneck} blocks with a 1x1 projection shortcut on each stage's
 * first block.
 *
 * <p>Module and parameter names follow timm's {@code resnetv2.py} ({@code stem.conv}, {@code
 * stages.1.blocks.0.downsample.conv}, {@code norm3}, ...) so that a hybrid checkpoint's {@code
 * patch_embed.backbone.*} tensors map onto {@link
 * io.visionstream.inference.layers.CheckpointBlock#checkpointParameters()} key for key. Depends on
 * {@code io.visionstream.inference.layers} and DJL's API only.
 */
package io.visionstream.inference.resnetv2;
