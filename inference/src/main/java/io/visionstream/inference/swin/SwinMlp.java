package io.visionstream.inference.swin;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.layers.CheckpointBlock;

/**
 * timm's {@code Mlp}: {@code fc1 -> GELU (exact, erf) -> fc2}, {@code [*, D] -> [*, D]}. Swin-local
 * stand-in for the shared Mlp the backbone seam moves into {@code layers}.
 */
final class SwinMlp extends CheckpointBlock {

    private final SwinLinear fc1;
    private final SwinLinear fc2;

    SwinMlp(int features, int hidden) {
        fc1 = addChild("fc1", new SwinLinear(features, hidden, true));
        fc2 = addChild("fc2", new SwinLinear(hidden, features, true));
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        // x = self.fc2(self.act(self.fc1(x)))  with act = nn.GELU() (approximate='none')
        return fc2.forward(ps, Activation.gelu(fc1.forward(ps, x, training)), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
