/**
 * Hybrid Vision Transformers, as timm's {@code vision_transformer_hybrid.py}: a convolutional backbone
 * whose feature map {@link io.visionstream.inference.hybrid.HybridEmbed} turns into tokens for the ViT
 * in place of the patch embedding. {@link io.visionstream.inference.hybrid.ResNetEmbed} uses timm's
 * ResNetV2 ({@code io.visionstream.inference.resnetv2}) for the registered {@code vit_*_r*} architectures
 * ({@link io.visionstream.inference.hybrid.HybridArchitectures}); {@link
 * io.visionstream.inference.hybrid.ConvStemEmbed} uses Xiao et al.'s convolutional stem ({@link
 * io.visionstream.inference.hybrid.ConvStem}) for models trained from scratch.
 *
 * <p>Keys follow timm's: the embedding is {@code patch_embed}, its backbone {@code
 * patch_embed.backbone.*}, its projection {@code patch_embed.proj.*}. Depends on {@code vit}, {@code
 * resnetv2}, {@code layers} and DJL's API only.
 */
package io.visionstream.inference.hybrid;
