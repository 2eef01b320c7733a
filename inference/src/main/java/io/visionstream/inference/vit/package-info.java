/**
 * The Vision Transformer as DJL blocks, numerically equal to timm's {@code VisionTransformer} and
 * {@code VisionTransformerDistilled}: patch embedding (or a hybrid's, through {@link
 * io.visionstream.inference.vit.EmbedLayer}), class (and distillation) tokens, learned absolute position
 * embeddings, pre-norm transformer blocks, final norm, pooling and heads; its timm keyword arguments
 * ({@link io.visionstream.inference.vit.VitKwargs}) and timm's registered ViT and DeiT names ({@link
 * io.visionstream.inference.vit.VitArchitectures}).
 *
 * <p>{@link io.visionstream.inference.vit.VisionTransformer} implements the {@code backbone} seam. Block
 * and parameter names follow timm's {@code vision_transformer.py} ({@code patch_embed.proj}, {@code
 * blocks.3.attn.qkv}, {@code mlp.fc1}, ...), so that a timm state dict maps onto its {@code
 * checkpointParameters()} key for key. Every block works in training mode under DJL's autograd. Depends
 * on {@code backbone}, {@code layers} and DJL's API only: no file formats, no Kafka.
 */
package io.visionstream.inference.vit;
