package io.visionstream.inference.swin;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.backbone.Backbone;
import io.visionstream.inference.backbone.Intermediates;
import io.visionstream.inference.layers.CheckpointBlock;
import io.visionstream.inference.layers.LayerNorm;
import io.visionstream.inference.layers.Linear;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * timm's {@code SwinTransformer} (v1) as a DJL block, parameter for parameter: {@code patch_embed},
 * {@code layers.0 .. layers.{n-1}} ({@link SwinStage}), {@code norm}, and {@code head.fc} when {@code
 * numClasses > 0}; optionally mmsegmentation's per-stage norms {@code norm0 .. norm{n-1}}.
 *
 * <p>Input: normalised images {@code [B, in_chans, H, W]} at exactly the configured size (timm's
 * {@code strict_img_size}). {@link #forward(ParameterStore, NDArray, boolean)} returns logits {@code [B,
 * numClasses]}, or the pooled features {@code [B, numFeatures]} without a head. {@link #forwardOutputs}
 * returns logits, embedding and the stage maps from one pass. Stage maps have strides {@code P * 2^i}
 * (4, 8, 16, 32 for {@code patch_size=4}) and widths {@code embed_dim * 2^i}.
 *
 * <p>Works in inference and in training under DJL's autograd (stochastic depth from {@link
 * SwinConfig#dropPathRate()}, no dropout). Parameter shapes are fixed at construction; call {@link
 * #initialize(NDManager, DataType)} before use, then copy weights in ({@link SwinWeights}).
 *
 * <p>Thread-safety: build and initialise from one thread; afterwards concurrent forward calls are safe
 * (the model keeps no per-call state), each caller with its own {@link ParameterStore} and
 * NDManager. Every intermediate is allocated on the input's manager.
 */
public final class SwinTransformer extends CheckpointBlock implements Backbone {

    private final SwinConfig config;
    private final SwinPatchEmbed patchEmbed;
    private final List<SwinStage> layers = new ArrayList<>();
    private final LayerNorm norm;
    private final Linear head;
    private final List<LayerNorm> stageNorms = new ArrayList<>();

    /** A classification model without stage norms: timm's module tree. */
    public SwinTransformer(SwinConfig config) {
        this(config, false);
    }

    /**
     * @param config validated hyper-parameters
     * @param withStageNorms add {@code norm0 .. norm{n-1}} (LayerNorm over each stage's width) for a
     *     dense head, as mmsegmentation's Swin backbone with {@code out_indices=(0, .., n-1)} has them
     */
    public SwinTransformer(SwinConfig config, boolean withStageNorms) {
        this.config = config;
        patchEmbed =
                addChild("patch_embed", new SwinPatchEmbed(config.inChans(), config.embedDim(), config.patchSize()));
        for (int i = 0; i < config.numStages(); i++) {
            layers.add(addChild("layers." + i, new SwinStage(config, i)));
        }
        norm = addChild("norm", new LayerNorm(config.numFeatures(), SwinConfig.LAYER_NORM_EPS));
        head = config.numClasses() > 0
                ? addChild("head.fc", new Linear(config.numFeatures(), config.numClasses(), true))
                : null;
        if (withStageNorms) {
            for (int i = 0; i < config.numStages(); i++) {
                stageNorms.add(addChild("norm" + i, new LayerNorm(config.stageDim(i), SwinConfig.LAYER_NORM_EPS)));
            }
        }
    }

    /** The configuration this model was built from. */
    @Override
    public SwinConfig config() {
        return config;
    }

    /** Whether the model has the per-stage norms {@code norm0 ..}. */
    public boolean hasStageNorms() {
        return !stageNorms.isEmpty();
    }

    /** Stride of each stage map relative to the input, in stage order ({@code 4, 8, 16, 32} for patch 4). */
    public int[] featureStrides() {
        int[] out = new int[config.numStages()];
        for (int i = 0; i < out.length; i++) {
            out[i] = config.stageStride(i);
        }
        return out;
    }

    /** Channels of each stage map, in stage order ({@code embed_dim * 2^i}). */
    public int[] featureChannels() {
        int[] out = new int[config.numStages()];
        for (int i = 0; i < out.length; i++) {
            out[i] = config.stageDim(i);
        }
        return out;
    }

    /** The window and shift of every block, by stage then block (what timm's rule gave for this size). */
    public List<List<WindowShift>> windowShifts() {
        return layers.stream().map(SwinStage::windowShifts).toList();
    }

    /** Allocates every parameter on {@code manager} with from-scratch values, for input {@code [1, C, H, W]}. */
    @Override
    public void initialize(NDManager manager, DataType dataType) {
        initialize(manager, dataType, new Shape(1, config.inChans(), config.imgHeight(), config.imgWidth()));
    }

    /**
     * Logits, or the pooled features without a head.
     *
     * @throws IllegalArgumentException when the input is not {@code [B, in_chans, H, W]} at the configured size
     */
    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray pooled = pool(ps, stages(ps, x, training, null), training);
        return head == null ? pooled : head.forward(ps, pooled, training);
    }

    /** Logits (null without a head), embedding and stage maps (normed ones too with stage norms) from one pass. */
    public SwinOutputs forwardOutputs(ParameterStore ps, NDArray x, boolean training) {
        List<NDArray> maps = new ArrayList<>();
        NDArray embedding = pool(ps, stages(ps, x, training, maps), training);
        NDArray logits = head == null ? null : head.forward(ps, embedding, training);
        NDList featureMaps = new NDList(maps.size());
        NDList normed = hasStageNorms() ? new NDList(maps.size()) : null;
        for (int i = 0; i < maps.size(); i++) {
            // x_inter.permute(0, 3, 1, 2)
            featureMaps.add(maps.get(i).transpose(0, 3, 1, 2));
            if (normed != null) {
                normed.add(stageNorms.get(i).forward(ps, maps.get(i), training).transpose(0, 3, 1, 2));
            }
        }
        return new SwinOutputs(logits, embedding, featureMaps, normed);
    }

    /**
     * timm's {@code forward_features}: the last stage's map after {@code norm}, channels-last {@code [B,
     * h, w, C]}.
     */
    @Override
    public NDArray forwardFeatures(ParameterStore ps, NDArray x, boolean training) {
        return norm.forward(ps, stages(ps, x, training, null), training);
    }

    /** timm's {@code forward_head}: average over h and w, then {@code head.fc} unless {@code preLogits}. */
    @Override
    public NDArray forwardHead(ParameterStore ps, NDArray features, boolean training, boolean preLogits) {
        Shape s = features.getShape();
        // x.mean((1, 2)) as one axis: DJL's PyTorch engine reduces a single axis at a time
        NDArray pooled = features.reshape(s.get(0), -1, s.get(3)).mean(new int[] {1});
        return preLogits || head == null ? pooled : head.forward(ps, pooled, training);
    }

    /**
     * The stage maps {@code [B, C_i, h_i, w_i]} of {@code indices} (stage numbers; negative ones count
     * from the end), each through its {@code norm{i}} when the model has stage norms (mmsegmentation's
     * backbone outputs) and raw otherwise (timm's {@code norm=False}), and the final features.
     */
    @Override
    public Intermediates forwardIntermediates(ParameterStore ps, NDArray x, boolean training, int... indices) {
        int n = config.numStages();
        int[] stagesAsked = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k] < 0 ? indices[k] + n : indices[k];
            if (i < 0 || i >= n) {
                throw new IllegalArgumentException(
                        "feature index " + indices[k] + " is out of range for a Swin with " + n + " stages");
            }
            stagesAsked[k] = i;
        }
        List<NDArray> maps = new ArrayList<>();
        NDArray last = stages(ps, x, training, maps);
        NDList out = new NDList(indices.length);
        for (int i : stagesAsked) {
            NDArray map = hasStageNorms() ? stageNorms.get(i).forward(ps, maps.get(i), training) : maps.get(i);
            // x_inter.permute(0, 3, 1, 2)
            out.add(map.transpose(0, 3, 1, 2));
        }
        return new Intermediates(out, norm.forward(ps, last, training));
    }

    /** Drops the computed buffers and maps the pre-2023 layout: {@link SwinWeights#filterTimmKeys}. */
    @Override
    public Map<String, NDArray> filterCheckpoint(Map<String, NDArray> tensors) {
        return SwinWeights.filterTimmKeys(tensors);
    }

    /** Patch embedding and stages: the last stage's map {@code [B, h, w, C]}, each stage's added to {@code taps}. */
    private NDArray stages(ParameterStore ps, NDArray x, boolean training, List<NDArray> taps) {
        Shape s = x.getShape();
        if (s.dimension() != 4
                || s.get(1) != config.inChans()
                || s.get(2) != config.imgHeight()
                || s.get(3) != config.imgWidth()) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "Swin built for img_size=%dx%d (HxW) with in_chans=%d expects [B, %d, %d, %d], got %s",
                    config.imgHeight(),
                    config.imgWidth(),
                    config.inChans(),
                    config.inChans(),
                    config.imgHeight(),
                    config.imgWidth(),
                    s));
        }
        NDArray y = patchEmbed.forward(ps, x, training);
        for (SwinStage stage : layers) {
            y = stage.forward(ps, y, training);
            if (taps != null) {
                taps.add(y);
            }
        }
        return y;
    }

    /** {@code norm}, then the head's average pool over H and W: {@code [B, h, w, C] -> [B, C]}. */
    private NDArray pool(ParameterStore ps, NDArray last, boolean training) {
        Shape s = last.getShape();
        // x.mean((1, 2)) as one axis: DJL's PyTorch engine reduces a single axis at a time
        return norm.forward(ps, last, training).reshape(s.get(0), -1, s.get(3)).mean(new int[] {1});
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long b = inputShapes[0].get(0);
        return new Shape[] {new Shape(b, head == null ? config.numFeatures() : config.numClasses())};
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "SwinTransformer[%dx%d patch %d, window %d, dim %d, depths %s, heads %s, classes %d%s]",
                config.imgHeight(),
                config.imgWidth(),
                config.patchSize(),
                config.windowSize(),
                config.embedDim(),
                config.depths(),
                config.numHeads(),
                config.numClasses(),
                hasStageNorms() ? ", stage norms" : "");
    }
}
