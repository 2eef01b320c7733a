package io.visionstream.inference.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.visionstream.inference.layers.ConvNormAct;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dense segmentation head on four backbone maps with per-level channels ({@link
 * DenseHeadConfig#inChannels()}): for single-scale maps (a plain ViT's blocks, {@code [B, D, h, w]}
 * each) {@link Feature2Pyramid} first turns them into a 4x/2x/1x/0.5x pyramid; maps that already form
 * a hierarchy (strides 4, 8, 16, 32) are the pyramid. Then a UPerNet decoder (pyramid pooling on the
 * coarsest level, lateral 1x1 convs, top-down bilinear upsampling and addition, 3x3 FPN convs, fusion
 * of all levels at the finest one, 1x1 classifier; no dropout) produces class logits.
 *
 * <p>{@link #forward(ParameterStore, NDList, boolean)} (the DJL block forward) returns logits at the
 * finest pyramid level ({@code [B, K, 4h, 4w]} for single-scale maps), like mmseg's decode head; {@link
 * #forward(ParameterStore, NDList, long, long, boolean)} also resizes them bilinearly to the input image.
 * Single-scale maps must have {@code h, w >= 2} (the 0.5x level max-pools 2x2); odd sizes are fine.
 *
 * <p>Parameters have fixed shapes from the config, so {@code initialize} only needs some valid input
 * shapes (see {@link #inputShapes}). Checkpoint names follow mmseg's Feature2Pyramid (single-scale only)
 * + UPerHead under {@link #PREFIX}: see {@link #parameterShapes()}.
 *
 * <p>Memory: every intermediate and result is attached to the manager of the input maps, never to the
 * parameters' manager, so running each batch in a sub-manager frees everything it made. Thread-safety:
 * the head keeps no per-call state and an inference forward writes nothing, so inference forwards may
 * run concurrently once weights are loaded; a training forward (it updates BN running statistics) and
 * {@link #loadWeights} must not overlap any other call.
 */
public final class UperNetHead extends AbstractBlock implements CheckpointNamed {

    /** Prefix of the head's tensors in the model's safetensors file. */
    public static final String PREFIX = "decode_head.";

    private static final String BATCHES_TRACKED = "num_batches_tracked";

    private final DenseHeadConfig config;
    private final Feature2Pyramid neck;
    private final PyramidPoolingModule ppm;
    private final List<ConvNormAct> lateralConvs = new ArrayList<>();
    private final List<ConvNormAct> fpnConvs = new ArrayList<>();
    private final ConvNormAct fpnBottleneck;
    private final Parameter convSegWeight;
    private final Parameter convSegBias;

    /**
     * Builds an uninitialised head.
     *
     * @param config validated hyper-parameters
     */
    public UperNetHead(DenseHeadConfig config) {
        this.config = config;
        List<Integer> in = config.inChannels();
        long channels = config.channels();
        neck = config.singleScale() ? addChildBlock("neck", new Feature2Pyramid(in.get(0))) : null;
        ppm = addChildBlock("ppm", new PyramidPoolingModule(in.get(3), channels, config.poolScales()));
        for (int i = 0; i < DenseHeadConfig.NUM_LEVELS - 1; i++) {
            lateralConvs.add(
                    addChildBlock("lateral_convs_" + i, PyramidPoolingModule.convModule(in.get(i), channels, 1)));
        }
        for (int i = 0; i < DenseHeadConfig.NUM_LEVELS - 1; i++) {
            fpnConvs.add(addChildBlock("fpn_convs_" + i, PyramidPoolingModule.convModule(channels, channels, 3)));
        }
        fpnBottleneck = addChildBlock(
                "fpn_bottleneck", PyramidPoolingModule.convModule(DenseHeadConfig.NUM_LEVELS * channels, channels, 3));
        convSegWeight = addParameter(CheckpointNamed.parameter(
                "conv_seg_weight", Parameter.Type.WEIGHT, new Shape(config.numClasses(), channels, 1, 1), true));
        convSegBias = addParameter(
                CheckpointNamed.parameter("conv_seg_bias", Parameter.Type.BIAS, new Shape(config.numClasses()), true));
    }

    /** @return the configuration this head was built from */
    public DenseHeadConfig config() {
        return config;
    }

    /**
     * Shapes to pass to {@code initialize} for a given batch and size of the first map.
     *
     * @param batch batch size
     * @param gridH height of the first map ({@code H/P} for a plain ViT)
     * @param gridW width of the first map
     * @return four shapes {@code [batch, C_i, h_i, w_i]}: all {@code gridH x gridW} for single-scale maps,
     *     else each level's size at its stride relative to the first
     */
    public Shape[] inputShapes(long batch, long gridH, long gridW) {
        Shape[] shapes = new Shape[DenseHeadConfig.NUM_LEVELS];
        for (int i = 0; i < shapes.length; i++) {
            long ratio = config.singleScale()
                    ? 1
                    : config.inStrides().get(i) / config.inStrides().get(0);
            long h = Math.max(1, (gridH + ratio - 1) / ratio);
            long w = Math.max(1, (gridW + ratio - 1) / ratio);
            shapes[i] = new Shape(batch, config.inChannels().get(i), h, w);
        }
        return shapes;
    }

    /**
     * Logits at the input image's resolution.
     *
     * @param ps parameter store ({@code new ParameterStore(manager, false)} for inference)
     * @param features four maps {@code [B, C_i, h_i, w_i]} from the backbone's {@code feature_indices},
     *     in that order (all of one shape when single-scale)
     * @param height image height in pixels, positive
     * @param width image width in pixels, positive
     * @param training whether BN uses (and updates) batch statistics
     * @return {@code [B, K, height, width]}
     * @throws IllegalArgumentException for a wrong number of maps or a wrong shape, naming it
     */
    public NDArray forward(ParameterStore ps, NDList features, long height, long width, boolean training) {
        // seg_logits = resize(seg_logits, size=img_shape, mode='bilinear', align_corners=False)
        return SpatialOps.bilinear(forward(ps, features, training).singletonOrThrow(), height, width);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        validate(inputs, training);
        NDList pyramid = neck == null ? inputs : neck.pyramid(ps, inputs, training);
        NDArray[] laterals = new NDArray[DenseHeadConfig.NUM_LEVELS];
        for (int i = 0; i < lateralConvs.size(); i++) {
            laterals[i] = lateralConvs.get(i).forward(ps, pyramid.get(i), training);
        }
        laterals[3] = ppm.forward(ps, pyramid.get(3), training);
        for (int i = 3; i > 0; i--) {
            // laterals[i - 1] += resize(laterals[i], size=laterals[i - 1].shape[2:], mode='bilinear')
            Shape prev = laterals[i - 1].getShape();
            laterals[i - 1] = laterals[i - 1].add(SpatialOps.bilinear(laterals[i], prev.get(2), prev.get(3)));
        }
        Shape finest = laterals[0].getShape();
        NDList fpnOuts = new NDList();
        for (int i = 0; i < DenseHeadConfig.NUM_LEVELS; i++) {
            NDArray out = i < fpnConvs.size() ? fpnConvs.get(i).forward(ps, laterals[i], training) : laterals[i];
            fpnOuts.add(SpatialOps.bilinear(out, finest.get(2), finest.get(3)));
        }
        NDArray fused = fpnBottleneck.forward(ps, NDArrays.concat(fpnOuts, 1), training);
        // self.conv_seg = nn.Conv2d(channels, num_classes, kernel_size=1)
        NDArray logits = SpatialOps.conv2d(
                fused,
                ps.getValue(convSegWeight, fused.getDevice(), training),
                ps.getValue(convSegBias, fused.getDevice(), training));
        return new NDList(logits);
    }

    private void validate(NDList inputs, boolean training) {
        if (inputs.size() != DenseHeadConfig.NUM_LEVELS) {
            throw new IllegalArgumentException("dense head expects " + DenseHeadConfig.NUM_LEVELS
                    + " feature maps (one per dense_head.feature_indices " + config.featureIndices() + "), got "
                    + inputs.size());
        }
        Shape first = inputs.get(0).getShape();
        for (int i = 0; i < inputs.size(); i++) {
            Shape s = inputs.get(i).getShape();
            if (s.dimension() != 4 || s.get(1) != config.inChannels().get(i)) {
                throw new IllegalArgumentException("dense head feature map " + i + " has shape " + s + ", expected [B, "
                        + config.inChannels().get(i) + " (dense_head.in_channels[" + i + "]), h, w]");
            }
            if (neck != null && !s.equals(first)) {
                throw new IllegalArgumentException(
                        "dense head feature maps must share one shape: map 0 is " + first + ", map " + i + " is " + s);
            }
        }
        if (neck != null && (first.get(2) < 2 || first.get(3) < 2)) {
            throw new IllegalArgumentException("dense head needs feature maps of at least 2x2 patches (the 1/32"
                    + " level max-pools 2x2), got " + first.get(2) + "x" + first.get(3));
        }
        if (training && first.get(0) < 2 && config.poolScales().contains(1)) {
            // The 1x1 pyramid-pooling branch leaves BN one value per channel, which has no variance.
            throw new IllegalArgumentException(
                    "training the dense head needs a batch of at least 2 (batch norm after 1x1 pooling), got 1");
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape finest = neck == null ? inputShapes[0] : neck.getOutputShapes(inputShapes)[0];
        return new Shape[] {new Shape(finest.get(0), config.numClasses(), finest.get(2), finest.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] pyramid = inputShapes;
        if (neck != null) {
            neck.initialize(manager, dataType, inputShapes);
            pyramid = neck.getOutputShapes(inputShapes);
        }
        ppm.initialize(manager, dataType, pyramid[3]);
        for (int i = 0; i < lateralConvs.size(); i++) {
            lateralConvs.get(i).initialize(manager, dataType, pyramid[i]);
            Shape lateral = lateralConvs.get(i).getOutputShapes(new Shape[] {pyramid[i]})[0];
            fpnConvs.get(i).initialize(manager, dataType, lateral);
        }
        Shape p0 = pyramid[0];
        fpnBottleneck.initialize(
                manager,
                dataType,
                new Shape(p0.get(0), DenseHeadConfig.NUM_LEVELS * config.channels(), p0.get(2), p0.get(3)));
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        if (neck != null) {
            neck.collectParameters(prefix + "neck.", out);
        }
        ppm.collectParameters(prefix, out);
        for (int i = 0; i < lateralConvs.size(); i++) {
            lateralConvs.get(i).collectParameters(prefix + "lateral_convs." + i + ".", out);
        }
        for (int i = 0; i < fpnConvs.size(); i++) {
            fpnConvs.get(i).collectParameters(prefix + "fpn_convs." + i + ".", out);
        }
        fpnBottleneck.collectParameters(prefix + "fpn_bottleneck.", out);
        out.put(prefix + "conv_seg.weight", convSegWeight);
        out.put(prefix + "conv_seg.bias", convSegBias);
    }

    /**
     * Every parameter under its checkpoint name ({@code decode_head.neck.upsample_4x.0.weight}, {@code
     * decode_head.psp_modules.0.1.conv.weight}, {@code decode_head.bottleneck.bn.running_var}, ...), in
     * PyTorch's {@code state_dict} order. BN running statistics are included; PyTorch's {@code
     * num_batches_tracked} counters are not (they only matter for momentum=None).
     *
     * @return a new map from name to parameter
     */
    public LinkedHashMap<String, Parameter> checkpointParameters() {
        LinkedHashMap<String, Parameter> out = new LinkedHashMap<>();
        collectParameters(PREFIX, out);
        return out;
    }

    /**
     * The checkpoint name and shape of every parameter, see {@link #checkpointParameters()}.
     *
     * @return a new map from name to shape
     */
    public LinkedHashMap<String, Shape> parameterShapes() {
        LinkedHashMap<String, Shape> out = new LinkedHashMap<>();
        checkpointParameters().forEach((name, p) -> out.put(name, p.getShape()));
        return out;
    }

    /**
     * Copies checkpoint tensors into the (already initialised) parameters. Only names starting with
     * {@link #PREFIX} are considered, so the backbone's tensors may be in the same map; {@code
     * *.num_batches_tracked} of a known BN is accepted and ignored. Nothing is copied unless every
     * tensor fits.
     *
     * @param tensors checkpoint name to floating-point array (e.g. from {@code NDList.decode} of a
     *     safetensors file); arrays are read, not retained
     * @throws IllegalStateException if the head has not been initialised
     * @throws IllegalArgumentException listing all missing, unexpected and wrongly shaped or typed
     *     tensors
     */
    public void loadWeights(Map<String, NDArray> tensors) {
        if (!isInitialized()) {
            throw new IllegalStateException("initialize the dense head before loading its weights");
        }
        LinkedHashMap<String, Parameter> expected = checkpointParameters();
        List<String> unexpected = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            Parameter p = expected.get(name);
            if (p == null) {
                if (!isBatchCounter(name, expected)) {
                    unexpected.add(name);
                }
            } else if (!e.getValue().getShape().equals(p.getShape())) {
                wrong.add(name + " has shape " + e.getValue().getShape() + ", expected " + p.getShape());
            } else if (!e.getValue().getDataType().isFloating()) {
                wrong.add(name + " has data type " + e.getValue().getDataType() + ", expected a float type");
            }
        }
        List<String> missing = new ArrayList<>();
        for (String name : expected.keySet()) {
            if (!tensors.containsKey(name)) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty() || !wrong.isEmpty()) {
            StringBuilder msg = new StringBuilder("dense head weights do not fit (dense_head " + describe() + "):");
            if (!missing.isEmpty()) {
                msg.append("\n  missing ").append(missing.size()).append(": ").append(missing);
            }
            if (!unexpected.isEmpty()) {
                msg.append("\n  unexpected ")
                        .append(unexpected.size())
                        .append(": ")
                        .append(unexpected);
            }
            if (!wrong.isEmpty()) {
                msg.append("\n  wrong shape or type ")
                        .append(wrong.size())
                        .append(": ")
                        .append(wrong);
            }
            throw new IllegalArgumentException(msg.toString());
        }
        expected.forEach((name, p) -> p.getArray()
                .set(FloatBuffer.wrap(
                        tensors.get(name).toType(DataType.FLOAT32, false).toFloatArray())));
    }

    /**
     * {@link #loadWeights(Map)} for a list of named arrays as {@code NDList.decode} returns them.
     *
     * @param tensors named arrays
     * @throws IllegalArgumentException if a name repeats, or as {@link #loadWeights(Map)}
     */
    public void loadWeights(NDList tensors) {
        Map<String, NDArray> byName = new LinkedHashMap<>();
        for (NDArray array : tensors) {
            if (byName.put(array.getName(), array) != null) {
                throw new IllegalArgumentException("tensor name " + array.getName() + " occurs twice in the weights");
            }
        }
        loadWeights(byName);
    }

    private static boolean isBatchCounter(String name, Map<String, Parameter> expected) {
        if (!name.endsWith("." + BATCHES_TRACKED)) {
            return false;
        }
        String module = name.substring(0, name.length() - BATCHES_TRACKED.length());
        return expected.containsKey(module + "running_mean");
    }

    private String describe() {
        return "in_channels=" + config.inChannels() + ", channels=" + config.channels() + ", pool_scales="
                + config.poolScales() + ", num_classes=" + config.numClasses();
    }
}
