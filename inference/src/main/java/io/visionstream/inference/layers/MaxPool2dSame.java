package io.visionstream.inference.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;

/**
 * timm's {@code MaxPool2dSame}: TF "SAME" padding with {@code -inf}, then an unpadded max-pool. {@code
 * [B, C, H, W] -> [B, C, ceil(H / stride), ceil(W / stride)]}. No parameters.
 */
public final class MaxPool2dSame extends CheckpointBlock {

    private final int kernel;
    private final int stride;

    /**
     * @param kernel square window size
     * @param stride stride on both axes
     */
    public MaxPool2dSame(int kernel, int stride) {
        this.kernel = kernel;
        this.stride = stride;
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        // x = pad_same(x, k, s, value=-inf); F.max_pool2d(x, k, s, (0, 0))
        NDArray padded = SamePadding.pad(x, kernel, stride, Double.NEGATIVE_INFINITY);
        return Pool.maxPool2d(padded, new Shape(kernel, kernel), new Shape(stride, stride), new Shape(0, 0), false);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {
            new Shape(
                    in.get(0),
                    in.get(1),
                    SamePadding.outputSize(in.get(2), stride),
                    SamePadding.outputSize(in.get(3), stride))
        };
    }
}
