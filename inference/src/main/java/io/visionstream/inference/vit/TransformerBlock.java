package io.visionstream.inference.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.layers.Attention;
import io.visionstream.inference.layers.CheckpointBlock;
import io.visionstream.inference.layers.DropPath;
import io.visionstream.inference.layers.LayerNorm;
import io.visionstream.inference.layers.Mlp;

/**
 * timm's pre-norm {@code Block} (named differently only to avoid clashing with DJL's {@code Block}):
 * {@code x = x + attn(norm1(x)); x = x + mlp(norm2(x))}, {@code [B, N, D] -> [B, N, D]}. No layer
 * scale; stochastic depth ({@link DropPath}) on both residual branches in training, the identity in
 * inference.
 */
final class TransformerBlock extends CheckpointBlock {

    private final LayerNorm norm1;
    private final Attention attn;
    private final LayerNorm norm2;
    private final Mlp mlp;
    private final DropPath dropPath;

    TransformerBlock(int dim, int numHeads, int mlpHidden, boolean qkvBias, double eps, double dropPathRate) {
        norm1 = addChild("norm1", new LayerNorm(dim, eps));
        attn = addChild("attn", new Attention(dim, numHeads, qkvBias));
        norm2 = addChild("norm2", new LayerNorm(dim, eps));
        mlp = addChild("mlp", new Mlp(dim, mlpHidden));
        // one instance serves drop_path1 and drop_path2: it has no state, each call draws its own mask
        dropPath = new DropPath(dropPathRate);
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        return scoped(x, in -> {
            // Each branch's intermediates are closed at their last use (see Attention).
            // x = x + self.drop_path1(self.ls1(self.attn(self.norm1(x))))
            NDArray mid;
            try (NDArray normed = norm1.forward(ps, in, training);
                    NDArray attended = attn.forward(ps, normed, training)) {
                mid = in.add(dropPath.forward(ps, attended, training));
            }
            // x = x + self.drop_path2(self.ls2(self.mlp(self.norm2(x))))
            try (mid;
                    NDArray normed = norm2.forward(ps, mid, training);
                    NDArray mixed = mlp.forward(ps, normed, training)) {
                return mid.add(dropPath.forward(ps, mixed, training));
            }
        });
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
