package io.visionstream.inference.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.visionstream.inference.backbone.Backbone;
import io.visionstream.inference.backbone.BackboneConfig;
import io.visionstream.inference.backbone.BackboneOutput;
import io.visionstream.inference.heads.DenseHeadConfig;
import io.visionstream.inference.heads.SpatialOps;
import io.visionstream.inference.heads.UperNetHead;
import io.visionstream.inference.image.PreprocessConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Backbone of any family, its classifier and an optional dense head as one DJL block: the backbone runs
 * once per batch and feeds the classifier (logits), the pooled pre-logits feature (embedding) and,
 * through its feature maps at {@code dense_head.feature_indices}, the {@link UperNetHead}. Only the
 * {@link Backbone} seam is used, so the head sits on a plain ViT (through the feature pyramid neck) or a
 * hierarchical backbone alike.
 *
 * <p>The head reads the raw block outputs (timm's {@code forward_intermediates(norm=False)}), so the
 * backbone's final {@code norm} only feeds the classifier. Input: normalised images {@code [B, C, H, W]}
 * at the backbone's configured size. The DJL block forward returns, in this order, the logits (when the
 * backbone has a classifier), the embedding and the dense logits at input resolution (when there is a
 * head).
 *
 * <p>Also carries what the model directory says about how to feed it: the timm architecture name, the
 * preprocessing and the class names.
 *
 * <p>Thread-safety: initialise or load once from one thread. Inference forwards ({@code training ==
 * false}) write nothing and may run concurrently, each with its own NDManager; a training forward
 * updates the head's batch-norm statistics and must not overlap any other call.
 */
public final class VisionModel extends AbstractBlock {

    private final Backbone backbone;
    private final UperNetHead head;
    private final String architecture;
    private final PreprocessConfig preprocess;
    private final List<String> labelNames;
    private final int[] featureIndices;

    /**
     * Builds an uninitialised model; call {@link #initialize(NDManager)} or load it with {@link
     * ModelDirectory#load}.
     *
     * @param backboneConfig the backbone (any family), with its classifier ({@code numClasses > 0}) or
     *     without
     * @param headConfig the dense head, or null for none; its strides are taken from the backbone
     * @param architecture the timm architecture name written to {@code config.json} (a known name whose
     *     defaults the model's {@code model_args} override)
     * @param preprocess how images are prepared; its size must be the backbone's input size
     * @param labelNames one name per classifier class, or empty
     * @throws IllegalArgumentException when the parts do not fit together, naming the key and values
     */
    public VisionModel(
            BackboneConfig backboneConfig,
            DenseHeadConfig headConfig,
            String architecture,
            PreprocessConfig preprocess,
            List<String> labelNames) {
        super((byte) 1);
        Objects.requireNonNull(backboneConfig, "backboneConfig");
        this.architecture = Objects.requireNonNull(architecture, "architecture");
        this.preprocess = Objects.requireNonNull(preprocess, "preprocess");
        this.labelNames = List.copyOf(Objects.requireNonNull(labelNames, "labelNames"));
        if (!this.labelNames.isEmpty() && this.labelNames.size() != backboneConfig.numClasses()) {
            throw new IllegalArgumentException("label_names has " + this.labelNames.size() + " entries but num_classes="
                    + backboneConfig.numClasses());
        }
        if (preprocess.height() != backboneConfig.imgHeight() || preprocess.width() != backboneConfig.imgWidth()) {
            throw new IllegalArgumentException("pretrained_cfg.input_size " + preprocess.height() + "x"
                    + preprocess.width() + " differs from the model's img_size " + backboneConfig.imgHeight() + "x"
                    + backboneConfig.imgWidth());
        }
        backbone = addChildBlock(
                "backbone", headConfig == null ? backboneConfig.newBackbone() : backboneConfig.newDenseBackbone());
        if (headConfig != null) {
            DenseHeadConfig attached = headConfig.attachTo(backbone.featureInfo());
            if (attached.singleScale()) {
                int stride = attached.inStrides().get(0);
                long h = mapSize(backboneConfig.imgHeight(), stride);
                long w = mapSize(backboneConfig.imgWidth(), stride);
                if (h < 2 || w < 2) {
                    throw new IllegalArgumentException("the dense head needs feature maps of at least 2x2, img_size "
                            + backboneConfig.imgHeight() + "x" + backboneConfig.imgWidth() + " at stride " + stride
                            + " gives " + h + "x" + w);
                }
            }
            head = addChildBlock("decode_head", new UperNetHead(attached));
            featureIndices = attached.featureIndices().stream()
                    .mapToInt(Integer::intValue)
                    .toArray();
        } else {
            head = null;
            featureIndices = new int[0];
        }
    }

    /** The backbone with its classifier. */
    public Backbone backbone() {
        return backbone;
    }

    /** The dense head, if the model has one. */
    public Optional<UperNetHead> head() {
        return Optional.ofNullable(head);
    }

    /** The backbone's configuration. */
    public BackboneConfig backboneConfig() {
        return backbone.config();
    }

    /** The dense head's configuration (strides filled in from the backbone), if the model has a head. */
    public Optional<DenseHeadConfig> headConfig() {
        return head().map(UperNetHead::config);
    }

    /** The timm architecture name of {@code config.json}. */
    public String architecture() {
        return architecture;
    }

    /** How images must be prepared for this model (size = the backbone's input size). */
    public PreprocessConfig preprocess() {
        return preprocess;
    }

    /** Classifier class names ({@code label_names}), one per class, or empty. */
    public List<String> labelNames() {
        return labelNames;
    }

    /**
     * Allocates every parameter on {@code manager} with DJL's initialisers (timm-like for the backbone;
     * a trainer re-initialises what it trains from scratch).
     *
     * @param manager owner of the parameters; they live until it closes
     */
    public void initialize(NDManager manager) {
        BackboneConfig c = backbone.config();
        initialize(manager, DataType.FLOAT32, new Shape(2, c.inChans(), c.imgHeight(), c.imgWidth()));
    }

    /**
     * Every parameter under its checkpoint name: the backbone's timm keys ({@code cls_token}, {@code
     * blocks.0.attn.qkv.weight}, ...) then the head's {@code decode_head.*} names (batch-norm running
     * statistics included). Unmodifiable; the parameters are the model's own.
     */
    public Map<String, Parameter> checkpointParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>(backbone.checkpointParameters());
        if (head != null) {
            out.putAll(head.checkpointParameters());
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * One pass: backbone once, then classifier, embedding and dense head.
     *
     * @param ps parameter store ({@code new ParameterStore(manager, false)} on the batch's manager)
     * @param x normalised images {@code [B, C, H, W]} at the configured size
     * @param training whether to build the autograd graph's training behaviour (batch statistics in the
     *     head's batch norms, which a training forward also updates)
     * @return the outputs, on {@code x}'s manager
     */
    public ModelOutputs forward(ParameterStore ps, NDArray x, boolean training) {
        BackboneOutput out = backbone.forwardOutputs(ps, x, training, featureIndices);
        if (head == null) {
            return new ModelOutputs(out.logits(), out.embedding(), null);
        }
        Shape s = x.getShape();
        NDArray dense = head.forward(ps, out.featureMaps(), s.get(2), s.get(3), training);
        return new ModelOutputs(out.logits(), out.embedding(), dense);
    }

    /**
     * Inference on a batch: {@link #forward} in eval mode plus the per-pixel argmax.
     *
     * @param x normalised images {@code [B, C, H, W]}; results are attached to its manager
     * @return logits, embedding and class map {@code [B, H, W]} (null without a head)
     */
    public PredictionTensors predict(NDArray x) {
        ModelOutputs out = forward(new ParameterStore(x.getManager(), false), x, false);
        NDArray classMap = out.denseLogits() == null ? null : out.denseLogits().argMax(1);
        return new PredictionTensors(out.logits(), out.embedding(), classMap);
    }

    /**
     * A class map brought to another size (e.g. the original frame's) by nearest-neighbour sampling,
     * PyTorch's {@code F.interpolate(mode='nearest')}.
     *
     * @param classMap {@code [B, H, W]} or {@code [H, W]}
     * @return {@code [B, height, width]} (or {@code [height, width]}), same data type, same manager
     */
    public static NDArray resizeClassMap(NDArray classMap, long height, long width) {
        return SpatialOps.resizeClassMap(classMap, height, width);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        ModelOutputs out = forward(ps, inputs.singletonOrThrow(), training);
        NDList list = new NDList();
        if (out.logits() != null) {
            list.add(out.logits());
        }
        list.add(out.embedding());
        if (out.denseLogits() != null) {
            list.add(out.denseLogits());
        }
        return list;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long b = in.get(0);
        BackboneConfig c = backbone.config();
        List<Shape> shapes = new ArrayList<>();
        if (c.numClasses() > 0) {
            shapes.add(new Shape(b, c.numClasses()));
        }
        shapes.add(new Shape(b, c.numFeatures()));
        if (head != null) {
            shapes.add(new Shape(b, head.config().numClasses(), in.get(2), in.get(3)));
        }
        return shapes.toArray(new Shape[0]);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        backbone.initialize(manager, dataType, in);
        if (head != null) {
            int stride = head.config().inStrides().get(0);
            head.initialize(
                    manager,
                    dataType,
                    head.inputShapes(Math.max(2, in.get(0)), mapSize(in.get(2), stride), mapSize(in.get(3), stride)));
        }
    }

    /** Cells of a map at {@code stride} over {@code pixels} (SAME-padded backbones round up). */
    private static long mapSize(long pixels, int stride) {
        return (pixels + stride - 1) / stride;
    }

    @Override
    public String toString() {
        return "VisionModel[" + backbone + (head == null ? ", no dense head" : ", dense head " + head.config()) + "]";
    }
}
