package io.visionstream.inference.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.layers.CheckpointBlock;
import io.visionstream.inference.layers.Conv2dLayer;

/**
 * timm's {@code PatchEmbed}: a P x P convolution with stride P ({@code proj}, with bias), flattened to
 * tokens, {@code [B, C, H, W] -> [B, H/P * W/P, D]}. Keys {@code proj.weight [D, C, P, P]}, {@code
 * proj.bias [D]}.
 */
final class PatchEmbed extends CheckpointBlock {

    private final int patchSize;
    private final int embedDim;
    private final Conv2dLayer proj;

    PatchEmbed(int patchSize, int inChans, int embedDim) {
        this.patchSize = patchSize;
        this.embedDim = embedDim;
        proj = addChild("proj", new Conv2dLayer(inChans, embedDim, patchSize, patchSize, 0, true));
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray y = proj.forward(ps, x, training); // [B, D, H/P, W/P]
        // x = x.flatten(2).transpose(1, 2)  # NCHW -> NLC
        return y.reshape(x.getShape().get(0), embedDim, -1).transpose(0, 2, 1);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long n = (in.get(2) / patchSize) * (in.get(3) / patchSize);
        return new Shape[] {new Shape(in.get(0), n, embedDim)};
    }
}
