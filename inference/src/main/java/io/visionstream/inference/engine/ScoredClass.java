package io.visionstream.inference.engine;

/**
 * One of the top-k classes of an image.
 *
 * @param index class index into the logits
 * @param label the checkpoint's {@code label_names} entry, or the index as text when it has none
 * @param score softmax probability over all classes, in [0, 1]
 */
public record ScoredClass(int index, String label, float score) {}
