package io.visionstream.inference.swin;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.layers.CheckpointBlock;
import io.visionstream.inference.layers.LayerNorm;
import io.visionstream.inference.layers.Linear;

/**
 * timm's {@code PatchMerging}: each 2x2 neighbourhood of {@code [B, H, W, C]} becomes one token of
 * {@code 4C} channels, normalised ({@code norm}, LayerNorm over 4C) and projected without bias ({@code
 * reduction}, 4C to 2C): {@code [B, H, W, C] -> [B, H/2, W/2, 2C]}. H and W must be even ({@link
 * SwinConfig} guarantees it).
 *
 * <p>Channel order of the 4C vector, as timm's {@code reshape(B, H/2, 2, W/2, 2, C).permute(0, 1, 3, 4,
 * 2, 5).flatten(3)}: {@code x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2]}; torchvision
 * concatenates the same four slices in the same order, so its weights need no re-ordering.
 */
final class PatchMerging extends CheckpointBlock {

    private final int dim;
    private final LayerNorm norm;
    private final Linear reduction;

    /**
     * @param dim input width C
     * @param outDim output width (2C in every registered Swin)
     */
    PatchMerging(int dim, int outDim) {
        this.dim = dim;
        norm = addChild("norm", new LayerNorm(4 * dim, SwinConfig.LAYER_NORM_EPS));
        reduction = addChild("reduction", new Linear(4 * dim, outDim, false));
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        Shape s = x.getShape();
        long b = s.get(0);
        long h = s.get(1);
        long w = s.get(2);
        if (s.dimension() != 4 || s.get(3) != dim || h % 2 != 0 || w % 2 != 0) {
            throw new IllegalArgumentException("PatchMerging expects [B, even H, even W, " + dim + "], got " + s);
        }
        // x.reshape(B, H // 2, 2, W // 2, 2, C).permute(0, 1, 3, 4, 2, 5).flatten(3)
        NDArray merged = x.reshape(b, h / 2, 2, w / 2, 2, dim)
                .transpose(0, 1, 3, 4, 2, 5)
                .reshape(b, h / 2, w / 2, 4L * dim);
        return reduction.forward(ps, norm.forward(ps, merged, training), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), in.get(1) / 2, in.get(2) / 2, 2L * dim)};
    }
}
