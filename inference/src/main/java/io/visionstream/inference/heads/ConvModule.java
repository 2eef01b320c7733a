package io.visionstream.inference.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;

/**
 * mmcv's {@code ConvModule} with BN and ReLU: a bias-free {@code k x k} convolution with "same"
 * padding, then {@link BatchNorm2d}, then ReLU. Input {@code [B, in, H, W]}, output {@code [B, out,
 * H, W]}. Checkpoint names: {@code conv.weight}, {@code bn.*}. The convolution is {@link
 * SpatialOps#conv2d}, not libtorch's (wrong gradients on some CPUs, see there).
 */
final class ConvModule extends AbstractBlock implements CheckpointNamed {

    private final long outChannels;
    private final Parameter weight;
    private final BatchNorm2d bn;

    /**
     * @param inChannels input channels
     * @param outChannels output channels
     * @param kernel odd kernel size (1 or 3 here)
     */
    ConvModule(long inChannels, long outChannels, int kernel) {
        this.outChannels = outChannels;
        weight = addParameter(BatchNorm2d.param(
                "weight", Parameter.Type.WEIGHT, new Shape(outChannels, inChannels, kernel, kernel), true));
        bn = addChildBlock("bn", new BatchNorm2d(outChannels));
    }

    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        // self.conv = nn.Conv2d(in, out, k, padding=k // 2, bias=False); not libtorch's convolution, see
        // SpatialOps.conv2d
        NDArray y = SpatialOps.conv2d(x, ps.getValue(weight, x.getDevice(), training), null);
        return Activation.relu(bn.forward(ps, y, training));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), outChannels, in.get(2), in.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        bn.initialize(manager, dataType, getOutputShapes(inputShapes));
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        out.put(prefix + "conv.weight", weight);
        bn.collectParameters(prefix + "bn.", out);
    }
}
