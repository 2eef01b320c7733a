package io.visionstream.inference.hybrid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.layers.CheckpointBlock;
import io.visionstream.inference.layers.ConvNormAct;
import java.util.ArrayList;
import java.util.List;

/**
 * The convolutional stem of Xiao et al. 2021 ("Early Convolutions Help Transformers See Better") with
 * timm's {@code ConvStem} names: {@code 0 .. n-1} are 3x3 stride-2 convolutions (no bias, padding 1)
 * each followed by BatchNorm and ReLU, {@code n} is a 1x1 convolution with bias and no norm to the
 * output width. {@code [B, in, H, W] -> [B, out, H / 2^n, W / 2^n]} for H, W divisible by {@code 2^n}.
 * Keys {@code {i}.conv.weight}, {@code {i}.bn.{weight, bias, running_mean, running_var}}, {@code
 * {n}.conv.weight}, {@code {n}.conv.bias}.
 *
 * <p>In timm terms this is {@code ConvStem(channels=(c_0, ..., c_n-1, out), kernel_size=(3, ..., 3, 1),
 * stride=(2, ..., 2, 1))} used by {@code HybridEmbed(proj=False)}; torchvision builds the same maths
 * with {@code VisionTransformer(conv_stem_configs=[ConvStemConfig(c_i, 3, 2), ...])}. The BatchNorms
 * use batch statistics when training and running ones in inference.
 */
public final class ConvStem extends CheckpointBlock {

    private final List<ConvNormAct> layers = new ArrayList<>();
    private final int outChannels;

    /**
     * @param inChans input channels
     * @param channels widths of the stride-2 layers, at least one, each positive
     * @param outChannels width of the final 1x1 convolution (the ViT's embedding width)
     * @throws IllegalArgumentException for an empty or non-positive width
     */
    public ConvStem(int inChans, List<Integer> channels, int outChannels) {
        if (channels == null || channels.isEmpty() || channels.stream().anyMatch(c -> c == null || c < 1)) {
            throw new IllegalArgumentException("stem_channels must list one or more positive widths, got " + channels);
        }
        if (outChannels < 1) {
            throw new IllegalArgumentException("conv stem output width must be positive, got " + outChannels);
        }
        this.outChannels = outChannels;
        int prev = inChans;
        for (int i = 0; i < channels.size(); i++) {
            layers.add(addChild(String.valueOf(i), new ConvNormAct(prev, channels.get(i), 3, 2, false, true)));
            prev = channels.get(i);
        }
        layers.add(addChild(String.valueOf(channels.size()), new ConvNormAct(prev, outChannels, 1, 1, true, false)));
    }

    /** Total stride, {@code 2^n}. */
    public int reduction() {
        return 1 << (layers.size() - 1);
    }

    /** Width of the output map. */
    public int outChannels() {
        return outChannels;
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray y = x;
        for (ConvNormAct layer : layers) {
            y = layer.forward(ps, y, training);
        }
        return y;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = inputShapes;
        for (ConvNormAct layer : layers) {
            shapes = layer.getOutputShapes(shapes);
        }
        return shapes;
    }
}
