package io.visionstream.inference.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;

/**
 * timm's {@code StdConv2dSame} without bias: a convolution whose weight is standardised per output
 * channel on every forward, with TF "SAME" padding. {@code [B, in, H, W] -> [B, out, ceil(H / stride),
 * ceil(W / stride)]}. Parameter {@code weight [out, in, k, k]}.
 *
 * <p>The standardisation is timm's {@code F.batch_norm(w.reshape(1, out, -1), None, None,
 * training=True, momentum=0., eps=eps)}: per output channel, subtract the mean and divide by {@code
 * sqrt(var + eps)} with the biased variance over {@code in * k * k}. The ViT hybrids use {@code eps =
 * 1e-8} (the class default in timm is 1e-6). Gradients flow through the standardisation.
 */
public final class StdConv2dSame extends CheckpointBlock {

    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final double eps;
    private final Parameter weight;

    /**
     * @param inChannels input channels
     * @param outChannels output channels
     * @param kernel square kernel size
     * @param stride stride on both axes
     * @param eps added to the per-channel weight variance
     */
    public StdConv2dSame(int inChannels, int outChannels, int kernel, int stride, double eps) {
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.eps = eps;
        weight = addParameter(
                parameter("weight", Parameter.Type.WEIGHT, new Shape(outChannels, inChannels, kernel, kernel), true));
    }

    /** The standardised weight {@code [out, in, k, k]} the convolution uses. */
    NDArray standardisedWeight(NDArray w) {
        NDArray flat = w.reshape(outChannels, -1);
        NDArray centred = flat.sub(flat.mean(new int[] {1}, true));
        NDArray var = centred.square().mean(new int[] {1}, true); // biased, as batch_norm's batch variance
        return centred.div(var.add(scalar(var, eps)).sqrt()).reshape(w.getShape());
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray w = standardisedWeight(ps.getValue(weight, x.getDevice(), training));
        Shape s = x.getShape();
        long[] h = SamePadding.amounts(s.get(2), kernel, stride);
        long[] v = SamePadding.amounts(s.get(3), kernel, stride);
        // x = pad_same(x, k, s); F.conv2d(x, weight, None, stride, 0). A symmetric pad is left to the
        // convolution itself, which pads with zeros the same way.
        boolean symmetric = h[0] == h[1] && v[0] == v[1];
        if (MatmulConv.suits(kernel)) {
            // small kernels on the matrix product: libtorch's convolution is wrong for them on some CPUs
            boolean even = symmetric && h[0] == v[0];
            NDArray in = even ? x : SamePadding.pad(x, kernel, stride, 0);
            return MatmulConv.conv2d(in, w, null, stride, even ? (int) h[0] : 0);
        }
        NDArray in = symmetric ? x : SamePadding.pad(x, kernel, stride, 0);
        Shape padding = symmetric ? new Shape(h[0], v[0]) : new Shape(0, 0);
        return Conv2d.conv2d(in, w, null, new Shape(stride, stride), padding, new Shape(1, 1))
                .singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {
            new Shape(
                    in.get(0),
                    outChannels,
                    SamePadding.outputSize(in.get(2), stride),
                    SamePadding.outputSize(in.get(3), stride))
        };
    }
}
