package io.visionstream.inference.swin;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import io.visionstream.inference.layers.CheckpointBlock;

/**
 * {@code nn.Linear(in, out, bias)} on the last axis, {@code [*, in] -> [*, out]}: parameters {@code
 * weight [out, in]} (normal, std 0.02, when initialised from scratch) and optionally {@code bias [out]}
 * (zeros). Swin-local stand-in for the shared Linear the backbone seam moves into {@code layers}.
 */
final class SwinLinear extends CheckpointBlock {

    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    SwinLinear(int inFeatures, int outFeatures, boolean withBias) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(outFeatures, inFeatures))
                .optInitializer(new NormalInitializer(0.02f))
                .build());
        bias = withBias ? addParameter(parameter("bias", Parameter.Type.BIAS, new Shape(outFeatures), true)) : null;
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        if (x.getShape().tail() != inFeatures) {
            throw new IllegalArgumentException("Linear expects last axis " + inFeatures + ", got " + x.getShape());
        }
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
        // F.linear(x, self.weight, self.bias)
        return x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(outFeatures)};
    }
}
