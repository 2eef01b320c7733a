package io.visionstream.inference.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;

/**
 * {@code nn.Linear(in_features, out_features, bias)} on the last axis: {@code [*, in] -> [*, out]}.
 * Parameters {@code weight [out, in]} and {@code bias [out]}, initialised as timm's {@code
 * trunc_normal_(std=.02)} / zeros (plain normal here). Not thread-safe to initialise; forward may run
 * concurrently once initialised.
 */
public final class Linear extends CheckpointBlock {

    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * @param inFeatures width of the input's last axis
     * @param outFeatures width of the output's last axis
     * @param withBias whether the layer has a bias
     */
    public Linear(int inFeatures, int outFeatures, boolean withBias) {
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
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
        // F.linear(x, self.weight, self.bias), on the input folded to 2-d: the C++ frontend's linear, which
        // DJL calls, fuses the bias into one addmm only for a 2-d input; for [B, N, in] it runs a matmul
        // and then a second pass over the whole output to add the bias. Folding the leading axes is a view
        // of a contiguous input (every caller's is), so the fused path costs nothing extra.
        Shape shape = x.getShape();
        if (b == null || shape.dimension() == 2) {
            return x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
        }
        // the folded views are closed at once, as every intermediate of a block is (see Attention)
        try (NDArray flat = x.reshape(-1, inFeatures);
                NDArray out = flat.getNDArrayInternal().linear(flat, w, b).singletonOrThrow()) {
            return out.reshape(shape.slice(0, shape.dimension() - 1).add(outFeatures));
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        if (in.tail() != inFeatures) {
            throw new IllegalArgumentException("Linear expects last axis " + inFeatures + ", got " + in);
        }
        return new Shape[] {in.slice(0, in.dimension() - 1).add(outFeatures)};
    }
}
