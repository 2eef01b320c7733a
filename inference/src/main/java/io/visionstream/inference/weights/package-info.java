/**
 * Checkpoints in timm's Hugging Face hub layout: a folder with {@code config.json} (architecture,
 * classes, pooling, {@code model_args}, {@code pretrained_cfg}, optional {@code label_names}) and
 * {@code model.safetensors} with timm's key names. Reads them into a {@link
 * io.visionstream.inference.vit.VisionTransformer} (resampling the position grid for another input
 * size), writes them back, and exposes the preprocessing settings a checkpoint was trained with.
 *
 * <p>Depends on the {@code vit} package, DJL's NDArray API and Jackson; no Kafka.
 */
package io.visionstream.inference.weights;
