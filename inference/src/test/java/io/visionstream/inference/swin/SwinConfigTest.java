package io.visionstream.inference.swin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SwinConfigTest {

    private static SwinConfig tiny(int img, int window, List<Integer> heads) {
        return new SwinConfig(img, img, 4, 3, 1000, 96, List.of(2, 2, 6, 2), heads, window, 4.0, 0.0);
    }

    @Test
    void stagesHaveTimmsWidthsStridesAndMaps() {
        SwinConfig c = tiny(224, 7, List.of(3, 6, 12, 24));

        assertThat(List.of(c.stageDim(0), c.stageDim(1), c.stageDim(2), c.stageDim(3)))
                .containsExactly(96, 192, 384, 768);
        assertThat(List.of(c.stageStride(0), c.stageStride(3))).containsExactly(4, 32);
        assertThat(List.of(c.stageHeight(0), c.stageHeight(1), c.stageHeight(2), c.stageHeight(3)))
                .containsExactly(56, 28, 14, 7);
        assertThat(c.numFeatures()).isEqualTo(768);
        assertThat(c.mlpHiddenDim(1)).isEqualTo(768);
    }

    @Test
    void headsThatDoNotDivideTheStageWidthAreRefused() {
        assertThatThrownBy(() -> tiny(224, 7, List.of(3, 6, 10, 24)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("num_heads[2]=10 does not divide the width 384 of stage 2 (embed_dim=96 * 2^2)");
    }

    @Test
    void oneHeadCountPerStageIsRequired() {
        assertThatThrownBy(() -> tiny(224, 7, List.of(3, 6, 12)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("num_heads=[3, 6, 12] must give one head count per stage of depths=[2, 2, 6, 2]");
    }

    @Test
    void imageNotAMultipleOfThePatchIsRefused() {
        assertThatThrownBy(() -> tiny(226, 7, List.of(3, 6, 12, 24)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("img_size=226x226 (HxW) is not a multiple of patch_size=4");
    }

    @Test
    void oddMapBeforeAPatchMergingIsRefused() {
        // 200 / 4 = 50 -> 25, which stage 2's merging cannot halve
        assertThatThrownBy(() -> tiny(200, 7, List.of(3, 6, 12, 24)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("img_size=200x200 (HxW) gives an odd 25x25 map where stage 2's patch merging halves it;"
                        + " img_size must be a multiple of patch_size * 2^(stages - 1) = 32");
    }

    @Test
    void mapsThatAreNotAMultipleOfTheWindowAreAccepted() {
        // 512 -> 128, 64, 32, 16 with window 7: padded, as mmseg's UPerNet setting needs
        SwinConfig c = tiny(512, 7, List.of(3, 6, 12, 24));

        assertThat(c.windowShift(3, 1)).isEqualTo(new WindowShift(7, 7, 3, 3));
    }

    @Test
    void otherBadValuesNameTheirKey() {
        assertThatThrownBy(() -> tiny(224, 0, List.of(3, 6, 12, 24))).hasMessage("window_size=0 must be > 0");
        assertThatThrownBy(() -> new SwinConfig(224, 224, 4, 3, 10, 96, List.of(2, 0), List.of(3, 6), 7, 4.0, 0.0))
                .hasMessage("depths=[2, 0] must list one positive block count per stage");
        assertThatThrownBy(() -> tiny(224, 7, List.of(3, 6, 12, 24)).withDropPathRate(1.0))
                .hasMessage("drop_path_rate=1.0 must be in [0, 1)");
        assertThatThrownBy(() -> tiny(224, 7, List.of(3, 6, 12, 24)).withNumClasses(-1))
                .hasMessage("num_classes=-1 must be >= 0");
    }

    @Test
    void dropPathRisesLinearlyOverAllBlocks() {
        SwinConfig c = new SwinConfig(64, 64, 4, 3, 10, 8, List.of(2, 3), List.of(1, 2), 4, 4.0, 0.2);

        assertThat(c.dropPath(0, 0)).isZero();
        assertThat(c.dropPath(1, 0)).isEqualTo(0.1);
        assertThat(c.dropPath(1, 2)).isEqualTo(0.2);
    }

    @Test
    void windowCoveringTheMapDropsTheShiftAndShrinks() {
        // timm's _calc_window_shift, axis by axis
        assertThat(WindowShift.of(56, 56, 7, true)).isEqualTo(new WindowShift(7, 7, 3, 3));
        assertThat(WindowShift.of(56, 56, 7, false)).isEqualTo(new WindowShift(7, 7, 0, 0));
        assertThat(WindowShift.of(7, 7, 7, true)).isEqualTo(new WindowShift(7, 7, 0, 0));
        assertThat(WindowShift.of(4, 4, 7, true)).isEqualTo(new WindowShift(4, 4, 0, 0));
        assertThat(WindowShift.of(20, 3, 5, true)).isEqualTo(new WindowShift(5, 3, 2, 0));
        assertThat(WindowShift.of(12, 12, 12, true).shifts()).isFalse();
    }
}
