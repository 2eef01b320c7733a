package io.visionstream.inference.swin;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.layers.CheckpointBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * timm's {@code SwinTransformerStage} in its current layout: the stage's own {@code downsample}
 * ({@link PatchMerging}, stages after the first only) first, then {@code blocks.0 .. blocks.{depth-1}},
 * even blocks unshifted and odd blocks shifted. {@code [B, H, W, C_in] -> [B, h, w, C]} with {@code h, w}
 * the stage's map ({@code H/2, W/2} after a downsample).
 */
final class SwinStage extends CheckpointBlock {

    private final PatchMerging downsample;
    private final List<SwinBlock> blocks = new ArrayList<>();

    /**
     * @param config the model
     * @param i this stage's index; stage 0 has no downsample
     */
    SwinStage(SwinConfig config, int i) {
        int dim = config.stageDim(i);
        downsample = i > 0 ? addChild("downsample", new PatchMerging(config.stageDim(i - 1), dim)) : null;
        for (int j = 0; j < config.depths().get(i); j++) {
            blocks.add(addChild(
                    "blocks." + j,
                    new SwinBlock(
                            dim,
                            config.numHeads().get(i),
                            config.stageHeight(i),
                            config.stageWidth(i),
                            config.windowShift(i, j),
                            config.mlpHiddenDim(i),
                            config.dropPath(i, j))));
        }
    }

    /** The window and shift of each block, in block order. */
    List<WindowShift> windowShifts() {
        return blocks.stream().map(SwinBlock::windowShift).toList();
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        // x = self.downsample(x); x = self.blocks(x)
        NDArray y = downsample == null ? x : downsample.forward(ps, x, training);
        for (SwinBlock block : blocks) {
            y = block.forward(ps, y, training);
        }
        return y;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return downsample == null ? inputShapes : downsample.getOutputShapes(inputShapes);
    }
}
