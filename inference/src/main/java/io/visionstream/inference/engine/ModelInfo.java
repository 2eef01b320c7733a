package io.visionstream.inference.engine;

import io.visionstream.inference.image.PreprocessConfig;
import java.util.List;

/**
 * What an engine runs and expects.
 *
 * @param backend implementation name, e.g. "djl-pytorch"
 * @param architecture timm architecture name
 * @param channels C of the expected input
 * @param height H of the expected input
 * @param width W of the expected input
 * @param numClasses classifier outputs (0: no head)
 * @param embedDim embedding width D
 * @param labels class names, one per class, or empty
 * @param device where the model runs, e.g. "cpu()" or "gpu(0)"
 * @param precision parameter type in use
 * @param preprocess how to prepare images for this model (size equals {@code height x width})
 * @param segmentationClasses the dense head's class names, index = class value in a class map; empty
 *     when the model has no dense head (then {@link ImageResult#classMap()} is empty)
 */
public record ModelInfo(
        String backend,
        String architecture,
        int channels,
        int height,
        int width,
        int numClasses,
        int embedDim,
        List<String> labels,
        String device,
        Precision precision,
        PreprocessConfig preprocess,
        List<String> segmentationClasses) {

    /** Copies the labels. */
    public ModelInfo {
        // The preparation always matches the size the engine runs at, whatever size the checkpoint has.
        preprocess = preprocess.withSize(height, width);
        labels = List.copyOf(labels);
        segmentationClasses = List.copyOf(segmentationClasses);
    }

    /** Whether images get a per-pixel class map. */
    public boolean segments() {
        return !segmentationClasses.isEmpty();
    }

    /** Floats per image in {@link InferenceEngine#infer}'s input, {@code C * H * W}. */
    public int floatsPerImage() {
        return channels * height * width;
    }
}
