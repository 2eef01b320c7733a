package io.visionstream.inference.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

/**
 * timm's {@code DropPath} (stochastic depth): in training, each sample's residual branch is zeroed
 * with probability {@code dropProb} and the kept ones are scaled by {@code 1 / (1 - dropProb)}; in
 * inference, and with {@code dropProb == 0}, it is the identity. {@code [B, ...] -> [B, ...]}. No
 * parameters. Uses the engine's random generator.
 */
public final class DropPath extends CheckpointBlock {

    private final double dropProb;

    /**
     * @param dropProb probability of dropping a sample's branch, in {@code [0, 1)}
     * @throws IllegalArgumentException for a probability outside {@code [0, 1)}
     */
    public DropPath(double dropProb) {
        if (!(dropProb >= 0 && dropProb < 1)) {
            throw new IllegalArgumentException("drop_path probability must be in [0, 1), got " + dropProb);
        }
        this.dropProb = dropProb;
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        if (!training || dropProb == 0) {
            return x;
        }
        double keep = 1 - dropProb;
        // shape = (x.shape[0],) + (1,) * (x.ndim - 1); mask = x.new_empty(shape).bernoulli_(keep) / keep
        long[] dims = new long[x.getShape().dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = x.getShape().get(0);
        NDArray uniform = x.getManager().randomUniform(0f, 1f, new Shape(dims), x.getDataType(), x.getDevice());
        // the mask never requires a gradient, so a Number operand here is not kept by autograd
        NDArray mask = uniform.lt(keep).toType(x.getDataType(), false).div(keep);
        return x.mul(mask);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
