package io.visionstream.training.recipe;

import io.visionstream.inference.heads.DenseHeadConfig;
import io.visionstream.inference.image.Interpolation;
import io.visionstream.inference.image.PreprocessConfig;
import io.visionstream.inference.model.VisionModel;
import io.visionstream.inference.vit.VitConfig;
import java.util.List;

/** Tiny models with the trainer's layout (ViT, classifier, UPerNet head), built from the inference API. */
final class TinyModels {

    static final List<String> CLASSES = List.of("background", "circle", "square");
    static final int SIZE = 32;
    static final int DEPTH = 4;

    private TinyModels() {}

    /** 32x32 input, patch 8, width 16, depth 4, 2 heads, 3 classes, head channels 8. */
    static VisionModel vit() {
        return with(VitConfig.of(SIZE, 8, 16, DEPTH, 2, CLASSES.size()));
    }

    /** The same as a DeiT distilled model (adds {@code dist_token} and {@code head_dist}). */
    static VisionModel distilled() {
        return with(VitConfig.distilled(SIZE, 8, 16, DEPTH, 2, CLASSES.size()));
    }

    /** The ViT and classifier of {@link #vit} without the dense head. */
    static VisionModel classifierOnly() {
        VitConfig vit = VitConfig.of(SIZE, 8, 16, DEPTH, 2, CLASSES.size());
        return new VisionModel(vit, null, "vit_tiny_patch16_224", preprocess(), CLASSES);
    }

    private static PreprocessConfig preprocess() {
        double[] half = {0.5, 0.5, 0.5};
        return new PreprocessConfig(SIZE, SIZE, 1.0, Interpolation.BILINEAR, half, half);
    }

    private static VisionModel with(VitConfig vit) {
        DenseHeadConfig head =
                new DenseHeadConfig(16, DenseHeadConfig.quarterBlockIndices(DEPTH), 8, null, CLASSES.size(), CLASSES);
        return new VisionModel(vit, head, "vit_tiny_patch16_224", preprocess(), CLASSES);
    }
}
