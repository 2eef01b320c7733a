package io.visionstream.inference.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * {@code nn.LayerNorm(dim, eps)} over the last axis only, {@code [*, D] -> [*, D]}, with timm's
 * parameter names {@code weight} and {@code bias} (DJL's own LayerNorm normalises all non-batch axes
 * and names them gamma/beta).
 */
final class LayerNorm extends TimmBlock {

    private final int dim;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;

    LayerNorm(int dim, double eps) {
        this.dim = dim;
        this.eps = (float) eps;
        weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.GAMMA)
                .optShape(new Shape(dim))
                .build());
        bias = addParameter(Parameter.builder()
                .setName("bias")
                .setType(Parameter.Type.BETA)
                .optShape(new Shape(dim))
                .build());
    }

    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = ps.getValue(bias, x.getDevice(), training);
        // F.layer_norm(x, (dim,), self.weight, self.bias, eps)
        return x.getNDArrayInternal().layerNorm(x, new Shape(dim), w, b, eps).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // leaf block: parameter shapes are fixed in the constructor
    }
}
