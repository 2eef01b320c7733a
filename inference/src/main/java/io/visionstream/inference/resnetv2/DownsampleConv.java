package io.visionstream.inference.resnetv2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.layers.CheckpointBlock;
import io.visionstream.inference.layers.GroupNormAct;
import io.visionstream.inference.layers.StdConv2dSame;

/**
 * timm's {@code DownsampleConv(preact=False)}, the projection shortcut: {@code conv} (StdConv2dSame
 * 1x1 with the block's stride), {@code norm} (GroupNorm(32) without activation). {@code [B, in, H, W]
 * -> [B, out, ceil(H / s), ceil(W / s)]}.
 */
public final class DownsampleConv extends CheckpointBlock {

    private final StdConv2dSame conv;
    private final GroupNormAct norm;

    /**
     * @param inChannels input channels
     * @param outChannels output channels, a multiple of 32
     * @param stride 1 or 2
     */
    public DownsampleConv(int inChannels, int outChannels, int stride) {
        conv = addChild("conv", new StdConv2dSame(inChannels, outChannels, 1, stride, ResNetV2Config.STD_CONV_EPS));
        norm = addChild(
                "norm", new GroupNormAct(outChannels, ResNetV2Config.NUM_GROUPS, ResNetV2Config.NORM_EPS, false));
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        return norm.forward(ps, conv.forward(ps, x, training), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return conv.getOutputShapes(inputShapes);
    }
}
