/**
 * The Vision Transformer as DJL blocks, numerically equal to timm's {@code VisionTransformer} and
 * {@code VisionTransformerDistilled}: patch embedding, class (and distillation) tokens, learned
 * absolute position embeddings, pre-norm transformer blocks, final norm, pooling and heads.
 *
 * <p>Block and parameter names follow timm's {@code vision_transformer.py} ({@code patch_embed.proj},
 * {@code blocks.3.attn.qkv}, {@code mlp.fc1}, ...), so that a timm state dict maps onto {@link
 * io.visionstream.inference.vit.VisionTransformer#timmParameters()} key for key. Every block works in
 * training mode under DJL's autograd. Depends on DJL's API only: no file formats, no Kafka.
 */
package io.visionstream.inference.vit;
