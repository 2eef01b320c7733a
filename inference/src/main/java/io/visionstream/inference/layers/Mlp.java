package io.visionstream.inference.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;

/**
 * timm's {@code Mlp}: {@code fc1 -> GELU (exact, erf) -> fc2}, {@code [*, D] -> [*, D]}. Keys {@code
 * fc1.*}, {@code fc2.*}. No dropout (timm's default {@code drop=0.}).
 */
public final class Mlp extends CheckpointBlock {

    private final Linear fc1;
    private final Linear fc2;

    /**
     * @param inFeatures input and output width D
     * @param hiddenFeatures hidden width ({@code int(D * mlp_ratio)} in timm)
     */
    public Mlp(int inFeatures, int hiddenFeatures) {
        fc1 = addChild("fc1", new Linear(inFeatures, hiddenFeatures, true));
        fc2 = addChild("fc2", new Linear(hiddenFeatures, inFeatures, true));
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        // x = self.fc2(self.act(self.fc1(x)))  with act = nn.GELU() (approximate='none')
        // Each intermediate is closed at its last use (see Attention): fc1's output, 4x the tokens' width,
        // is the biggest tensor of a block.
        return scoped(x, in -> {
            NDArray hidden;
            try (NDArray projected = fc1.forward(ps, in, training)) {
                hidden = Activation.gelu(projected);
            }
            try (hidden) {
                return fc2.forward(ps, hidden, training);
            }
        });
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
