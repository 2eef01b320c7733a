package io.visionstream.inference.resnetv2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.layers.CheckpointBlock;
import io.visionstream.inference.layers.GroupNormAct;
import io.visionstream.inference.layers.StdConv2dSame;

/**
 * timm's non-pre-activation ResNetV2 {@code Bottleneck}: 1x1 conv to the bottleneck width, 3x3 conv
 * carrying the stride, 1x1 conv to the output width, each followed by GroupNorm(32) (the last without
 * ReLU); the shortcut is the input, or {@link DownsampleConv} on a stage's first block; ReLU after the
 * sum. {@code [B, in, H, W] -> [B, out, ceil(H / s), ceil(W / s)]}. Keys {@code downsample.*}, {@code
 * conv1..3.weight}, {@code norm1..3.*}.
 */
public final class Bottleneck extends CheckpointBlock {

    private final DownsampleConv downsample;
    private final StdConv2dSame conv1;
    private final GroupNormAct norm1;
    private final StdConv2dSame conv2;
    private final GroupNormAct norm2;
    private final StdConv2dSame conv3;
    private final GroupNormAct norm3;

    /**
     * @param inChannels input channels
     * @param outChannels output channels
     * @param midChannels bottleneck channels
     * @param stride stride of the 3x3 conv and of the shortcut projection
     * @param withDownsample whether the shortcut is a projection (timm: always on a stage's first block)
     */
    public Bottleneck(int inChannels, int outChannels, int midChannels, int stride, boolean withDownsample) {
        if (!withDownsample && (stride != 1 || inChannels != outChannels)) {
            throw new IllegalArgumentException("an identity shortcut needs stride 1 and in == out channels, got stride "
                    + stride + ", " + inChannels + " -> " + outChannels);
        }
        double wsEps = ResNetV2Config.STD_CONV_EPS;
        int groups = ResNetV2Config.NUM_GROUPS;
        double eps = ResNetV2Config.NORM_EPS;
        downsample =
                withDownsample ? addChild("downsample", new DownsampleConv(inChannels, outChannels, stride)) : null;
        conv1 = addChild("conv1", new StdConv2dSame(inChannels, midChannels, 1, 1, wsEps));
        norm1 = addChild("norm1", new GroupNormAct(midChannels, groups, eps, true));
        conv2 = addChild("conv2", new StdConv2dSame(midChannels, midChannels, 3, stride, wsEps));
        norm2 = addChild("norm2", new GroupNormAct(midChannels, groups, eps, true));
        conv3 = addChild("conv3", new StdConv2dSame(midChannels, outChannels, 1, 1, wsEps));
        norm3 = addChild("norm3", new GroupNormAct(outChannels, groups, eps, false));
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray shortcut = downsample == null ? x : downsample.forward(ps, x, training);
        NDArray y = norm1.forward(ps, conv1.forward(ps, x, training), training);
        y = norm2.forward(ps, conv2.forward(ps, y, training), training);
        y = norm3.forward(ps, conv3.forward(ps, y, training), training);
        // x = self.act3(x + shortcut)
        return Activation.relu(y.add(shortcut));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return conv3.getOutputShapes(conv2.getOutputShapes(conv1.getOutputShapes(inputShapes)));
    }
}
