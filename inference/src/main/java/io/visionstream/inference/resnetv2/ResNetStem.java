package io.visionstream.inference.resnetv2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.layers.CheckpointBlock;
import io.visionstream.inference.layers.GroupNormAct;
import io.visionstream.inference.layers.MaxPool2dSame;
import io.visionstream.inference.layers.StdConv2dSame;

/**
 * timm's {@code create_resnetv2_stem(stem_type='same', preact=False)}: {@code conv}
 * (StdConv2dSame 7x7/2), {@code norm} (GroupNorm(32) + ReLU), {@code pool} (MaxPool2dSame 3x3/2).
 * {@code [B, in, H, W] -> [B, stem, ceil(ceil(H / 2) / 2), ...]}. It is the whole backbone of the
 * stem-only hybrid ({@code vit_tiny_r_s16_p8}), whose keys are then {@code conv.*} and {@code norm.*}.
 */
public final class ResNetStem extends CheckpointBlock {

    private final StdConv2dSame conv;
    private final GroupNormAct norm;
    private final MaxPool2dSame pool;

    /**
     * @param inChans input channels
     * @param stemChannels output channels, a multiple of 32
     */
    public ResNetStem(int inChans, int stemChannels) {
        conv = addChild("conv", new StdConv2dSame(inChans, stemChannels, 7, 2, ResNetV2Config.STD_CONV_EPS));
        norm = addChild(
                "norm", new GroupNormAct(stemChannels, ResNetV2Config.NUM_GROUPS, ResNetV2Config.NORM_EPS, true));
        pool = addChild("pool", new MaxPool2dSame(3, 2));
    }

    /** The stem before its pool, {@code [B, stem, ceil(H / 2), ceil(W / 2)]} (timm's stride-2 feature). */
    NDArray forwardBeforePool(ParameterStore ps, NDArray x, boolean training) {
        return norm.forward(ps, conv.forward(ps, x, training), training);
    }

    /** The pool alone, applied to {@link #forwardBeforePool}'s output. */
    NDArray pool(ParameterStore ps, NDArray x, boolean training) {
        return pool.forward(ps, x, training);
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        return pool(ps, forwardBeforePool(ps, x, training), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return pool.getOutputShapes(conv.getOutputShapes(inputShapes));
    }
}
