/**
 * Checkpoints in timm's Hugging Face hub layout: a folder with {@code config.json} (architecture,
 * classes, pooling, {@code model_args}, {@code pretrained_cfg}, optional {@code label_names}) and
 * {@code model.safetensors} with timm's key names. Reads them into a backbone of any registered family
 * (resolved through {@link io.visionstream.inference.architectures.Architectures}, adapting what the
 * family adapts for another input size), writes them back, and exposes the preprocessing settings a
 * checkpoint was trained with. Also reads Hugging Face transformers' ViT folders.
 *
 * <p>Depends on {@code backbone}, {@code architectures} (and {@code vit} for the transformers format),
 * DJL's NDArray API and Jackson; no Kafka.
 */
package io.visionstream.inference.weights;
