package io.visionstream.inference.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.visionstream.inference.layers.ConvNormAct;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * UPerHead's {@code psp_forward} on the coarsest level: for each pool scale {@code s}, adaptive
 * average pooling to {@code s x s}, a 1x1 {@link ConvNormAct} (mmcv's {@code ConvModule}: bias-free
 * convolution, BN, ReLU) and bilinear resizing back; the branches are concatenated with the input and
 * fused by a 3x3 {@link ConvNormAct} (the "bottleneck"). Input
 * {@code [B, D, h, w]}, output {@code [B, C, h, w]}.
 *
 * <p>Checkpoint names (relative to the decode head): {@code psp_modules.<i>.1.*} (index 0 of each
 * branch is the parameter-free pooling) and {@code bottleneck.*}.
 */
final class PyramidPoolingModule extends AbstractBlock implements CheckpointNamed {

    private final List<Integer> poolScales;
    private final List<ConvNormAct> branches = new ArrayList<>();
    private final ConvNormAct bottleneck;

    PyramidPoolingModule(long inDim, long channels, List<Integer> poolScales) {
        this.poolScales = List.copyOf(poolScales);
        for (int i = 0; i < poolScales.size(); i++) {
            branches.add(addChildBlock("psp_modules_" + i, convModule(inDim, channels, 1)));
        }
        bottleneck = addChildBlock("bottleneck", convModule(inDim + poolScales.size() * channels, channels, 3));
    }

    /** mmcv's {@code ConvModule(in, out, k, padding=k // 2)} with BN and ReLU, bias-free. */
    static ConvNormAct convModule(long inChannels, long outChannels, int kernel) {
        return new ConvNormAct(Math.toIntExact(inChannels), Math.toIntExact(outChannels), kernel, 1, false, true);
    }

    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDList outs = new NDList(x);
        for (int i = 0; i < branches.size(); i++) {
            int scale = poolScales.get(i);
            // resize(ppm(x), size=x.size()[2:], mode='bilinear', align_corners=False)
            NDArray pooled = SpatialOps.adaptiveAvgPool(x, scale, scale);
            outs.add(SpatialOps.bilinear(branches.get(i).forward(ps, pooled, training), h, w));
        }
        return bottleneck.forward(ps, NDArrays.concat(outs, 1), training);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return bottleneck.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        for (int i = 0; i < branches.size(); i++) {
            int scale = poolScales.get(i);
            branches.get(i).initialize(manager, dataType, new Shape(in.get(0), in.get(1), scale, scale));
        }
        long concatChannels = in.get(1) + branches.size() * getOutputShapes(inputShapes)[0].get(1);
        bottleneck.initialize(manager, dataType, new Shape(in.get(0), concatChannels, in.get(2), in.get(3)));
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        for (int i = 0; i < branches.size(); i++) {
            branches.get(i).collectParameters(prefix + "psp_modules." + i + ".1.", out);
        }
        bottleneck.collectParameters(prefix + "bottleneck.", out);
    }
}
