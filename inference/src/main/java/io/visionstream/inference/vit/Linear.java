package io.visionstream.inference.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * {@code nn.Linear(in_features, out_features, bias)} on the last axis: {@code [*, in] -> [*, out]}.
 * Parameters {@code weight [out, in]} and {@code bias [out]}, initialised as timm's
 * {@code trunc_normal_(std=.02)} / zeros (plain normal here). Not thread-safe to initialise; forward
 * may run concurrently once initialised.
 */
final class Linear extends TimmBlock {

    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    Linear(int inFeatures, int outFeatures, boolean withBias) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(outFeatures, inFeatures))
                .optInitializer(new NormalInitializer(0.02f))
                .build());
        bias = withBias
                ? addParameter(Parameter.builder()
                        .setName("bias")
                        .setType(Parameter.Type.BIAS)
                        .optShape(new Shape(outFeatures))
                        .build())
                : null;
    }

    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
        // F.linear(x, self.weight, self.bias)
        return x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        if (in.tail() != inFeatures) {
            throw new IllegalArgumentException("Linear expects last axis " + inFeatures + ", got " + in);
        }
        return new Shape[] {in.slice(0, in.dimension() - 1).add(outFeatures)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // leaf block: parameter shapes are fixed in the constructor
    }
}
