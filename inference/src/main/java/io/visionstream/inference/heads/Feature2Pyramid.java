package io.visionstream.inference.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.visionstream.inference.layers.BatchNormAct2d;
import java.util.Map;

/**
 * The BEiT / ViTDet "simple feature pyramid" (mmseg's {@code Feature2Pyramid}, rescales 4, 2, 1,
 * 0.5): four single-scale ViT maps {@code [B, D, h, w]} become {@code [B, D, 4h, 4w]}, {@code [B, D,
 * 2h, 2w]}, {@code [B, D, h, w]} and {@code [B, D, floor(h/2), floor(w/2)]}.
 *
 * <p>Checkpoint names: {@code upsample_4x.0.*} (transposed conv), {@code upsample_4x.1.*} (BN; index 2
 * is the GELU), {@code upsample_4x.3.*} (transposed conv), {@code upsample_2x.0.*}.
 */
final class Feature2Pyramid extends AbstractBlock implements CheckpointNamed {

    private final ConvTranspose2x2 up4First;
    private final BatchNormAct2d up4Norm;
    private final ConvTranspose2x2 up4Second;
    private final ConvTranspose2x2 up2;

    Feature2Pyramid(long dim) {
        up4First = addChildBlock("upsample_4x_0", new ConvTranspose2x2(dim, dim));
        up4Norm = addChildBlock("upsample_4x_1", new BatchNormAct2d(Math.toIntExact(dim), false));
        up4Second = addChildBlock("upsample_4x_3", new ConvTranspose2x2(dim, dim));
        up2 = addChildBlock("upsample_2x_0", new ConvTranspose2x2(dim, dim));
    }

    /**
     * @param maps four maps {@code [B, D, h, w]}, shallowest block first, with {@code h, w >= 2}
     * @return the pyramid, finest level first
     */
    NDList pyramid(ParameterStore ps, NDList maps, boolean training) {
        // upsample_4x = Sequential(ConvTranspose2d, BN, GELU, ConvTranspose2d)
        NDArray x4 = up4First.forward(ps, maps.get(0), training);
        x4 = up4Second.forward(ps, Activation.gelu(up4Norm.forward(ps, x4, training)), training);
        NDArray x2 = up2.forward(ps, maps.get(1), training);
        // downsample = nn.MaxPool2d(kernel_size=2, stride=2)
        NDArray half = Pool.maxPool2d(maps.get(3), new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
        return new NDList(x4, x2, maps.get(2), half);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return pyramid(ps, inputs, training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] out = new Shape[4];
        for (int i = 0; i < 4; i++) {
            Shape s = inputShapes[i];
            long h = s.get(2);
            long w = s.get(3);
            long[] scaled = i == 0
                    ? new long[] {4 * h, 4 * w}
                    : i == 1 ? new long[] {2 * h, 2 * w} : i == 2 ? new long[] {h, w} : new long[] {h / 2, w / 2};
            out[i] = new Shape(s.get(0), s.get(1), scaled[0], scaled[1]);
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        up4First.initialize(manager, dataType, inputShapes[0]);
        Shape doubled = up4First.getOutputShapes(new Shape[] {inputShapes[0]})[0];
        up4Norm.initialize(manager, dataType, doubled);
        up4Second.initialize(manager, dataType, doubled);
        up2.initialize(manager, dataType, inputShapes[1]);
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        up4First.collectParameters(prefix + "upsample_4x.0.", out);
        up4Norm.collectParameters(prefix + "upsample_4x.1.", out);
        up4Second.collectParameters(prefix + "upsample_4x.3.", out);
        up2.collectParameters(prefix + "upsample_2x.0.", out);
    }
}
