package io.visionstream.inference.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;

/**
 * {@code nn.Conv2d(in, out, kernel, stride, padding, bias)} with square kernel, stride and symmetric
 * zero padding: {@code [B, in, H, W] -> [B, out, (H + 2p - k) / s + 1, (W + 2p - k) / s + 1]}.
 * Parameters {@code weight [out, in, k, k]} (He-normal when initialised from scratch) and, when built
 * with one, {@code bias [out]} (zeros).
 */
public final class Conv2dLayer extends CheckpointBlock {

    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * @param inChannels input channels
     * @param outChannels output channels
     * @param kernel square kernel size
     * @param stride stride on both axes
     * @param padding zero rows and columns added on every side
     * @param withBias whether the layer has a bias
     */
    public Conv2dLayer(int inChannels, int outChannels, int kernel, int stride, int padding, boolean withBias) {
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        weight = addParameter(
                parameter("weight", Parameter.Type.WEIGHT, new Shape(outChannels, inChannels, kernel, kernel), true));
        bias = withBias ? addParameter(parameter("bias", Parameter.Type.BIAS, new Shape(outChannels), true)) : null;
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
        // F.conv2d(x, self.weight, self.bias, stride, padding); small kernels on the matrix product, since
        // libtorch's own convolution is wrong for them on some CPUs (see MatmulConv)
        if (MatmulConv.suits(kernel)) {
            return MatmulConv.conv2d(x, w, b, stride, padding);
        }
        return Conv2d.conv2d(x, w, b, new Shape(stride, stride), new Shape(padding, padding), new Shape(1, 1))
                .singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {
            new Shape(
                    in.get(0),
                    outChannels,
                    (in.get(2) + 2L * padding - kernel) / stride + 1,
                    (in.get(3) + 2L * padding - kernel) / stride + 1)
        };
    }
}
