package io.visionstream.inference.engine;

import java.util.List;
import java.util.Objects;

/**
 * What the engine computed for one image. Arrays are owned by the result (not shared with the engine);
 * record equality on them is identity, compare contents with {@link java.util.Arrays}.
 *
 * <p>Outputs of heads the model may lack are empty rather than null.
 *
 * @param logits {@code [numClasses]}; empty when the model has no classifier head
 * @param topK best classes first, at most {@link EngineOptions#topK()}; empty without a head
 * @param embedding pre-logits pooled feature {@code [D]}
 * @param classMap the dense head's per-pixel argmax at the model's input size, {@code [H, W]} row-major,
 *     one byte per pixel holding the class index (see {@link ModelInfo#segmentationClasses()}); empty when
 *     the model has no dense head
 */
public record ImageResult(float[] logits, List<ScoredClass> topK, float[] embedding, byte[] classMap) {

    /** Checks presence and copies the list. */
    public ImageResult {
        Objects.requireNonNull(logits, "logits");
        Objects.requireNonNull(embedding, "embedding");
        Objects.requireNonNull(classMap, "classMap");
        topK = List.copyOf(topK);
    }

    /** The best class, or null without a head. */
    public ScoredClass top1() {
        return topK.isEmpty() ? null : topK.get(0);
    }
}
