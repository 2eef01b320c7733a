package io.visionstream.inference.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.layers.Attention;
import io.visionstream.inference.layers.CheckpointBlock;
import io.visionstream.inference.layers.LayerNorm;
import io.visionstream.inference.layers.Mlp;

/**
 * timm's pre-norm {@code Block} (named differently only to avoid clashing with DJL's {@code Block}):
 * {@code x = x + attn(norm1(x)); x = x + mlp(norm2(x))}, {@code [B, N, D] -> [B, N, D]}. No layer
 * scale and no drop path (timm's defaults for ViT inference).
 */
final class TransformerBlock extends CheckpointBlock {

    private final LayerNorm norm1;
    private final Attention attn;
    private final LayerNorm norm2;
    private final Mlp mlp;

    TransformerBlock(int dim, int numHeads, int mlpHidden, boolean qkvBias, double eps) {
        norm1 = addChild("norm1", new LayerNorm(dim, eps));
        attn = addChild("attn", new Attention(dim, numHeads, qkvBias));
        norm2 = addChild("norm2", new LayerNorm(dim, eps));
        mlp = addChild("mlp", new Mlp(dim, mlpHidden));
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        // x = x + self.drop_path1(self.ls1(self.attn(self.norm1(x))))
        x = x.add(attn.forward(ps, norm1.forward(ps, x, training), training));
        // x = x + self.drop_path2(self.ls2(self.mlp(self.norm2(x))))
        return x.add(mlp.forward(ps, norm2.forward(ps, x, training), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
