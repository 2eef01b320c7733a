package io.visionstream.inference.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * timm's {@code Attention}: multi-head self-attention with a fused {@code qkv} projection (rows q, k,
 * v; head h at rows {@code h*hd..(h+1)*hd} of each), scale {@code hd^-0.5} and an output {@code proj}.
 * {@code [B, N, D] -> [B, N, D]}.
 */
final class Attention extends TimmBlock {

    private final int dim;
    private final int numHeads;
    private final int headDim;
    private final float scale;
    private final Linear qkv;
    private final Linear proj;

    Attention(int dim, int numHeads, boolean qkvBias) {
        this.dim = dim;
        this.numHeads = numHeads;
        this.headDim = dim / numHeads;
        this.scale = (float) Math.pow(headDim, -0.5);
        qkv = addChildBlock("qkv", new Linear(dim, dim * 3, qkvBias));
        proj = addChildBlock("proj", new Linear(dim, dim, true));
    }

    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        long b = x.getShape().get(0);
        long n = x.getShape().get(1);
        // qkv = self.qkv(x).reshape(B, N, 3, num_heads, head_dim).permute(2, 0, 3, 1, 4)
        NDArray qkvOut =
                qkv.forward(ps, x, training).reshape(b, n, 3, numHeads, headDim).transpose(2, 0, 3, 1, 4);
        NDArray q = qkvOut.get(0);
        NDArray k = qkvOut.get(1);
        NDArray v = qkvOut.get(2);
        // attn = (q * self.scale) @ k.transpose(-2, -1); attn = attn.softmax(dim=-1)
        // Not q.mul(float): DJL wraps the float in a tensor over a Java buffer and closes it at once, but
        // autograd keeps that tensor for the backward pass, which then reads freed memory (garbage or
        // NaN gradients in training). A libtorch-allocated scalar stays valid as long as autograd needs it.
        NDArray scaleTensor =
                q.getManager().ones(new Shape(), q.getDataType(), q.getDevice()).muli(scale);
        NDArray attn = q.mul(scaleTensor).matMul(k.swapAxes(-2, -1)).softmax(-1);
        // x = (attn @ v).transpose(1, 2).reshape(B, N, C)
        NDArray out = attn.matMul(v).swapAxes(1, 2).reshape(b, n, dim);
        return proj.forward(ps, out, training);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        qkv.initialize(manager, dataType, inputShapes);
        proj.initialize(manager, dataType, inputShapes);
    }
}
