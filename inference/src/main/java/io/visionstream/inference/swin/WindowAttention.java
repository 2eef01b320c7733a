package io.visionstream.inference.swin;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import io.visionstream.inference.layers.CheckpointBlock;
import io.visionstream.inference.layers.Linear;

/**
 * timm's {@code WindowAttention}: multi-head self-attention inside each window, {@code [B * nW, N, C]
 * -> [B * nW, N, C]} with {@code N = wh * ww}, plus a learned relative position bias and an optional
 * additive mask.
 *
 * <p>Parameters: {@code relative_position_bias_table [(2 wh - 1) * (2 ww - 1), heads]} (normal, std
 * 0.02, from scratch), {@code qkv} (rows q, k, v; head h at rows {@code h*hd..(h+1)*hd} of each) and
 * {@code proj}. The index into the table ({@link WindowOps#relativePositionIndex}) is computed here,
 * not loaded: checkpoints that carry a {@code relative_position_index} buffer have it dropped by {@link
 * SwinWeights#filterTimmKeys}. Scale {@code head_dim^-0.5}. Thread-safe once initialised.
 */
final class WindowAttention extends CheckpointBlock {

    private final int dim;
    private final int numHeads;
    private final int headDim;
    private final int area;
    private final double scale;
    private final long[] relativePositionIndex;
    private final Parameter biasTable;
    private final Linear qkv;
    private final Linear proj;

    /**
     * @param dim token width C; {@code numHeads} must divide it
     * @param numHeads attention heads
     * @param windowH window height
     * @param windowW window width
     */
    WindowAttention(int dim, int numHeads, int windowH, int windowW) {
        if (numHeads < 1 || dim % numHeads != 0) {
            throw new IllegalArgumentException("num_heads=" + numHeads + " does not divide dim=" + dim);
        }
        this.dim = dim;
        this.numHeads = numHeads;
        this.headDim = dim / numHeads;
        this.area = windowH * windowW;
        this.scale = Math.pow(headDim, -0.5);
        this.relativePositionIndex = WindowOps.relativePositionIndex(windowH, windowW);
        biasTable = addParameter(Parameter.builder()
                .setName("relative_position_bias_table")
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape((2L * windowH - 1) * (2L * windowW - 1), numHeads))
                .optInitializer(new NormalInitializer(0.02f))
                .build());
        qkv = addChild("qkv", new Linear(dim, 3 * dim, true));
        proj = addChild("proj", new Linear(dim, dim, true));
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        return forward(ps, x, null, training);
    }

    /**
     * @param x window tokens {@code [B * nW, N, C]}, windows of one image consecutive
     * @param mask additive {@code [nW, N, N]} (0 or -100), or null for none
     * @return {@code [B * nW, N, C]}
     */
    NDArray forward(ParameterStore ps, NDArray x, NDArray mask, boolean training) {
        Shape s = x.getShape();
        long windows = s.get(0);
        if (s.dimension() != 3 || s.get(1) != area || s.get(2) != dim) {
            throw new IllegalArgumentException("WindowAttention expects [B * nW, " + area + ", " + dim + "], got " + s);
        }
        // qkv = self.qkv(x).reshape(B_, N, 3, num_heads, -1).permute(2, 0, 3, 1, 4); q, k, v = qkv.unbind(0)
        NDArray qkvOut = qkv.forward(ps, x, training)
                .reshape(windows, area, 3, numHeads, headDim)
                .transpose(2, 0, 3, 1, 4);
        NDArray q = qkvOut.get(0);
        NDArray k = qkvOut.get(1);
        NDArray v = qkvOut.get(2);
        // attn = (q * self.scale) @ k.transpose(-2, -1) + self._get_rel_pos_bias()
        NDArray attn = q.mul(scalar(q, scale)).matMul(k.swapAxes(-2, -1)).add(relativePositionBias(ps, x, training));
        if (mask != null) {
            long nw = mask.getShape().get(0);
            // attn.view(-1, num_win, num_heads, N, N) + mask.unsqueeze(1).unsqueeze(0)
            attn = attn.reshape(-1, nw, numHeads, area, area)
                    .add(mask.reshape(1, nw, 1, area, area))
                    .reshape(-1, numHeads, area, area);
        }
        // x = (attn.softmax(-1) @ v).transpose(1, 2).reshape(B_, N, -1); x = self.proj(x)
        NDArray out = attn.softmax(-1).matMul(v).swapAxes(1, 2).reshape(windows, area, dim);
        return proj.forward(ps, out, training);
    }

    /** {@code table[index].view(N, N, heads).permute(2, 0, 1).unsqueeze(0)}: {@code [1, heads, N, N]}. */
    private NDArray relativePositionBias(ParameterStore ps, NDArray like, boolean training) {
        NDArray table = ps.getValue(biasTable, like.getDevice(), training);
        NDArray index = like.getManager().create(relativePositionIndex).toDevice(like.getDevice(), false);
        return table.get(index).reshape(area, area, numHeads).transpose(2, 0, 1).expandDims(0);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
