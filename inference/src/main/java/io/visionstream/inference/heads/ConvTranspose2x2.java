package io.visionstream.inference.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;

/**
 * {@code torch.nn.ConvTranspose2d(in, out, kernel_size=2, stride=2)}, which DJL's PyTorch engine does
 * not implement, computed as what it is: a per-pixel linear map from {@code in} to {@code out * 2 * 2}
 * values followed by depth-to-space. With stride equal to the kernel the 2x2 output cells of
 * neighbouring input pixels do not overlap, so {@code y[b, o, 2i+di, 2j+dj] = bias[o] + sum_c x[b, c,
 * i, j] * weight[c, o, di, dj]}.
 *
 * <p>Input {@code [B, in, H, W]}, output {@code [B, out, 2H, 2W]}. Parameters keep PyTorch's layout
 * ({@code weight [in, out, 2, 2]}, {@code bias [out]}) so checkpoints load unchanged.
 */
final class ConvTranspose2x2 extends AbstractBlock implements CheckpointNamed {

    private final long inChannels;
    private final long outChannels;
    private final Parameter weight;
    private final Parameter bias;

    ConvTranspose2x2(long inChannels, long outChannels) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        weight = addParameter(CheckpointNamed.parameter(
                "weight", Parameter.Type.WEIGHT, new Shape(inChannels, outChannels, 2, 2), true));
        bias = addParameter(CheckpointNamed.parameter("bias", Parameter.Type.BIAS, new Shape(outChannels), true));
    }

    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        Shape s = x.getShape();
        long b = s.get(0);
        long h = s.get(2);
        long w = s.get(3);
        // Views of the parameters would otherwise belong to the parameters' manager and outlive the batch.
        NDArray kernel = ps.getValue(weight, x.getDevice(), training).reshape(inChannels, outChannels * 4);
        kernel.attach(x.getManager());
        NDArray shift = ps.getValue(bias, x.getDevice(), training).reshape(1, outChannels, 1, 1);
        shift.attach(x.getManager());
        NDArray cells = x.transpose(0, 2, 3, 1).matMul(kernel); // [B, H, W, out*2*2]
        NDArray y = cells.reshape(b, h, w, outChannels, 2, 2)
                .transpose(0, 3, 1, 4, 2, 5) // [B, out, H, 2, W, 2]
                .reshape(b, outChannels, 2 * h, 2 * w);
        return y.add(shift);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), outChannels, 2 * in.get(2), 2 * in.get(3))};
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        out.put(prefix + "weight", weight);
        out.put(prefix + "bias", bias);
    }
}
