package io.visionstream.inference.resnetv2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResNetV2ConfigTest {

    @Test
    void r50BackboneOfTheHybridsHasStride16And1024Channels() {
        ResNetV2Config r50 = ResNetV2Config.hybrid(3, 4, 9);

        assertThat(r50.featureChannels()).isEqualTo(1024);
        assertThat(r50.reduction()).isEqualTo(16);
        assertThat(r50.featureSize(224)).isEqualTo(14);
        assertThat(r50.featureSize(384)).isEqualTo(24);
        assertThat(List.of(r50.midChannels(0), r50.midChannels(1), r50.midChannels(2)))
                .containsExactly(64, 128, 256);
    }

    @Test
    void stemOnlyBackboneHasStride4And64Channels() {
        ResNetV2Config stem = ResNetV2Config.hybrid();

        assertThat(stem.stemOnly()).isTrue();
        assertThat(stem.featureChannels()).isEqualTo(64);
        assertThat(stem.reduction()).isEqualTo(4);
        assertThat(stem.featureSize(224)).isEqualTo(56);
    }

    @Test
    void featureSizeRoundsUpAtEveryHalvingLikeSamePadding() {
        assertThat(ResNetV2Config.hybrid(2, 2, 2, 2).featureSize(44)).isEqualTo(2); // 22, 11, 6, 3, 2
        assertThat(new ResNetV2Config(List.of(2, 1), List.of(128, 128), 32, 0.25, 3).featureSize(44))
                .isEqualTo(6);
    }

    @Test
    void makeDivisibleRoundsToTheNearestMultipleOfEight() {
        assertThat(ResNetV2Config.makeDivisible(64)).isEqualTo(64);
        assertThat(ResNetV2Config.makeDivisible(36)).isEqualTo(40);
        assertThat(ResNetV2Config.makeDivisible(3)).isEqualTo(8);
    }

    @Test
    void widthsThatGroupNorm32CannotSplitAreRejectedWithTheirName() {
        assertThatThrownBy(() -> new ResNetV2Config(List.of(1), List.of(64), 32, 0.25, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("backbone bottleneck width of stage 0 (make_divisible(64 * 0.25)) must be a positive"
                        + " multiple of 32 (GroupNorm(32) groups), got 16");
        assertThatThrownBy(() -> new ResNetV2Config(List.of(), List.of(), 48, 0.25, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("backbone stem_chs must be a positive multiple of 32 (GroupNorm(32) groups), got 48");
    }

    @Test
    void moreThanFourStagesAreRejected() {
        assertThatThrownBy(() -> ResNetV2Config.hybrid(1, 1, 1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("backbone layers must list 0 to 4 stages, got [1, 1, 1, 1, 1]");
    }

    @Test
    void missingStageWidthsAreRejected() {
        assertThatThrownBy(() -> new ResNetV2Config(List.of(2, 2), List.of(256), 64, 0.25, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("backbone channels must give a width for each of the 2 stages, got [256]");
    }
}
