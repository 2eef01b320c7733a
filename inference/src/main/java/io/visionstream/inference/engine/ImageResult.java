package io.visionstream.inference.engine;

import java.util.List;
import java.util.Objects;

/**
 * What the engine computed for one image. Arrays are owned by the result (not shared with the engine);
 * record equality on them is identity, compare contents with {@link java.util.Arrays}.
 *
 * <p>Outputs of later heads (e.g. a dense head's per-pixel classes) will be added as further
 * components, empty when the model has no such head.
 *
 * @param logits {@code [numClasses]}; empty when the model has no classifier head
 * @param topK best classes first, at most {@link EngineOptions#topK()}; empty without a head
 * @param embedding pre-logits pooled feature {@code [D]}
 */
public record ImageResult(float[] logits, List<Prediction> topK, float[] embedding) {

    /** Checks presence and copies the list. */
    public ImageResult {
        Objects.requireNonNull(logits, "logits");
        Objects.requireNonNull(embedding, "embedding");
        topK = List.copyOf(topK);
    }

    /** The best class, or null without a head. */
    public Prediction top1() {
        return topK.isEmpty() ? null : topK.get(0);
    }
}
