package io.visionstream.inference.swin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SwinArchitecturesTest {

    @Test
    void knowsTimmsSixSwinV1Names() {
        assertThat(SwinArchitectures.names())
                .containsExactly(
                        "swin_tiny_patch4_window7_224",
                        "swin_small_patch4_window7_224",
                        "swin_base_patch4_window7_224",
                        "swin_base_patch4_window12_384",
                        "swin_large_patch4_window7_224",
                        "swin_large_patch4_window12_384");
    }

    @Test
    void namesResolveToTimmsShapes() {
        assertThat(SwinArchitectures.get("swin_tiny_patch4_window7_224"))
                .isEqualTo(new SwinConfig(
                        224, 224, 4, 3, 1000, 96, List.of(2, 2, 6, 2), List.of(3, 6, 12, 24), 7, 4.0, 0.0));
        assertThat(SwinArchitectures.get("swin_small_patch4_window7_224").depths())
                .containsExactly(2, 2, 18, 2);
        SwinConfig base384 = SwinArchitectures.get("swin_base_patch4_window12_384.ms_in22k_ft_in1k");
        assertThat(base384.embedDim()).isEqualTo(128);
        assertThat(base384.windowSize()).isEqualTo(12);
        assertThat(base384.imgHeight()).isEqualTo(384);
        assertThat(base384.numHeads()).containsExactly(4, 8, 16, 32);
        assertThat(SwinArchitectures.get("swin_large_patch4_window7_224").numHeads())
                .containsExactly(6, 12, 24, 48);
        assertThat(SwinArchitectures.get("swin_large_patch4_window12_384").numFeatures())
                .isEqualTo(1536);
    }

    @Test
    void everyNameHasWindowAlignedMapsAtItsOwnSize() {
        for (String name : SwinArchitectures.names()) {
            SwinConfig c = SwinArchitectures.get(name);
            for (int i = 0; i < c.numStages(); i++) {
                assertThat(c.stageHeight(i) % c.windowShift(i, 1).windowH())
                        .as("%s stage %d", name, i)
                        .isZero();
            }
        }
    }

    @Test
    void modelArgsOverrideTheDefaults() {
        SwinConfig c = SwinArchitectures.get(
                "swin_tiny_patch4_window7_224",
                Map.of(
                        "img_size",
                        List.of(80, 48),
                        "window_size",
                        5,
                        "embed_dim",
                        8,
                        "depths",
                        List.of(2, 2, 2),
                        "num_heads",
                        List.of(2, 2, 4),
                        "num_classes",
                        10));

        assertThat(c).isEqualTo(new SwinConfig(80, 48, 4, 3, 10, 8, List.of(2, 2, 2), List.of(2, 2, 4), 5, 4.0, 0.0));
    }

    @Test
    void unknownModelArgsAndNamesAreRefused() {
        assertThatThrownBy(() -> SwinArchitectures.get("swin_tiny_patch4_window7_224", Map.of("ape", true)))
                .hasMessageStartingWith("model_args [ape] not supported for Swin; supported: [depths, drop_path_rate,");
        assertThatThrownBy(() ->
                        SwinArchitectures.get("swin_tiny_patch4_window7_224", Map.of("window_size", List.of(7, 14))))
                .hasMessage("window_size=[7, 14]: non-square windows are not supported");
        assertThatThrownBy(() -> SwinArchitectures.get("swin_tiny_patch4_window7_224", Map.of("embed_dim", 9.5)))
                .hasMessage("embed_dim=9.5 must be an integer");
        assertThatThrownBy(() -> SwinArchitectures.get("swinv2_tiny_window8_256"))
                .hasMessageStartingWith(
                        "unknown Swin architecture 'swinv2_tiny_window8_256'; known Swin architectures:");
    }
}
