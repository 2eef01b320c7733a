package io.visionstream.inference.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * timm's {@code PatchEmbed}: a P x P convolution with stride P, flattened to tokens, {@code [B, C, H,
 * W] -> [B, H/P * W/P, D]}. The input size is fixed (timm's {@code strict_img_size=True}).
 */
final class PatchEmbed extends TimmBlock {

    private final int imgHeight;
    private final int imgWidth;
    private final int patchSize;
    private final int embedDim;

    PatchEmbed(int imgHeight, int imgWidth, int patchSize, int inChans, int embedDim) {
        this.imgHeight = imgHeight;
        this.imgWidth = imgWidth;
        this.patchSize = patchSize;
        this.embedDim = embedDim;
        addChildBlock("proj", new Conv(inChans, embedDim, patchSize));
    }

    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(2) != imgHeight || s.get(3) != imgWidth) {
            throw new IllegalArgumentException(
                    String.format("input shape %s does not match the model's [B, C, %d, %d]", s, imgHeight, imgWidth));
        }
        Conv proj = (Conv) children.get(0).getValue();
        NDArray y = proj.forward(ps, x, training); // [B, D, H/P, W/P]
        // x = x.flatten(2).transpose(1, 2)  # NCHW -> NLC
        return y.reshape(s.get(0), embedDim, -1).transpose(0, 2, 1);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long n = (long) (imgHeight / patchSize) * (imgWidth / patchSize);
        return new Shape[] {new Shape(inputShapes[0].get(0), n, embedDim)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        children.get(0).getValue().initialize(manager, dataType, inputShapes);
    }

    /** {@code nn.Conv2d(in_chans, embed_dim, kernel_size=P, stride=P)}: weight [D, C, P, P], bias [D]. */
    static final class Conv extends TimmBlock {
        private final int patchSize;
        private final int outChannels;
        private final Parameter weight;
        private final Parameter bias;

        Conv(int inChannels, int outChannels, int patchSize) {
            this.patchSize = patchSize;
            this.outChannels = outChannels;
            weight = addParameter(Parameter.builder()
                    .setName("weight")
                    .setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(outChannels, inChannels, patchSize, patchSize))
                    .build());
            bias = addParameter(Parameter.builder()
                    .setName("bias")
                    .setType(Parameter.Type.BIAS)
                    .optShape(new Shape(outChannels))
                    .build());
        }

        NDArray forward(ParameterStore ps, NDArray x, boolean training) {
            NDArray w = ps.getValue(weight, x.getDevice(), training);
            NDArray b = ps.getValue(bias, x.getDevice(), training);
            return Conv2d.conv2d(x, w, b, new Shape(patchSize, patchSize)).singletonOrThrow();
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            return new NDList(forward(ps, inputs.singletonOrThrow(), training));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape in = inputShapes[0];
            return new Shape[] {new Shape(in.get(0), outChannels, in.get(2) / patchSize, in.get(3) / patchSize)};
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            // leaf block: parameter shapes are fixed in the constructor
        }
    }
}
