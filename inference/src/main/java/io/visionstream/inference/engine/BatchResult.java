package io.visionstream.inference.engine;

import java.util.List;

/**
 * Per-image results of one {@link InferenceEngine#infer} call, in input order.
 *
 * @param images one result per input image
 */
public record BatchResult(List<ImageResult> images) {

    /** Copies the list. */
    public BatchResult {
        images = List.copyOf(images);
    }

    /** Number of images. */
    public int size() {
        return images.size();
    }

    /** The result of image {@code i}. */
    public ImageResult get(int i) {
        return images.get(i);
    }
}
