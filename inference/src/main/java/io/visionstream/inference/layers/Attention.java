package io.visionstream.inference.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

/**
 * timm's {@code Attention}: multi-head self-attention with a fused {@code qkv} projection (rows q, k,
 * v; head h at rows {@code h*hd..(h+1)*hd} of each), scale {@code hd^-0.5} and an output {@code proj}.
 * {@code [B, N, D] -> [B, N, D]}. Keys {@code qkv.*}, {@code proj.*}.
 *
 * <p>An optional additive term is added to the attention logits before the softmax: a relative position
 * bias, a mask of {@code -inf} / large negative values, or their sum (Swin's window attention passes
 * both). Without one this is exactly the ViT's attention.
 */
public final class Attention extends CheckpointBlock {

    private final int dim;
    private final int numHeads;
    private final int headDim;
    private final double scale;
    private final Linear qkv;
    private final Linear proj;

    /**
     * @param dim token width D
     * @param numHeads heads; must divide D
     * @param qkvBias whether {@code qkv} has a bias
     * @throws IllegalArgumentException when {@code numHeads} does not divide {@code dim}
     */
    public Attention(int dim, int numHeads, boolean qkvBias) {
        if (numHeads < 1 || dim % numHeads != 0) {
            throw new IllegalArgumentException("attention dim " + dim + " is not divisible by num_heads " + numHeads);
        }
        this.dim = dim;
        this.numHeads = numHeads;
        this.headDim = dim / numHeads;
        this.scale = Math.pow(headDim, -0.5);
        qkv = addChild("qkv", new Linear(dim, dim * 3, qkvBias));
        proj = addChild("proj", new Linear(dim, dim, true));
    }

    /** Heads of this attention. */
    public int numHeads() {
        return numHeads;
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        return forward(ps, x, null, training);
    }

    /**
     * Attention with an additive term on the logits.
     *
     * @param x tokens {@code [B, N, D]}
     * @param bias added to {@code q k^T * scale} before the softmax, broadcastable to {@code [B, heads, N,
     *     N]} (e.g. {@code [heads, N, N]} for a relative position bias, {@code [B, 1, N, N]} for a mask); or
     *     null for none
     * @return {@code [B, N, D]} on {@code x}'s manager
     */
    public NDArray forward(ParameterStore ps, NDArray x, NDArray bias, boolean training) {
        return scoped(x, in -> attend(ps, in, bias, training));
    }

    private NDArray attend(ParameterStore ps, NDArray x, NDArray bias, boolean training) {
        long b = x.getShape().get(0);
        long n = x.getShape().get(1);
        long bh = b * numHeads;
        // Every intermediate is closed at its last use, as TorchScript's interpreter frees a tensor: the
        // allocator then hands its memory, still mapped and in cache, to the next op. Held until the block
        // returned, the logits and the softmax alone are 15 MB each for ViT-Ti/16 at batch 32, and a
        // batch's footprint grows with its size. Closing a view only drops a handle; the memory goes when
        // the last handle on it does. In training autograd keeps its own references.
        //
        // qkv = self.qkv(x).reshape(B, N, 3, num_heads, head_dim).permute(2, 0, 3, 1, 4), with B and
        // heads folded into one axis: the reshape copies once into contiguous memory, after which q, k
        // and v are [B*H, N, hd] views that both products take as they are (k transposed by strides),
        // where 4-d matmuls on the permuted views copied k and v again to fold their batch axes
        NDArray qkvOut;
        try (NDArray projected = qkv.forward(ps, x, training);
                NDArray split = projected.reshape(b, n, 3, numHeads, headDim);
                NDArray permuted = split.transpose(2, 0, 3, 1, 4)) {
            qkvOut = permuted.reshape(3, bh, n, headDim);
        }
        NDArray heads;
        try (qkvOut;
                NDArray q = qkvOut.get(0);
                NDArray k = qkvOut.get(1);
                NDArray v = qkvOut.get(2)) {
            // attn = (q * self.scale) @ k.transpose(-2, -1); attn = attn + bias; attn = attn.softmax(dim=-1)
            // The scale as an engine-allocated tensor, not q.mul(float): see CheckpointBlock.scalar.
            NDArray products;
            try (NDArray s = scalar(q, scale);
                    NDArray scaled = q.mul(s);
                    NDArray kt = k.swapAxes(-2, -1)) {
                products = scaled.matMul(kt);
            }
            NDArray logits = bias == null ? products : addBias(products, bias, b, n);
            NDArray probs;
            try (logits) {
                probs = logits.softmax(-1);
            }
            // x = (attn @ v).transpose(1, 2).reshape(B, N, C)
            try (probs) {
                heads = probs.matMul(v);
            }
        }
        NDArray merged;
        try (heads;
                NDArray unfolded = heads.reshape(b, numHeads, n, headDim);
                NDArray swapped = unfolded.swapAxes(1, 2)) {
            merged = swapped.reshape(b, n, dim);
        }
        try (merged) {
            return proj.forward(ps, merged, training);
        }
    }

    /** {@code logits + bias} with the heads unfolded for broadcasting; closes {@code logits}. */
    private NDArray addBias(NDArray logits, NDArray bias, long b, long n) {
        try (logits;
                NDArray unfolded = logits.reshape(b, numHeads, n, n);
                NDArray biased = unfolded.add(bias)) {
            return biased.reshape(b * numHeads, n, n);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
