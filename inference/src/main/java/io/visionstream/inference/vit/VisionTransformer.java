package io.visionstream.inference.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * timm's {@code VisionTransformer} (and {@code VisionTransformerDistilled} when {@link
 * VitConfig#distilled()}) as a DJL block, parameter for parameter.
 *
 * <p>Forward: {@code [B, C, H, W]} normalised images to {@code [B, numClasses]} logits (or {@code [B,
 * D]} pooled features when {@code numClasses == 0}). For a distilled model the output is the mean of
 * {@code head} and {@code head_dist}, in training as well (timm's default {@code
 * distilled_training=False}). Works in training mode under DJL's autograd; there is no dropout.
 *
 * <p>Thread-safety: initialise once from one thread; afterwards concurrent forward calls are safe as
 * far as this class goes (it holds no per-call state), but each caller must use its own {@link
 * ParameterStore} and NDManager.
 */
public final class VisionTransformer extends TimmBlock {

    private final VitConfig config;
    private final Parameter clsToken;
    private final Parameter distToken;
    private final Parameter posEmbed;
    private final PatchEmbed patchEmbed;
    private final List<TransformerBlock> blocks = new ArrayList<>();
    private final LayerNorm norm;
    private final LayerNorm fcNorm;
    private final Linear head;
    private final Linear headDist;

    /** Builds the block tree; call {@link #initialize(NDManager, DataType)} before use. */
    public VisionTransformer(VitConfig config) {
        this.config = config;
        int d = config.embedDim();
        clsToken = addParameter(token("cls_token", new Shape(1, 1, d)));
        distToken = config.distilled() ? addParameter(token("dist_token", new Shape(1, 1, d))) : null;
        posEmbed = addParameter(token("pos_embed", new Shape(1, config.numPrefixTokens() + config.numPatches(), d)));
        patchEmbed = addChildBlock(
                "patch_embed",
                new PatchEmbed(config.imgHeight(), config.imgWidth(), config.patchSize(), config.inChans(), d));
        for (int i = 0; i < config.depth(); i++) {
            blocks.add(addChildBlock(
                    "blocks." + i,
                    new TransformerBlock(
                            d, config.numHeads(), config.mlpHiddenDim(), config.qkvBias(), config.layerNormEps())));
        }
        // self.norm = norm_layer(embed_dim) if not use_fc_norm else nn.Identity(); fc_norm the other way round
        norm = config.fcNorm() ? null : addChildBlock("norm", new LayerNorm(d, config.layerNormEps()));
        fcNorm = config.fcNorm() ? addChildBlock("fc_norm", new LayerNorm(d, config.layerNormEps())) : null;
        head = config.numClasses() > 0 ? addChildBlock("head", new Linear(d, config.numClasses(), true)) : null;
        headDist = config.distilled() && config.numClasses() > 0
                ? addChildBlock("head_dist", new Linear(d, config.numClasses(), true))
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

    /** The configuration this model was built from. */
    public VitConfig config() {
        return config;
    }

    /**
     * Every parameter under its timm state-dict key ({@code cls_token}, {@code
     * blocks.0.attn.qkv.weight}, ...), in a stable order. The map is unmodifiable; the parameters are
     * the model's own.
     */
    public Map<String, Parameter> timmParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collectTimmParameters("", out);
        return Collections.unmodifiableMap(out);
    }

    /**
     * Allocates every parameter on {@code manager}'s device with random values (timm-like
     * initialisation), for input {@code [1, C, H, W]}.
     */
    public void initialize(NDManager manager, DataType dataType) {
        initialize(manager, dataType, new Shape(1, config.inChans(), config.imgHeight(), config.imgWidth()));
    }

    /**
     * Patch embedding, prefix tokens, position embedding, blocks and {@code norm}: {@code [B, C, H, W] ->
     * [B, prefix + N, D]}.
     *
     * @throws IllegalArgumentException when H, W differ from the configured image size
     */
    public NDArray forwardFeatures(ParameterStore ps, NDArray x, boolean training) {
        NDArray tokens = posEmbed(ps, patchEmbed.forward(ps, x, training), training);
        for (TransformerBlock block : blocks) {
            tokens = block.forward(ps, tokens, training);
        }
        return norm == null ? tokens : norm.forward(ps, tokens, training);
    }

    /**
     * Pooling, {@code fc_norm} and the classifier: {@code [B, prefix + N, D] -> [B, numClasses]}, or the
     * pre-logits {@code [B, D]} when {@code preLogits} (timm's {@code forward_head(x, pre_logits)}).
     */
    public NDArray forwardHead(ParameterStore ps, NDArray features, boolean training, boolean preLogits) {
        if (config.distilled()) {
            NDArray cls = features.get(new NDIndex(":, 0"));
            NDArray dist = features.get(new NDIndex(":, 1"));
            if (preLogits || head == null) {
                return cls.add(dist).div(2); // (x + x_dist) / 2
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

    /** Logits and embedding from one pass over the blocks; {@code logits} is null without a head. */
    public VitOutput forwardOutputs(ParameterStore ps, NDArray x, boolean training) {
        NDArray features = forwardFeatures(ps, x, training);
        NDArray embedding = forwardHead(ps, features, training, true);
        NDArray logits = head == null ? null : forwardHead(ps, features, training, false);
        return new VitOutput(logits, embedding);
    }

    /**
     * Outputs of chosen blocks as feature maps, like timm's {@code forward_intermediates(x, indices,
     * norm, output_fmt='NCHW', intermediates_only=True)}: prefix tokens dropped, patch tokens reshaped to
     * {@code [B, D, H/P, W/P]}. Blocks after the last requested one are not run.
     *
     * @param norm apply the final {@code norm} to each output (no effect when the model uses {@code
     *     fc_norm}, where timm's {@code norm} is the identity)
     * @param blockIndices block indices, negative ones counted from the end ({@code -1} is the last)
     * @return one array per index, in the order given
     * @throws IllegalArgumentException for an index outside {@code [-depth, depth)} or no index at all
     */
    public NDList forwardIntermediates(
            ParameterStore ps, NDArray x, boolean training, boolean norm, int... blockIndices) {
        if (blockIndices.length == 0) {
            throw new IllegalArgumentException("forwardIntermediates needs at least one block index");
        }
        int depth = config.depth();
        int[] resolved = new int[blockIndices.length];
        int last = 0;
        for (int i = 0; i < blockIndices.length; i++) {
            int idx = blockIndices[i] < 0 ? depth + blockIndices[i] : blockIndices[i];
            if (idx < 0 || idx >= depth) {
                throw new IllegalArgumentException(String.format(
                        Locale.ROOT, "block index %d is outside [-%d, %d)", blockIndices[i], depth, depth));
            }
            resolved[i] = idx;
            last = Math.max(last, idx);
        }
        long b = x.getShape().get(0);
        NDArray[] taken = new NDArray[depth];
        NDArray tokens = posEmbed(ps, patchEmbed.forward(ps, x, training), training);
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
            // x[:, num_prefix_tokens:].reshape(B, H, W, -1).permute(0, 3, 1, 2)
            out.add(t.get(new NDIndex(":, {}:", config.numPrefixTokens()))
                    .reshape(b, config.gridHeight(), config.gridWidth(), config.embedDim())
                    .transpose(0, 3, 1, 2));
        }
        return out;
    }

    /**
     * {@link #forwardFeatures} and {@link #forwardIntermediates} from a single pass over all blocks, for
     * callers that feed both the classifier and a dense head.
     *
     * @param norm as in {@link #forwardIntermediates}
     * @param blockIndices as in {@link #forwardIntermediates}
     * @return the maps {@code [B, D, H/P, W/P]} of {@code blockIndices} in the order given, followed by
     *     the {@code [B, prefix + N, D]} features of {@link #forwardFeatures} as the last element
     * @throws IllegalArgumentException for an index outside {@code [-depth, depth)} or no index at all
     */
    public NDList forwardFeaturesAndIntermediates(
            ParameterStore ps, NDArray x, boolean training, boolean norm, int... blockIndices) {
        if (blockIndices.length == 0) {
            throw new IllegalArgumentException("forwardFeaturesAndIntermediates needs at least one block index");
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
        long b = x.getShape().get(0);
        NDArray[] taken = new NDArray[depth];
        NDArray tokens = posEmbed(ps, patchEmbed.forward(ps, x, training), training);
        for (int i = 0; i < depth; i++) {
            tokens = blocks.get(i).forward(ps, tokens, training);
            taken[i] = tokens;
        }
        NDArray normed = this.norm == null ? tokens : this.norm.forward(ps, tokens, training);
        NDList out = new NDList(resolved.length + 1);
        for (int idx : resolved) {
            NDArray t = taken[idx];
            if (norm && this.norm != null) {
                t = idx == depth - 1 ? normed : this.norm.forward(ps, t, training);
            }
            out.add(t.get(new NDIndex(":, {}:", config.numPrefixTokens()))
                    .reshape(b, config.gridHeight(), config.gridWidth(), config.embedDim())
                    .transpose(0, 3, 1, 2));
        }
        out.add(normed);
        return out;
    }

    private NDArray posEmbed(ParameterStore ps, NDArray patches, boolean training) {
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

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray features = forwardFeatures(ps, inputs.singletonOrThrow(), training);
        return new NDList(forwardHead(ps, features, training, false));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long b = inputShapes[0].get(0);
        int out = config.numClasses() > 0 ? config.numClasses() : config.embedDim();
        return new Shape[] {new Shape(b, out)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long b = inputShapes[0].get(0);
        Shape tokens = new Shape(b, config.numPrefixTokens() + config.numPatches(), config.embedDim());
        Shape pooled = new Shape(b, config.embedDim());
        patchEmbed.initialize(manager, dataType, inputShapes);
        for (TransformerBlock block : blocks) {
            block.initialize(manager, dataType, tokens);
        }
        if (norm != null) {
            norm.initialize(manager, dataType, tokens);
        }
        if (fcNorm != null) {
            fcNorm.initialize(manager, dataType, pooled);
        }
        if (head != null) {
            head.initialize(manager, dataType, pooled);
        }
        if (headDist != null) {
            headDist.initialize(manager, dataType, pooled);
        }
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "VisionTransformer[%dx%d patch %d, dim %d, depth %d, heads %d, classes %d, pool %s%s]",
                config.imgHeight(),
                config.imgWidth(),
                config.patchSize(),
                config.embedDim(),
                config.depth(),
                config.numHeads(),
                config.numClasses(),
                config.globalPool().timmName(),
                config.distilled() ? ", distilled" : "");
    }
}
