/**
 * The architecture registry ({@link io.visionstream.inference.architectures.Architectures}): every timm
 * name the loader knows, the family it belongs to, and each family's keyword arguments ({@code
 * model_args}) — the ViT and DeiT names with our conv-stem extension, and the ResNetV2 hybrids with our
 * {@code backbone_args} extension. A family added later (Swin) registers one {@link
 * io.visionstream.inference.backbone.BackboneFamily} here.
 *
 * <p>Depends on {@code backbone}, {@code vit}, {@code hybrid} and {@code resnetv2}; no file formats, no
 * Kafka.
 */
package io.visionstream.inference.architectures;
