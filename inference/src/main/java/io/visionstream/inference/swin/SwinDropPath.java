package io.visionstream.inference.swin;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * timm's {@code drop_path} (stochastic depth): in training, each sample's residual branch is zeroed
 * with probability {@code rate} and the kept ones are scaled by {@code 1 / (1 - rate)}; in inference,
 * or at rate 0, the identity. Swin-local stand-in for the shared DropPath the backbone seam moves into
 * {@code layers}.
 */
final class SwinDropPath {

    private SwinDropPath() {}

    /**
     * @param x a residual branch, {@code [B, ...]}
     * @param rate drop probability in [0, 1)
     * @param training whether to drop
     * @return {@code x}, or {@code x} times a per-sample 0 or {@code 1 / (1 - rate)}
     */
    static NDArray apply(NDArray x, double rate, boolean training) {
        if (!training || rate == 0) {
            return x;
        }
        long[] dims = new long[x.getShape().dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = x.getShape().get(0);
        float keep = (float) (1 - rate);
        // random_tensor = x.new_empty(shape).bernoulli_(keep_prob).div_(keep_prob); x * random_tensor
        // Built outside the graph and as an engine-owned tensor: no Number operand enters autograd.
        NDArray keepMask = x.getManager()
                .randomUniform(0f, 1f, new Shape(dims), x.getDataType(), x.getDevice())
                .lt(keep)
                .toType(x.getDataType(), false)
                .divi(keep);
        return x.mul(keepMask);
    }
}
