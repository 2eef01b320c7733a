package io.visionstream.inference.weights;

import io.visionstream.inference.backbone.BackboneConfig;
import io.visionstream.inference.image.PreprocessConfig;
import java.util.List;
import java.util.Objects;

/**
 * What a checkpoint's {@code config.json} says: the timm architecture name, the model configuration it
 * resolves to (architecture defaults overridden by {@code num_classes}, {@code global_pool} and {@code
 * model_args}), the preprocessing settings and the class names.
 *
 * @param architecture timm architecture name as written, e.g. {@code vit_base_patch16_224}, or the
 *     transformers class, e.g. {@code ViTForImageClassification}
 * @param format the folder's layout and key names
 * @param model the resolved backbone configuration (of the architecture's family) at the checkpoint's
 *     own input size
 * @param preprocess {@code pretrained_cfg} settings
 * @param labelNames {@code label_names}, one per class, or empty when the file has none
 */
public record CheckpointConfig(
        String architecture,
        Format format,
        BackboneConfig model,
        PreprocessConfig preprocess,
        List<String> labelNames) {

    /** Folder layouts the loader reads. */
    public enum Format {
        /** timm on the Hugging Face hub: config.json with pretrained_cfg, timm keys. */
        TIMM,
        /** Hugging Face transformers' ViT: config.json + preprocessor_config.json, {@code vit.*} keys. */
        HF_TRANSFORMERS
    }

    /**
     * Validates that labels, when present, match the number of classes.
     *
     * @throws IllegalArgumentException when {@code label_names} and {@code num_classes} disagree
     */
    public CheckpointConfig {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(preprocess, "preprocess");
        labelNames = List.copyOf(Objects.requireNonNull(labelNames, "labelNames"));
        if (!labelNames.isEmpty() && labelNames.size() != model.numClasses()) {
            throw new IllegalArgumentException(
                    "label_names has " + labelNames.size() + " entries but num_classes=" + model.numClasses());
        }
    }
}
