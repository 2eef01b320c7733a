package io.visionstream.inference.resnetv2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.layers.CheckpointBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * timm's {@code ResNetStage}: {@code blocks.0} (stride and projection shortcut) then identity-shortcut
 * {@link Bottleneck}s. {@code [B, in, H, W] -> [B, out, ceil(H / s), ceil(W / s)]}.
 */
public final class ResNetStage extends CheckpointBlock {

    private final List<Bottleneck> blocks = new ArrayList<>();

    /**
     * @param inChannels input channels
     * @param outChannels output channels
     * @param midChannels bottleneck channels
     * @param stride stride of the first block
     * @param depth number of blocks, at least 1
     */
    public ResNetStage(int inChannels, int outChannels, int midChannels, int stride, int depth) {
        for (int i = 0; i < depth; i++) {
            blocks.add(addChild(
                    "blocks." + i,
                    new Bottleneck(
                            i == 0 ? inChannels : outChannels, outChannels, midChannels, i == 0 ? stride : 1, i == 0)));
        }
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray y = x;
        for (Bottleneck block : blocks) {
            y = block.forward(ps, y, training);
        }
        return y;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = inputShapes;
        for (Bottleneck block : blocks) {
            shapes = block.getOutputShapes(shapes);
        }
        return shapes;
    }
}
