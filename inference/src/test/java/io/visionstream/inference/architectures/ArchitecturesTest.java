package io.visionstream.inference.architectures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.inference.backbone.BackboneConfig;
import io.visionstream.inference.backbone.ModelArgs;
import io.visionstream.inference.hybrid.ConvStemEmbed;
import io.visionstream.inference.hybrid.ResNetEmbed;
import io.visionstream.inference.swin.SwinConfig;
import io.visionstream.inference.vit.EmbedLayer;
import io.visionstream.inference.vit.VitConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArchitecturesTest {

    private static BackboneConfig configure(String architecture, Map<String, ?> modelArgs) {
        return Architectures.configure(architecture, ModelArgs.of(modelArgs));
    }

    @Test
    void everyFamilyRegistersItsTimmNames() {
        assertThat(Architectures.families()).extracting(f -> f.name()).containsExactly("vit", "hybrid", "swin");
        assertThat(Architectures.names())
                .contains("vit_tiny_patch16_224", "deit_base_distilled_patch16_384", "vit_large_r50_s32_384")
                .hasSize(26 + 8 + 6);
        assertThat(Architectures.family("vit_small_r26_s32_224.augreg_in21k").name())
                .isEqualTo("hybrid");
        assertThat(Architectures.family("deit_small_patch16_224").name()).isEqualTo("vit");
        assertThat(Architectures.family("swin_base_patch4_window12_384.ms_in22k_ft_in1k")
                        .name())
                .isEqualTo("swin");
    }

    @Test
    void defaultsAreWhatCreateModelBuilds() {
        VitConfig r50 = (VitConfig) Architectures.defaults("vit_base_r50_s16_384");

        assertThat(r50.numClasses()).isEqualTo(1000);
        assertThat(r50.imgHeight()).isEqualTo(384);
        assertThat(r50.patchSize()).isEqualTo(1);
        assertThat(r50.gridHeight()).isEqualTo(24);
        assertThat(r50.tokenStride()).isEqualTo(16);
        assertThat(r50.embedLayer()).isInstanceOf(ResNetEmbed.class);
        assertThat(((VitConfig) Architectures.defaults("vit_base_patch16_224")).embedLayer())
                .isEqualTo(EmbedLayer.PATCH);
    }

    @Test
    void convStemIsOurExtensionOfTheVitFamily() {
        VitConfig c = (VitConfig) configure(
                "vit_tiny_patch16_224",
                Map.of("img_size", 64, "patch_size", 8, "stem", "conv", "stem_channels", List.of(24, 48, 96)));

        assertThat(c.embedLayer()).isEqualTo(new ConvStemEmbed(List.of(24, 48, 96)));
        assertThat(c.gridHeight()).isEqualTo(8);
        assertThat(c.modelArgs()).containsEntry("stem", "conv").containsEntry("stem_channels", List.of(24, 48, 96));
    }

    @Test
    void convStemStrideMustBeThePatchSize() {
        assertThatThrownBy(() ->
                        configure("vit_tiny_patch16_224", Map.of("stem", "conv", "stem_channels", List.of(8, 16, 32))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("patch_size=16 differs from the conv stem's stride 8 (2^3 for stem_channels [8, 16, 32])");
    }

    @Test
    void backboneArgsReshapeTheHybridsResNet() {
        VitConfig c = (VitConfig) configure(
                "vit_small_r26_s32_224",
                Map.of(
                        "img_size",
                        44,
                        "backbone_args",
                        Map.of("layers", List.of(2, 1), "channels", List.of(128, 128))));

        ResNetEmbed embed = (ResNetEmbed) c.embedLayer();
        assertThat(embed.backbone().layers()).containsExactly(2, 1);
        assertThat(embed.backbone().stemChannels()).isEqualTo(64);
        assertThat(c.gridHeight()).isEqualTo(6);
        assertThat(c.tokenStride()).isEqualTo(8);
    }

    @Test
    void swinTakesTimmsKeywordArguments() {
        SwinConfig c = (SwinConfig) configure(
                "swin_tiny_patch4_window7_224",
                Map.of(
                        "img_size",
                        List.of(64, 96),
                        "embed_dim",
                        8,
                        "depths",
                        List.of(1, 1),
                        "num_heads",
                        List.of(2, 2),
                        "window_size",
                        4,
                        "mlp_ratio",
                        2.0,
                        "num_classes",
                        0));

        assertThat(c).isEqualTo(new SwinConfig(64, 96, 4, 3, 0, 8, List.of(1, 1), List.of(2, 2), 4, 2.0, 0.0));
        assertThat(configure("swin_tiny_patch4_window7_224", c.modelArgs()).withNumClasses(0))
                .isEqualTo(c);
    }

    @Test
    void swinRefusesEveryBadArgumentInOneLine() {
        assertThatThrownBy(() -> configure(
                        "swin_tiny_patch4_window7_224",
                        Map.of("window_size", List.of(7, 8), "global_pool", "token", "depth", 12)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model_args.window_size=[7,8] is not supported (square windows only);"
                        + " model_args.global_pool=\"token\" is not supported (only avg); model_args.depth=12 is not an"
                        + " argument of swin_tiny_patch4_window7_224 (swin family; it takes [attn_drop_rate, depths,"
                        + " drop_path_rate, drop_rate, embed_dim, global_pool, img_size, in_chans, mlp_ratio,"
                        + " num_classes, num_heads, patch_size, proj_drop_rate, qkv_bias, window_size])");
    }

    @Test
    void unknownArchitectureListsTheNamesOfEveryFamily() {
        assertThatThrownBy(() -> Architectures.family("swinv2_tiny_window8_256"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown architecture 'swinv2_tiny_window8_256'; known architectures:"
                        + " vit_tiny_patch16_224, vit_tiny_patch16_384,")
                .hasMessageContaining("deit_base_distilled_patch16_384, vit_tiny_r_s16_p8_224, vit_tiny_r_s16_p8_384,"
                        + " vit_small_r26_s32_224, vit_small_r26_s32_384, vit_base_r50_s16_224, vit_base_r50_s16_384,"
                        + " vit_large_r50_s32_224, vit_large_r50_s32_384, swin_tiny_patch4_window7_224,")
                .hasMessageEndingWith("swin_large_patch4_window12_384");
    }

    @Test
    void aHybridArgumentOnAPlainVitIsNotTaken() {
        assertThatThrownBy(
                        () -> configure("vit_tiny_patch16_224", Map.of("backbone_args", Map.of("layers", List.of(2)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("model_args.backbone_args={\"layers\":[2]} is not an argument of"
                        + " vit_tiny_patch16_224 (vit family; it takes [attn_drop_rate, class_token, depth,")
                .hasMessageContaining(" stem, stem_channels, weight_init])");
    }

    @Test
    void theConvStemIsNotAHybridArgument() {
        Map<String, Object> args = new java.util.LinkedHashMap<>(); // messages follow the file's key order
        args.put("stem", "conv");
        args.put("stem_channels", List.of(8, 16));

        assertThatThrownBy(() -> configure("vit_small_r26_s32_224", args))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("model_args.stem=\"conv\", model_args.stem_channels=[8,16] are not arguments"
                        + " of vit_small_r26_s32_224 (hybrid family; it takes [attn_drop_rate, backbone_args,");
    }

    @Test
    void anUnknownBackboneArgumentIsNamedWithItsPath() {
        assertThatThrownBy(() -> configure(
                        "vit_small_r26_s32_224", Map.of("backbone_args", Map.of("layers", List.of(2), "depths", 3))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("model_args.backbone_args.depths=3 is not an argument of vit_small_r26_s32_224"
                        + " (hybrid family;");
    }

    @Test
    void everyProblemIsNamedAtOnceInOneLine() {
        Map<String, Object> args = new java.util.LinkedHashMap<>();
        args.put("depth", "deep");
        args.put("reg_tokens", 4);
        args.put("global_pool", "max");
        args.put("foo", 1);
        args.put("backbone_args", Map.of("stem_chs", 48));

        assertThatThrownBy(() -> Architectures.configure(
                        "vit_small_r26_s32_224", ModelArgs.of(Map.of("num_classes", "ten"), args)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("\n")
                .hasMessageStartingWith("model_args.backbone_args: backbone stem_chs must be a positive multiple of 32"
                        + " (GroupNorm(32) groups), got 48; num_classes=\"ten\" is not an integer;"
                        + " model_args.depth=\"deep\" is not an integer; model_args.global_pool=\"max\" is not supported"
                        + " (token or avg); model_args.reg_tokens=4 is not supported (only 0); model_args.foo=1 is not"
                        + " an argument of vit_small_r26_s32_224 (hybrid family;");
    }
}
