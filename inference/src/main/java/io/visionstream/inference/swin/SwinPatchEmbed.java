package io.visionstream.inference.swin;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.layers.CheckpointBlock;
import io.visionstream.inference.layers.Conv2dLayer;
import io.visionstream.inference.layers.LayerNorm;

/**
 * timm's {@code PatchEmbed} as Swin builds it ({@code norm_layer=LayerNorm}, {@code output_fmt='NHWC'}):
 * a {@code P x P} stride-P convolution {@code proj}, channels moved last, then {@code norm}: {@code [B,
 * C_in, H, W] -> [B, H/P, W/P, D]}.
 */
final class SwinPatchEmbed extends CheckpointBlock {

    private final int embedDim;
    private final int patchSize;
    private final Conv2dLayer proj;
    private final LayerNorm norm;

    SwinPatchEmbed(int inChans, int embedDim, int patchSize) {
        this.embedDim = embedDim;
        this.patchSize = patchSize;
        proj = addChild("proj", new Conv2dLayer(inChans, embedDim, patchSize, patchSize, 0, true));
        norm = addChild("norm", new LayerNorm(embedDim, SwinConfig.LAYER_NORM_EPS));
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        // x = self.proj(x); x = nchw_to(x, 'NHWC'); x = self.norm(x)
        return norm.forward(ps, proj.forward(ps, x, training).transpose(0, 2, 3, 1), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), in.get(2) / patchSize, in.get(3) / patchSize, embedDim)};
    }
}
