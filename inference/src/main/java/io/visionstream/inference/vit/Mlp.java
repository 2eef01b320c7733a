package io.visionstream.inference.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** timm's {@code Mlp}: {@code fc1 -> GELU (exact, erf) -> fc2}, {@code [B, N, D] -> [B, N, D]}. */
final class Mlp extends TimmBlock {

    private final int hiddenFeatures;
    private final Linear fc1;
    private final Linear fc2;

    Mlp(int inFeatures, int hiddenFeatures) {
        this.hiddenFeatures = hiddenFeatures;
        fc1 = addChildBlock("fc1", new Linear(inFeatures, hiddenFeatures, true));
        fc2 = addChildBlock("fc2", new Linear(hiddenFeatures, inFeatures, true));
    }

    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        // x = self.fc2(self.act(self.fc1(x)))  with act = nn.GELU() (approximate='none')
        return fc2.forward(ps, Activation.gelu(fc1.forward(ps, x, training)), training);
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
        Shape in = inputShapes[0];
        fc1.initialize(manager, dataType, in);
        fc2.initialize(manager, dataType, in.slice(0, in.dimension() - 1).add(hiddenFeatures));
    }
}
