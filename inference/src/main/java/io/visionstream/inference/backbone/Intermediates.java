package io.visionstream.inference.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.Objects;

/**
 * The result of {@link Backbone#forwardIntermediates}, as timm's {@code forward_intermediates(x,
 * indices, intermediates_only=False)} returns it: the requested maps and the final features.
 *
 * @param maps one map {@code [B, C_i, h_i, w_i]} per requested index, in the order asked for
 * @param features what {@link Backbone#forwardFeatures} returns, ready for {@link Backbone#forwardHead}
 */
public record Intermediates(NDList maps, NDArray features) {

    /** Checks that both parts are present. */
    public Intermediates {
        Objects.requireNonNull(maps, "maps");
        Objects.requireNonNull(features, "features");
    }
}
