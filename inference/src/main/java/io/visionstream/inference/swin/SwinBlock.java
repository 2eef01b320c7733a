package io.visionstream.inference.swin;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.layers.CheckpointBlock;
import io.visionstream.inference.layers.DropPath;
import io.visionstream.inference.layers.LayerNorm;
import io.visionstream.inference.layers.Mlp;

/**
 * timm's {@code SwinTransformerBlock} on a fixed {@code H x W} map, channels-last {@code [B, H, W, C] ->
 * [B, H, W, C]}: {@code x = x + drop_path(window_attention(norm1(x))); x = x + drop_path(mlp(norm2(x)))}.
 *
 * <p>The window attention pads the map to a multiple of the window (bottom/right, zeros), rolls it by
 * the block's shift, attends inside each window (with the shift mask when the block shifts), and undoes
 * the three steps; the window and shift come from {@link WindowShift#of}. Children {@code norm1},
 * {@code attn}, {@code norm2}, {@code mlp}, as timm names them. The mask and index are constants of
 * the configured map, so the input map must have that size.
 */
final class SwinBlock extends CheckpointBlock {

    private final int mapH;
    private final int mapW;
    private final WindowShift ws;
    private final int paddedH;
    private final int paddedW;
    private final float[] mask;
    private final LayerNorm norm1;
    private final WindowAttention attn;
    private final LayerNorm norm2;
    private final Mlp mlp;
    private final DropPath dropPath1;
    private final DropPath dropPath2;

    /**
     * @param dim token width C
     * @param numHeads attention heads
     * @param mapH map height this block runs on
     * @param mapW map width this block runs on
     * @param ws window and shift for this map
     * @param mlpHidden MLP hidden width
     * @param dropPath stochastic depth rate of both residual branches
     */
    SwinBlock(int dim, int numHeads, int mapH, int mapW, WindowShift ws, int mlpHidden, double dropPath) {
        this.mapH = mapH;
        this.mapW = mapW;
        this.ws = ws;
        this.paddedH = WindowShift.padded(mapH, ws.windowH());
        this.paddedW = WindowShift.padded(mapW, ws.windowW());
        this.mask = ws.shifts() ? WindowOps.shiftMask(paddedH, paddedW, ws) : null;
        norm1 = addChild("norm1", new LayerNorm(dim, SwinConfig.LAYER_NORM_EPS));
        attn = addChild("attn", new WindowAttention(dim, numHeads, ws.windowH(), ws.windowW()));
        norm2 = addChild("norm2", new LayerNorm(dim, SwinConfig.LAYER_NORM_EPS));
        mlp = addChild("mlp", new Mlp(dim, mlpHidden));
        dropPath1 = addChild("drop_path1", new DropPath(dropPath));
        dropPath2 = addChild("drop_path2", new DropPath(dropPath));
    }

    /** The window and shift this block uses. */
    WindowShift windowShift() {
        return ws;
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != mapH || s.get(2) != mapW) {
            throw new IllegalArgumentException("Swin block built for a " + mapH + "x" + mapW + " map expects [B, "
                    + mapH + ", " + mapW + ", C], got " + s);
        }
        // x = x + self.drop_path1(self._attn(self.norm1(x)))
        x = x.add(dropPath1.forward(ps, windowAttention(ps, norm1.forward(ps, x, training), training), training));
        // x = x + self.drop_path2(self.mlp(self.norm2(x)))
        return x.add(dropPath2.forward(ps, mlp.forward(ps, norm2.forward(ps, x, training), training), training));
    }

    private NDArray windowAttention(ParameterStore ps, NDArray x, boolean training) {
        // pad to whole windows, then shift the padded map (torchvision / mmseg order)
        NDArray y = WindowOps.padBottomRight(x, paddedH - mapH, paddedW - mapW);
        y = WindowOps.roll(WindowOps.roll(y, -ws.shiftH(), 1), -ws.shiftW(), 2);
        NDArray maskArray = mask == null
                ? null
                : x.getManager()
                        .create(mask, new Shape(mask.length / ((long) ws.area() * ws.area()), ws.area(), ws.area()))
                        .toDevice(x.getDevice(), false);
        NDArray windows = attn.forward(ps, WindowOps.partition(y, ws.windowH(), ws.windowW()), maskArray, training);
        y = WindowOps.reverse(windows, ws.windowH(), ws.windowW(), paddedH, paddedW);
        y = WindowOps.roll(WindowOps.roll(y, ws.shiftH(), 1), ws.shiftW(), 2);
        return WindowOps.crop(y, mapH, mapW);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
