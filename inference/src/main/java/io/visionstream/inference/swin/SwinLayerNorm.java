package io.visionstream.inference.swin;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.layers.CheckpointBlock;

/**
 * {@code nn.LayerNorm(dim, eps)} over the last axis only, {@code [*, D] -> [*, D]}, parameters {@code
 * weight} (ones) and {@code bias} (zeros). Swin-local stand-in for the shared LayerNorm the backbone
 * seam moves into {@code layers}.
 */
final class SwinLayerNorm extends CheckpointBlock {

    private final int dim;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;

    SwinLayerNorm(int dim, double eps) {
        this.dim = dim;
        this.eps = (float) eps;
        weight = addParameter(parameter("weight", Parameter.Type.GAMMA, new Shape(dim), true));
        bias = addParameter(parameter("bias", Parameter.Type.BETA, new Shape(dim), true));
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        if (x.getShape().tail() != dim) {
            throw new IllegalArgumentException("LayerNorm expects last axis " + dim + ", got " + x.getShape());
        }
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = ps.getValue(bias, x.getDevice(), training);
        // F.layer_norm(x, (dim,), self.weight, self.bias, eps)
        return x.getNDArrayInternal().layerNorm(x, new Shape(dim), w, b, eps).singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
