package io.visionstream.inference.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import io.visionstream.inference.backbone.Backbone;
import io.visionstream.inference.backbone.BackboneConfig;
import io.visionstream.inference.backbone.Intermediates;
import io.visionstream.inference.layers.CheckpointBlock;
import io.visionstream.inference.layers.LayerNorm;
import io.visionstream.inference.layers.Linear;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * timm's {@code VisionTransformer} (and {@code VisionTransformerDistilled} when {@link
 * VitConfig#distilled()}) as a DJL block, parameter for parameter; with a hybrid {@link EmbedLayer} it
 * is timm's hybrid ViT ({@code vision_transformer_hybrid.py}), the same class with another {@code
 * patch_embed}.
 *
 * <p>Forward: {@code [B, C, H, W]} normalised images to {@code [B, numClasses]} logits (or {@code [B,
 * D]} pooled features when {@code numClasses == 0}). For a distilled model the output is the mean of
 * {@code head} and {@code head_dist}, in training as well (timm's default {@code
 * distilled_training=False}). Works in training mode under DJL's autograd; there is no dropout.
 *
 * <p>Thread-safety: initialise once from one thread; afterwards concurrent inference forward calls are
 * safe (it holds no per-call state), each caller with its own {@link ParameterStore} and NDManager. A
 * training forward of a hybrid with batch norms in its stem updates their running statistics.
 */
public final class VisionTransformer extends CheckpointBlock implements Backbone {

    private final VitConfig config;
    private final Parameter clsToken;
    private final Parameter distToken;
    private final Parameter posEmbed;
    private final CheckpointBlock patchEmbed;
    private final List<TransformerBlock> blocks = new ArrayList<>();
    private final LayerNorm norm;
    private final LayerNorm fcNorm;
    private final Linear head;
    private final Linear headDist;
    private boolean distilledTraining;

    /** Builds the block tree; call {@link #initialize(ai.djl.ndarray.NDManager, ai.djl.ndarray.types.DataType)} before use. */
    public VisionTransformer(VitConfig config) {
        this.config = config;
        int d = config.embedDim();
        clsToken = addParameter(token("cls_token", new Shape(1, 1, d)));
        distToken = config.distilled() ? addParameter(token("dist_token", new Shape(1, 1, d))) : null;
        posEmbed = addParameter(token("pos_embed", new Shape(1, config.numPrefixTokens() + config.numPatches(), d)));
        patchEmbed = addChild("patch_embed", config.embedLayer().newEmbed(config));
        for (int i = 0; i < config.depth(); i++) {
            blocks.add(addChild(
                    "blocks." + i,
                    new TransformerBlock(
                            d,
                            config.numHeads(),
                            config.mlpHiddenDim(),
                            config.qkvBias(),
                            config.layerNormEps(),
                            config.dropPath(i))));
        }
        // self.norm = norm_layer(embed_dim) if not use_fc_norm else nn.Identity(); fc_norm the other way round
        norm = config.fcNorm() ? null : addChild("norm", new LayerNorm(d, config.layerNormEps()));
        fcNorm = config.fcNorm() ? addChild("fc_norm", new LayerNorm(d, config.layerNormEps())) : null;
        head = config.numClasses() > 0 ? addChild("head", new Linear(d, config.numClasses(), true)) : null;
        headDist = config.distilled() && config.numClasses() > 0
                ? addChild("head_dist", new Linear(d, config.numClasses(), true))
                : null;
    }

    private static Parameter token(String name, Shape shape) {
        return Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.OTHER)
                .optShape(shape)
                .optInitializer(new NormalInitializer(0.02f))
                .build();
    }

    /**
     * timm's {@code set_distilled_training}: while on, a distilled model's training forward returns both
     * heads side by side, {@code [B, 2K]} ({@code head} then {@code head_dist}), for DeiT's two losses;
     * evaluation still averages them. Not thread-safe; set before training.
     *
     * @throws IllegalStateException when the model is not distilled
     */
    public void setDistilledTraining(boolean enable) {
        if (enable && headDist == null) {
            throw new IllegalStateException("distilled training needs a distilled model with a head");
        }
        distilledTraining = enable;
    }

    /** The configuration this model was built from. */
    @Override
    public VitConfig config() {
        return config;
    }

    /**
     * Patch embedding, prefix tokens, position embedding, blocks and {@code norm}: {@code [B, C, H, W] ->
     * [B, prefix + N, D]}.
     *
     * @throws IllegalArgumentException when H, W differ from the configured image size
     */
    @Override
    public NDArray forwardFeatures(ParameterStore ps, NDArray x, boolean training) {
        NDArray tokens = embed(ps, x, training);
        for (TransformerBlock block : blocks) {
            tokens = block.forward(ps, tokens, training);
        }
        return norm == null ? tokens : norm.forward(ps, tokens, training);
    }

    /**
     * Pooling, {@code fc_norm} and the classifier: {@code [B, prefix + N, D] -> [B, numClasses]}, or the
     * pre-logits {@code [B, D]} when {@code preLogits} (timm's {@code forward_head(x, pre_logits)}).
     */
    @Override
    public NDArray forwardHead(ParameterStore ps, NDArray features, boolean training, boolean preLogits) {
        if (config.distilled()) {
            NDArray cls = features.get(new NDIndex(":, 0"));
            NDArray dist = features.get(new NDIndex(":, 1"));
            if (preLogits || head == null) {
                return cls.add(dist).div(2); // (x + x_dist) / 2
            }
            if (training && distilledTraining) {
                // return x, x_dist (timm returns the pair; here side by side)
                return head.forward(ps, cls, training).concat(headDist.forward(ps, dist, training), 1);
            }
            // (self.head(x) + self.head_dist(x_dist)) / 2
            return head.forward(ps, cls, training)
                    .add(headDist.forward(ps, dist, training))
                    .div(2);
        }
        NDArray pooled = config.globalPool() == GlobalPool.AVG
                ? features.get(new NDIndex(":, {}:", config.numPrefixTokens())).mean(new int[] {1})
                : features.get(new NDIndex(":, 0"));
        if (fcNorm != null) {
            pooled = fcNorm.forward(ps, pooled, training);
        }
        return preLogits || head == null ? pooled : head.forward(ps, pooled, training);
    }

    /**
     * Outputs of chosen blocks as feature maps, like timm's {@code forward_intermediates(x, indices,
     * norm, output_fmt='NCHW', intermediates_only=True)}: prefix tokens dropped, patch tokens reshaped to
     * {@code [B, D, rows, cols]}. Blocks after the last requested one are not run.
     *
     * @param norm apply the final {@code norm} to each output (no effect when the model uses {@code
     *     fc_norm}, where timm's {@code norm} is the identity)
     * @param blockIndices block indices, negative ones counted from the end ({@code -1} is the last)
     * @return one array per index, in the order given
     * @throws IllegalArgumentException for an index outside {@code [-depth, depth)} or no index at all
     */
    public NDList forwardIntermediates(
            ParameterStore ps, NDArray x, boolean training, boolean norm, int... blockIndices) {
        int[] resolved = resolve(blockIndices);
        int last = 0;
        for (int idx : resolved) {
            last = Math.max(last, idx);
        }
        NDArray[] taken = new NDArray[config.depth()];
        NDArray tokens = embed(ps, x, training);
        for (int i = 0; i <= last; i++) {
            tokens = blocks.get(i).forward(ps, tokens, training);
            taken[i] = tokens;
        }
        NDList out = new NDList(resolved.length);
        for (int idx : resolved) {
            NDArray t = taken[idx];
            if (norm && this.norm != null) {
                t = this.norm.forward(ps, t, training);
            }
            out.add(toMap(t));
        }
        return out;
    }

    /**
     * The raw outputs of the blocks {@code blockIndices} as maps {@code [B, D, rows, cols]} and the
     * normed features of {@link #forwardFeatures}, from one pass over all blocks (timm's {@code
     * forward_intermediates(norm=False, intermediates_only=False)}).
     *
     * @throws IllegalArgumentException for an index outside {@code [-depth, depth)} or no index at all
     */
    @Override
    public Intermediates forwardIntermediates(ParameterStore ps, NDArray x, boolean training, int... blockIndices) {
        int[] resolved = resolve(blockIndices);
        NDArray[] taken = new NDArray[config.depth()];
        NDArray tokens = embed(ps, x, training);
        for (int i = 0; i < config.depth(); i++) {
            tokens = blocks.get(i).forward(ps, tokens, training);
            taken[i] = tokens;
        }
        NDList maps = new NDList(resolved.length);
        for (int idx : resolved) {
            maps.add(toMap(taken[idx]));
        }
        return new Intermediates(maps, norm == null ? tokens : norm.forward(ps, tokens, training));
    }

    private int[] resolve(int... blockIndices) {
        if (blockIndices.length == 0) {
            throw new IllegalArgumentException("forwardIntermediates needs at least one block index");
        }
        int depth = config.depth();
        int[] resolved = new int[blockIndices.length];
        for (int i = 0; i < blockIndices.length; i++) {
            int idx = blockIndices[i] < 0 ? depth + blockIndices[i] : blockIndices[i];
            if (idx < 0 || idx >= depth) {
                throw new IllegalArgumentException(String.format(
                        Locale.ROOT, "block index %d is outside [-%d, %d)", blockIndices[i], depth, depth));
            }
            resolved[i] = idx;
        }
        return resolved;
    }

    /** {@code x[:, num_prefix_tokens:].reshape(B, rows, cols, -1).permute(0, 3, 1, 2)} */
    private NDArray toMap(NDArray tokens) {
        return tokens.get(new NDIndex(":, {}:", config.numPrefixTokens()))
                .reshape(tokens.getShape().get(0), config.gridHeight(), config.gridWidth(), config.embedDim())
                .transpose(0, 3, 1, 2);
    }

    /** Patch embedding, prefix tokens and position embedding: {@code [B, C, H, W] -> [B, prefix + N, D]}. */
    private NDArray embed(ParameterStore ps, NDArray x, boolean training) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(2) != config.imgHeight() || s.get(3) != config.imgWidth()) {
            throw new IllegalArgumentException(String.format(
                    "input shape %s does not match the model's [B, C, %d, %d]",
                    s, config.imgHeight(), config.imgWidth()));
        }
        NDArray patches = patchEmbed.forward(ps, x, training);
        long b = patches.getShape().get(0);
        Shape tokenShape = new Shape(b, 1, config.embedDim());
        NDList parts = new NDList();
        parts.add(expandInto(patches, ps.getValue(clsToken, patches.getDevice(), training), tokenShape));
        if (distToken != null) {
            parts.add(expandInto(patches, ps.getValue(distToken, patches.getDevice(), training), tokenShape));
        }
        parts.add(patches);
        // x = torch.cat((cls_token.expand(B, -1, -1), [dist_token], x), dim=1) + self.pos_embed
        return NDArrays.concat(parts, 1).add(ps.getValue(posEmbed, patches.getDevice(), training));
    }

    /**
     * {@code token.expand(B, -1, -1)}, owned by the input's manager: an op's result belongs to its first
     * operand's manager, and everything downstream of the concat inherits it, so leaving this in the
     * parameter's manager would keep every activation of every batch alive with the model.
     */
    private static NDArray expandInto(NDArray like, NDArray token, Shape shape) {
        NDArray expanded = token.broadcast(shape);
        expanded.attach(like.getManager());
        return expanded;
    }

    /**
     * A checkpoint's {@code pos_embed} for another token grid, as timm's {@code resample_abs_pos_embed}:
     * the checkpoint's grid is its configuration's when the token count fits, else the square that does.
     *
     * @throws IllegalArgumentException for a {@code pos_embed} that is no such grid
     */
    @Override
    public NDArray adaptCheckpointTensor(String key, NDArray tensor, BackboneConfig checkpointConfig) {
        if (!key.equals("pos_embed")) {
            return null;
        }
        Shape s = tensor.getShape();
        int prefix = config.numPrefixTokens();
        if (s.dimension() != 3 || s.get(0) != 1 || s.get(2) != config.embedDim() || s.get(1) <= prefix) {
            throw new IllegalArgumentException("not a resamplable grid");
        }
        long grid = s.get(1) - prefix;
        int oldH;
        int oldW;
        if (checkpointConfig instanceof VitConfig own && grid == own.numPatches()) {
            oldH = own.gridHeight();
            oldW = own.gridWidth();
        } else {
            int side = (int) Math.round(Math.sqrt(grid));
            if ((long) side * side != grid) {
                throw new IllegalArgumentException("not a resamplable grid");
            }
            oldH = side;
            oldW = side;
        }
        return PosEmbed.resample(tensor, prefix, oldH, oldW, config.gridHeight(), config.gridWidth());
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        return forwardHead(ps, forwardFeatures(ps, x, training), training, false);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long b = inputShapes[0].get(0);
        int out = config.numClasses() > 0 ? config.numClasses() : config.embedDim();
        return new Shape[] {new Shape(b, out)};
    }

    @Override
    public String toString() {
        return "VisionTransformer[" + config.summary() + "]";
    }
}
