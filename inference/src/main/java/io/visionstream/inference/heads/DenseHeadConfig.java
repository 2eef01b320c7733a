package io.visionstream.inference.heads;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.visionstream.inference.backbone.FeatureInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Hyper-parameters of the dense segmentation head, as stored under the {@code dense_head} key of a
 * model directory's {@code config.json}.
 *
 * <p>The head reads four backbone maps, named by their indices into the backbone's {@link FeatureInfo}
 * list, with per-level channels and strides as mmsegmentation's {@code UPerHead(in_channels=...)}. Maps
 * at one stride (a plain ViT's blocks, all {@code D} wide) go through the {@link Feature2Pyramid} neck,
 * which makes them a 4x, 2x, 1x, 0.5x pyramid; maps at increasing strides (a hierarchical backbone's
 * stages, 4, 8, 16, 32) feed the decoder directly.
 *
 * <p>Every list is copied and unmodifiable; the record is immutable and thread-safe. The compact
 * constructor throws {@link IllegalArgumentException} naming the offending key and value.
 *
 * @param inChannels channels of each of the four maps (key {@code in_channels}); all equal for
 *     single-scale maps
 * @param inStrides input pixels per map cell of each map (key {@code in_strides}): all equal (single
 *     scale) or strictly increasing; null until the head is attached to a backbone, which then fills in
 *     its strides (a head built for a plain ViT by {@link #DenseHeadConfig(int, List, int, List, int,
 *     List)} is single-scale whatever the patch size)
 * @param featureIndices the four indices into the backbone's feature maps (a ViT's blocks, a hierarchical
 *     backbone's stages), 0-based and strictly increasing, shallowest first (key {@code feature_indices})
 * @param channels width of the UPerNet decoder (key {@code channels}); 32 to 64 suits a CPU-trained
 *     model, mmseg's UPerNet uses 512 or 768
 * @param poolScales output sizes of the pyramid pooling module (key {@code pool_scales}); {@code null}
 *     means {@code [1, 2, 3, 6]}
 * @param numClasses number of classes {@code K} of the per-pixel classifier (key {@code num_classes})
 * @param classNames one name per class, or empty when the model has none (key {@code class_names};
 *     {@code null} means empty)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DenseHeadConfig(
        @JsonProperty("in_channels") List<Integer> inChannels,
        @JsonProperty("in_strides") List<Integer> inStrides,
        @JsonProperty("feature_indices") List<Integer> featureIndices,
        @JsonProperty("channels") int channels,
        @JsonProperty("pool_scales") List<Integer> poolScales,
        @JsonProperty("num_classes") int numClasses,
        @JsonProperty("class_names") List<String> classNames) {

    /** The pyramid pooling scales of PSPNet and UPerNet. */
    public static final List<Integer> DEFAULT_POOL_SCALES = List.of(1, 2, 3, 6);

    /** Number of backbone levels the head reads (fixed by the four-level pyramid). */
    public static final int NUM_LEVELS = 4;

    public DenseHeadConfig {
        if (inChannels == null
                || inChannels.size() != NUM_LEVELS
                || inChannels.stream().anyMatch(c -> c == null || c <= 0)) {
            throw new IllegalArgumentException(
                    "dense_head.in_channels must list " + NUM_LEVELS + " positive widths, got " + inChannels);
        }
        if (inStrides != null) {
            boolean positive =
                    inStrides.size() == NUM_LEVELS && inStrides.stream().allMatch(s -> s != null && s > 0);
            if (!positive || !(allEqual(inStrides) || increasing(inStrides))) {
                throw new IllegalArgumentException("dense_head.in_strides must list " + NUM_LEVELS
                        + " positive strides, all equal (single-scale maps) or increasing (a hierarchy), got "
                        + inStrides);
            }
            inStrides = List.copyOf(inStrides);
        }
        if ((inStrides == null || allEqual(inStrides)) && !allEqual(inChannels)) {
            throw new IllegalArgumentException("dense_head.in_channels must be equal for single-scale maps (the"
                    + " feature pyramid neck keeps one width), got " + inChannels);
        }
        if (featureIndices == null || featureIndices.size() != NUM_LEVELS) {
            throw new IllegalArgumentException(
                    "dense_head.feature_indices must list exactly " + NUM_LEVELS + " indices, got " + featureIndices);
        }
        for (int i = 0; i < NUM_LEVELS; i++) {
            Integer index = featureIndices.get(i);
            if (index == null || index < 0 || (i > 0 && index <= featureIndices.get(i - 1))) {
                throw new IllegalArgumentException(
                        "dense_head.feature_indices must be non-negative and strictly increasing, got "
                                + featureIndices);
            }
        }
        if (channels <= 0) {
            throw new IllegalArgumentException("dense_head.channels must be positive, got " + channels);
        }
        if (poolScales == null) {
            poolScales = DEFAULT_POOL_SCALES;
        }
        if (poolScales.isEmpty()) {
            throw new IllegalArgumentException("dense_head.pool_scales must not be empty, got " + poolScales);
        }
        Set<Integer> seen = new HashSet<>();
        for (Integer scale : poolScales) {
            if (scale == null || scale <= 0 || !seen.add(scale)) {
                throw new IllegalArgumentException(
                        "dense_head.pool_scales must be distinct positive sizes, got " + poolScales);
            }
        }
        if (numClasses <= 0) {
            throw new IllegalArgumentException("dense_head.num_classes must be positive, got " + numClasses);
        }
        if (classNames == null) {
            classNames = List.of();
        }
        if (!classNames.isEmpty() && classNames.size() != numClasses) {
            throw new IllegalArgumentException("dense_head.class_names must be empty or have num_classes (" + numClasses
                    + ") entries, got " + classNames.size() + ": " + classNames);
        }
        for (String name : classNames) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException(
                        "dense_head.class_names must not hold blank names, got " + classNames);
            }
        }
        inChannels = List.copyOf(inChannels);
        featureIndices = List.copyOf(featureIndices);
        poolScales = List.copyOf(poolScales);
        classNames = List.copyOf(classNames);
    }

    /**
     * A head over four maps of one width and one stride, as a plain ViT's blocks give them; the strides
     * are filled in when it is attached to a backbone.
     *
     * @param inDim width D of every map
     * @throws IllegalArgumentException naming the offending key and value
     */
    public DenseHeadConfig(
            int inDim,
            List<Integer> featureIndices,
            int channels,
            List<Integer> poolScales,
            int numClasses,
            List<String> classNames) {
        this(fourOf(inDim), null, featureIndices, channels, poolScales, numClasses, classNames);
    }

    /**
     * Reads both this format and the one before per-level channels, whose {@code in_dim} and {@code
     * block_indices} (a plain ViT's) are {@code in_channels} of four equal widths and {@code
     * feature_indices}.
     */
    @JsonCreator
    private static DenseHeadConfig fromJson(
            @JsonProperty("in_channels") List<Integer> inChannels,
            @JsonProperty("in_strides") List<Integer> inStrides,
            @JsonProperty("feature_indices") List<Integer> featureIndices,
            @JsonProperty("in_dim") Integer inDim,
            @JsonProperty("block_indices") List<Integer> blockIndices,
            @JsonProperty("channels") int channels,
            @JsonProperty("pool_scales") List<Integer> poolScales,
            @JsonProperty("num_classes") int numClasses,
            @JsonProperty("class_names") List<String> classNames) {
        if (inChannels != null && inDim != null) {
            throw new IllegalArgumentException("dense_head has both in_channels and in_dim; give in_channels only");
        }
        if (featureIndices != null && blockIndices != null) {
            throw new IllegalArgumentException(
                    "dense_head has both feature_indices and block_indices; give feature_indices only");
        }
        return new DenseHeadConfig(
                inChannels != null ? inChannels : inDim == null ? null : fourOf(inDim),
                inStrides,
                featureIndices != null ? featureIndices : blockIndices,
                channels,
                poolScales,
                numClasses,
                classNames);
    }

    private static List<Integer> fourOf(int inDim) {
        if (inDim <= 0) {
            throw new IllegalArgumentException("dense_head.in_dim must be positive, got " + inDim);
        }
        return Collections.nCopies(NUM_LEVELS, inDim);
    }

    private static boolean allEqual(List<Integer> values) {
        return values.stream().distinct().count() == 1;
    }

    private static boolean increasing(List<Integer> values) {
        for (int i = 1; i < values.size(); i++) {
            if (values.get(i) <= values.get(i - 1)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the four maps share one stride (a plain ViT's), so that the feature pyramid neck builds the
     * levels; unattached configurations ({@code in_strides} null) are single-scale.
     */
    public boolean singleScale() {
        return inStrides == null || allEqual(inStrides);
    }

    /**
     * The block indices BEiT and ViTDet tap for a backbone of the given depth: the last block of each
     * quarter, {@code [d/4 - 1, d/2 - 1, 3d/4 - 1, d - 1]} (for depth 12: {@code [2, 5, 8, 11]}; mmseg's
     * BEiT-B configs use {@code [3, 5, 7, 11]}).
     *
     * @param depth number of transformer blocks, at least 4
     * @return four strictly increasing 0-based indices
     * @throws IllegalArgumentException if {@code depth < 4}
     */
    public static List<Integer> quarterBlockIndices(int depth) {
        if (depth < NUM_LEVELS) {
            throw new IllegalArgumentException("backbone depth must be at least " + NUM_LEVELS + ", got " + depth);
        }
        return List.of(depth / 4 - 1, depth / 2 - 1, 3 * depth / 4 - 1, depth - 1);
    }

    /**
     * This head on a backbone with the given maps: checks the indices, channels and (when given) strides
     * against them and fills in the strides.
     *
     * @param featureInfo the backbone's maps, by index
     * @return a copy with {@code in_strides} set
     * @throws IllegalArgumentException naming the key whose values do not fit, and the backbone's
     */
    public DenseHeadConfig attachTo(List<FeatureInfo> featureInfo) {
        int last = featureIndices.get(NUM_LEVELS - 1);
        if (last >= featureInfo.size()) {
            throw new IllegalArgumentException("dense_head.feature_indices " + featureIndices
                    + " reach beyond the backbone's " + featureInfo.size() + " feature maps (indices are 0-based)");
        }
        List<Integer> channelsThere = new ArrayList<>();
        List<Integer> stridesThere = new ArrayList<>();
        for (int index : featureIndices) {
            channelsThere.add(featureInfo.get(index).channels());
            stridesThere.add(featureInfo.get(index).reduction());
        }
        if (!channelsThere.equals(inChannels)) {
            throw new IllegalArgumentException("dense_head.in_channels " + inChannels + " differ from the backbone's "
                    + channelsThere + " at feature_indices " + featureIndices);
        }
        if (inStrides != null && !stridesThere.equals(inStrides)) {
            throw new IllegalArgumentException("dense_head.in_strides " + inStrides + " differ from the backbone's "
                    + stridesThere + " at feature_indices " + featureIndices);
        }
        return new DenseHeadConfig(
                inChannels, stridesThere, featureIndices, channels, poolScales, numClasses, classNames);
    }
}
