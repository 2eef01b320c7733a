package io.visionstream.inference.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

/**
 * timm's {@code ConvNormAct} with BatchNorm and ReLU: a convolution with timm's default symmetric
 * padding {@code ((stride - 1) + (kernel - 1)) / 2}, then optionally {@link BatchNormAct2d} with ReLU.
 * {@code [B, in, H, W] -> [B, out, H', W']}. Keys {@code conv.weight}, {@code conv.bias} (with bias),
 * {@code bn.*} (with norm). As in timm, a layer without norm has no activation either.
 */
public final class ConvNormAct extends CheckpointBlock {

    private final Conv2dLayer conv;
    private final BatchNormAct2d bn;

    /**
     * @param inChannels input channels
     * @param outChannels output channels
     * @param kernel square kernel size
     * @param stride stride on both axes
     * @param withBias whether the convolution has a bias
     * @param applyNormAct whether BatchNorm and ReLU follow the convolution
     */
    public ConvNormAct(
            int inChannels, int outChannels, int kernel, int stride, boolean withBias, boolean applyNormAct) {
        // padding='' -> get_padding(kernel, stride) = ((stride - 1) + (kernel - 1)) // 2
        int padding = ((stride - 1) + (kernel - 1)) / 2;
        conv = addChild("conv", new Conv2dLayer(inChannels, outChannels, kernel, stride, padding, withBias));
        bn = applyNormAct ? addChild("bn", new BatchNormAct2d(outChannels, true)) : null;
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray y = conv.forward(ps, x, training);
        return bn == null ? y : bn.forward(ps, y, training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return conv.getOutputShapes(inputShapes);
    }
}
