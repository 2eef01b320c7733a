package io.visionstream.inference.heads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.visionstream.inference.backbone.FeatureInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class DenseHeadConfigTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readsTheEarlierFormatWithInDimAndBlockIndices() throws Exception {
        String json = "{\"in_dim\": 192, \"block_indices\": [2, 5, 8, 11], \"channels\": 64,"
                + " \"pool_scales\": [1, 2, 3, 6], \"num_classes\": 2, \"class_names\": [\"background\", \"person\"]}";

        DenseHeadConfig config = JSON.readValue(json, DenseHeadConfig.class);

        assertThat(config)
                .isEqualTo(new DenseHeadConfig(
                        192, List.of(2, 5, 8, 11), 64, List.of(1, 2, 3, 6), 2, List.of("background", "person")));
    }

    @Test
    void writesTheSameKeysItReads() throws Exception {
        DenseHeadConfig config = new DenseHeadConfig(
                List.of(32, 32, 32, 32), List.of(8, 8, 8, 8), List.of(0, 1, 2, 3), 16, List.of(1, 2), 3, List.of());

        String json = JSON.writeValueAsString(config);

        assertThat(json)
                .isEqualTo("{\"in_channels\":[32,32,32,32],\"in_strides\":[8,8,8,8],\"feature_indices\":[0,1,2,3],"
                        + "\"channels\":16,\"pool_scales\":[1,2],\"num_classes\":3,\"class_names\":[]}");
        assertThat(JSON.readValue(json, DenseHeadConfig.class)).isEqualTo(config);
    }

    @Test
    void hierarchicalMapsTakePerLevelChannelsAndNeedNoNeck() throws Exception {
        String json = "{\"in_channels\": [96, 192, 384, 768], \"in_strides\": [4, 8, 16, 32],"
                + " \"feature_indices\": [0, 1, 2, 3], \"channels\": 64, \"num_classes\": 2}";

        DenseHeadConfig config = JSON.readValue(json, DenseHeadConfig.class);

        assertThat(config.inChannels()).containsExactly(96, 192, 384, 768);
        assertThat(config.singleScale()).isFalse();
    }

    @Test
    void singleScaleMapsOfDifferentWidthsAreRejected() {
        assertThatThrownBy(() -> new DenseHeadConfig(
                        List.of(32, 64, 32, 32), List.of(8, 8, 8, 8), List.of(0, 1, 2, 3), 16, null, 3, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dense_head.in_channels must be equal for single-scale maps (the feature pyramid neck"
                        + " keeps one width), got [32, 64, 32, 32]");
    }

    @Test
    void stridesThatNeitherRepeatNorIncreaseAreRejected() {
        assertThatThrownBy(() -> new DenseHeadConfig(
                        List.of(32, 32, 32, 32), List.of(8, 16, 8, 32), List.of(0, 1, 2, 3), 16, null, 3, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dense_head.in_strides must list 4 positive strides, all equal (single-scale maps) or"
                        + " increasing (a hierarchy), got [8, 16, 8, 32]");
    }

    @Test
    void attachingFillsInTheBackbonesStridesAndChecksItsChannels() {
        List<FeatureInfo> blocks = List.of(
                new FeatureInfo("blocks.0", 32, 16),
                new FeatureInfo("blocks.1", 32, 16),
                new FeatureInfo("blocks.2", 32, 16),
                new FeatureInfo("blocks.3", 32, 16));

        DenseHeadConfig attached = new DenseHeadConfig(32, List.of(0, 1, 2, 3), 16, null, 2, null).attachTo(blocks);

        assertThat(attached.inStrides()).containsExactly(16, 16, 16, 16);
        assertThatThrownBy(() -> new DenseHeadConfig(
                                List.of(32, 32, 32, 32), List.of(8, 8, 8, 8), List.of(0, 1, 2, 3), 16, null, 2, null)
                        .attachTo(blocks))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dense_head.in_strides [8, 8, 8, 8] differ from the backbone's [16, 16, 16, 16] at"
                        + " feature_indices [0, 1, 2, 3]");
    }

    @Test
    void absentPoolScalesAndClassNamesTakeTheirDefaults() throws Exception {
        String json = "{\"in_dim\": 32, \"block_indices\": [0, 1, 2, 3], \"channels\": 16, \"num_classes\": 3}";

        DenseHeadConfig config = JSON.readValue(json, DenseHeadConfig.class);

        assertThat(config.poolScales()).containsExactly(1, 2, 3, 6);
        assertThat(config.classNames()).isEmpty();
    }

    @Test
    void rejectsANonPositiveInDim() {
        assertThatThrownBy(() -> new DenseHeadConfig(0, List.of(0, 1, 2, 3), 16, null, 3, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dense_head.in_dim must be positive, got 0");
    }

    @Test
    void rejectsThreeBlockIndices() {
        assertThatThrownBy(() -> new DenseHeadConfig(32, List.of(3, 7, 11), 16, null, 3, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dense_head.feature_indices must list exactly 4 indices, got [3, 7, 11]");
    }

    @Test
    void rejectsBlockIndicesOutOfOrder() {
        assertThatThrownBy(() -> new DenseHeadConfig(32, List.of(2, 5, 5, 11), 16, null, 3, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "dense_head.feature_indices must be non-negative and strictly increasing, got [2, 5, 5, 11]");
    }

    @Test
    void rejectsANonPositiveChannelWidth() {
        assertThatThrownBy(() -> new DenseHeadConfig(32, List.of(0, 1, 2, 3), -8, null, 3, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dense_head.channels must be positive, got -8");
    }

    @Test
    void rejectsRepeatedPoolScales() {
        assertThatThrownBy(() -> new DenseHeadConfig(32, List.of(0, 1, 2, 3), 16, List.of(1, 2, 2), 3, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dense_head.pool_scales must be distinct positive sizes, got [1, 2, 2]");
    }

    @Test
    void rejectsEmptyPoolScales() {
        assertThatThrownBy(() -> new DenseHeadConfig(32, List.of(0, 1, 2, 3), 16, List.of(), 3, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dense_head.pool_scales must not be empty, got []");
    }

    @Test
    void rejectsZeroClasses() {
        assertThatThrownBy(() -> new DenseHeadConfig(32, List.of(0, 1, 2, 3), 16, null, 0, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dense_head.num_classes must be positive, got 0");
    }

    @Test
    void rejectsClassNamesThatDoNotMatchTheClassCount() {
        assertThatThrownBy(() -> new DenseHeadConfig(32, List.of(0, 1, 2, 3), 16, null, 3, List.of("a", "b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dense_head.class_names must be empty or have num_classes (3) entries, got 2: [a, b]");
    }

    @Test
    void rejectsBlankClassNames() {
        assertThatThrownBy(() -> new DenseHeadConfig(32, List.of(0, 1, 2, 3), 16, null, 2, List.of("a", " ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dense_head.class_names must not hold blank names, got [a,  ]");
    }

    @Test
    void quarterBlockIndicesTapTheLastBlockOfEachQuarter() {
        assertThat(DenseHeadConfig.quarterBlockIndices(12)).containsExactly(2, 5, 8, 11);
        assertThat(DenseHeadConfig.quarterBlockIndices(24)).containsExactly(5, 11, 17, 23);
    }

    @Test
    void featureIndicesBeyondTheBackbonesMapsAreRejected() {
        DenseHeadConfig config = new DenseHeadConfig(32, List.of(2, 5, 8, 12), 16, null, 2, null);
        List<FeatureInfo> twelve = java.util.stream.IntStream.range(0, 12)
                .mapToObj(i -> new FeatureInfo("blocks." + i, 32, 16))
                .toList();

        assertThatThrownBy(() -> config.attachTo(twelve))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dense_head.feature_indices [2, 5, 8, 12] reach beyond the backbone's 12 feature maps"
                        + " (indices are 0-based)");
    }
}
