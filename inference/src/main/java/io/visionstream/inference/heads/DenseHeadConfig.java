package io.visionstream.inference.heads;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Hyper-parameters of the dense segmentation head, as stored under the {@code dense_head} key of a
 * model directory's {@code config.json}.
 *
 * <p>Every list is copied and unmodifiable; the record is immutable and thread-safe. The compact
 * constructor throws {@link IllegalArgumentException} naming the offending key and value.
 *
 * @param inDim embedding width {@code D} of the ViT feature maps the head consumes (key {@code
 *     in_dim})
 * @param blockIndices the four backbone block indices (0-based, strictly increasing) whose outputs
 *     feed the 1/4, 1/8, 1/16 and 1/32 pyramid levels (key {@code block_indices})
 * @param channels width of the UPerNet decoder (key {@code channels}); 32 to 64 suits a CPU-trained
 *     model, mmseg's UPerNet uses 512 or 768
 * @param poolScales output sizes of the pyramid pooling module (key {@code pool_scales}); {@code
 *     null} means {@code [1, 2, 3, 6]}
 * @param numClasses number of classes {@code K} of the per-pixel classifier (key {@code
 *     num_classes})
 * @param classNames one name per class, or empty when the model has none (key {@code class_names};
 *     {@code null} means empty)
 */
public record DenseHeadConfig(
        @JsonProperty("in_dim") int inDim,
        @JsonProperty("block_indices") List<Integer> blockIndices,
        @JsonProperty("channels") int channels,
        @JsonProperty("pool_scales") List<Integer> poolScales,
        @JsonProperty("num_classes") int numClasses,
        @JsonProperty("class_names") List<String> classNames) {

    /** The pyramid pooling scales of PSPNet and UPerNet. */
    public static final List<Integer> DEFAULT_POOL_SCALES = List.of(1, 2, 3, 6);

    /** Number of backbone levels the head reads (fixed by the 4x, 2x, 1x, 1/2x pyramid). */
    public static final int NUM_LEVELS = 4;

    public DenseHeadConfig {
        if (inDim <= 0) {
            throw new IllegalArgumentException("dense_head.in_dim must be positive, got " + inDim);
        }
        if (blockIndices == null || blockIndices.size() != NUM_LEVELS) {
            throw new IllegalArgumentException(
                    "dense_head.block_indices must list exactly " + NUM_LEVELS + " block indices, got " + blockIndices);
        }
        for (int i = 0; i < NUM_LEVELS; i++) {
            Integer index = blockIndices.get(i);
            if (index == null || index < 0 || (i > 0 && index <= blockIndices.get(i - 1))) {
                throw new IllegalArgumentException(
                        "dense_head.block_indices must be non-negative and strictly increasing, got " + blockIndices);
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
        blockIndices = List.copyOf(blockIndices);
        poolScales = List.copyOf(poolScales);
        classNames = List.copyOf(classNames);
    }

    /**
     * The block indices BEiT and ViTDet tap for a backbone of the given depth: the last block of each
     * quarter, {@code [d/4 - 1, d/2 - 1, 3d/4 - 1, d - 1]} (for depth 12: {@code [2, 5, 8, 11]}; mmseg's BEiT-B configs use {@code [3, 5, 7, 11]}).
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
     * Checks the block indices against the backbone they will tap.
     *
     * @param depth number of blocks of the backbone
     * @throws IllegalArgumentException naming {@code dense_head.block_indices} if an index is not
     *     below {@code depth}
     */
    public void requireFitsDepth(int depth) {
        int last = blockIndices.get(NUM_LEVELS - 1);
        if (last >= depth) {
            throw new IllegalArgumentException("dense_head.block_indices " + blockIndices
                    + " reach beyond the backbone's depth " + depth + " (indices are 0-based)");
        }
    }
}
