package io.visionstream.inference.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

/**
 * {@code nn.LayerNorm(dim, eps)} over the last axis only, {@code [*, D] -> [*, D]}, with timm's
 * parameter names {@code weight} and {@code bias} (DJL's own LayerNorm normalises all non-batch axes
 * and names them gamma/beta). timm's ViT uses eps 1e-6, torchvision's Swin 1e-5.
 */
public final class LayerNorm extends CheckpointBlock {

    private final int dim;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * @param dim width D of the last axis
     * @param eps added to the variance
     */
    public LayerNorm(int dim, double eps) {
        this.dim = dim;
        this.eps = (float) eps;
        weight = addParameter(parameter("weight", Parameter.Type.GAMMA, new Shape(dim), true));
        bias = addParameter(parameter("bias", Parameter.Type.BETA, new Shape(dim), true));
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
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
