package io.visionstream.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.visionstream.inference.vit.GlobalPool;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code --family} options: what a Swin takes, what it refuses and the shapes that must tile. */
class TrainConfigTest {

    private static final Path OUT = Path.of("unused");

    /** A Swin run with every other option at a tiny test value (4 images a step, 8 held out). */
    static TrainConfig swin(
            Path out,
            int steps,
            int imageSize,
            int patch,
            int dim,
            int depth,
            int heads,
            List<Integer> depths,
            int window,
            GlobalPool pool,
            PosEmbedInit posEmbedInit,
            List<Integer> stemChannels,
            Path initFrom,
            Recipe recipe) {
        return new TrainConfig(
                out,
                steps,
                4,
                5e-3,
                1e-5,
                0.05,
                Math.min(2, steps),
                imageSize,
                patch,
                dim,
                depth,
                heads,
                8,
                3,
                1,
                2,
                0,
                8,
                initFrom,
                1.0,
                1.0,
                1.0,
                pool,
                posEmbedInit,
                stemChannels,
                Family.SWIN,
                depths,
                window,
                recipe);
    }

    /**
     * A tiny Swin: 32x32 scenes, patch 2 (stage maps 16, 8, 4, 2), window 4, widths 8 to 64, heads 1 to
     * 8, blocks 2, 2, 1, 1: a shifted block in stages 0 and 1, one whole-map window in stage 2 and one
     * shrunk to 2 in stage 3 (where timm would not shift either).
     */
    static TrainConfig tinySwin(Path out, int steps, Path initFrom, Recipe recipe) {
        return swin(
                out,
                steps,
                32,
                2,
                8,
                0,
                1,
                List.of(2, 2, 1, 1),
                4,
                GlobalPool.AVG,
                PosEmbedInit.NORMAL,
                List.of(),
                initFrom,
                recipe);
    }

    private static TrainConfig swinShape(
            int imageSize, int patch, int dim, int heads, List<Integer> depths, int window) {
        return swin(
                OUT,
                2,
                imageSize,
                patch,
                dim,
                0,
                heads,
                depths,
                window,
                GlobalPool.AVG,
                PosEmbedInit.NORMAL,
                List.of(),
                null,
                Recipe.NONE);
    }

    private static TrainConfig vit(List<Integer> depths, int window) {
        return new TrainConfig(
                OUT,
                2,
                4,
                5e-3,
                1e-5,
                0.05,
                0,
                32,
                8,
                16,
                4,
                2,
                8,
                3,
                1,
                2,
                0,
                8,
                null,
                1.0,
                1.0,
                1.0,
                GlobalPool.TOKEN,
                PosEmbedInit.NORMAL,
                List.of(),
                Family.VIT,
                depths,
                window,
                Recipe.NONE);
    }

    @Test
    void patch4Window4At64IsASwinThatTiles() {
        TrainConfig c = swinShape(64, 4, 32, 1, List.of(2, 2, 2, 2), 4);

        assertThat(c.family()).isEqualTo(Family.SWIN);
        assertThat(c.depths()).containsExactly(2, 2, 2, 2);
        assertThat(c.window()).isEqualTo(4);
    }

    @Test
    void aViTWithoutRecipeIsStillAViT() {
        TrainConfig c = new TrainConfig(
                OUT,
                2,
                4,
                5e-3,
                1e-5,
                0.05,
                0,
                32,
                8,
                16,
                4,
                2,
                8,
                3,
                1,
                2,
                0,
                8,
                null,
                1.0,
                1.0,
                1.0,
                GlobalPool.TOKEN,
                PosEmbedInit.NORMAL,
                List.of());

        assertThat(c.family()).isEqualTo(Family.VIT);
        assertThat(c.depths()).isEmpty();
        assertThat(c.window()).isZero();
        assertThat(c.withRecipe(Recipe.NONE)).isEqualTo(c);
    }

    @Test
    void anImageThatThreePatchMergingsCannotHalveIsRefused() {
        assertThatThrownBy(() -> swinShape(48, 4, 32, 1, List.of(2, 2, 2, 2), 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--image-size 48 must be a multiple of 8 x --patch 4 = 32 with --family swin"
                        + " (three patch mergings halve the map)");
    }

    @Test
    void aWindowThatDoesNotTileAStageMapIsRefusedNamingTheStage() {
        // timm's window 7 on a 64x64 image at patch 4: stage 0's 16x16 map
        assertThatThrownBy(() -> swinShape(64, 4, 32, 1, List.of(2, 2, 2, 2), 7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--window 7 does not tile stage 0's 16x16 map (--image-size 64 / --patch 4 / 2^0);"
                        + " use a window that divides 16");
        // 96 / 4 = 24 takes 8, but stage 1's 12x12 map does not
        assertThatThrownBy(() -> swinShape(96, 4, 32, 1, List.of(2, 2, 2, 2), 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--window 8 does not tile stage 1's 12x12 map (--image-size 96 / --patch 4 / 2^1);"
                        + " use a window that divides 12");
    }

    @Test
    void aWindowLargerThanALaterStagesMapIsAccepted() {
        // stage maps 16, 8, 4, 2: timm shrinks the window of 8 to 4 and 2 in the last two stages
        assertThat(swinShape(64, 4, 32, 1, List.of(2, 2, 2, 2), 8).window()).isEqualTo(8);
    }

    @Test
    void depthsMustGiveFourStages() {
        assertThatThrownBy(() -> swinShape(64, 4, 32, 1, List.of(2, 2, 6), 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--depths must give four positive block counts, one per stage (the dense head taps"
                        + " each), got 2,2,6");
        assertThatThrownBy(() -> swinShape(64, 4, 32, 1, List.of(2, 0, 2, 2), 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--depths must give four positive block counts");
    }

    @Test
    void headsThatDoNotDivideTheFirstStageWidthAreRefused() {
        assertThatThrownBy(() -> swinShape(64, 4, 32, 3, List.of(2, 2, 2, 2), 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--dim 32 is not divisible by --heads 3");
    }

    @Test
    void aSwinRefusesTheConvStem() {
        assertThatThrownBy(() -> swin(
                        OUT,
                        2,
                        64,
                        4,
                        32,
                        0,
                        1,
                        List.of(2, 2, 2, 2),
                        4,
                        GlobalPool.AVG,
                        PosEmbedInit.NORMAL,
                        List.of(8, 16),
                        null,
                        Recipe.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--stem conv needs --family vit; a Swin has its own patch embedding");
    }

    @Test
    void aSwinRefusesATeacher() {
        Recipe distil = new Recipe(0, 0, 0, 1.0, 0.5, null, null, 0, 0, false, Path.of("teacher"));
        assertThatThrownBy(() -> tinySwin(OUT, 2, null, distil))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "--teacher needs --family vit; DeiT distillation adds a token and head a Swin does not have");
    }

    @Test
    void aSwinRefusesTokenPooling() {
        assertThatThrownBy(() -> swin(
                        OUT,
                        2,
                        64,
                        4,
                        32,
                        0,
                        1,
                        List.of(2, 2, 2, 2),
                        4,
                        GlobalPool.TOKEN,
                        PosEmbedInit.NORMAL,
                        List.of(),
                        null,
                        Recipe.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--global-pool token needs --family vit; a Swin has no [CLS] token and pools avg");
    }

    @Test
    void aSwinRefusesASincosPositionEmbedding() {
        assertThatThrownBy(() -> swin(
                        OUT,
                        2,
                        64,
                        4,
                        32,
                        0,
                        1,
                        List.of(2, 2, 2, 2),
                        4,
                        GlobalPool.AVG,
                        PosEmbedInit.SINCOS,
                        List.of(),
                        null,
                        Recipe.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--pos-embed-init sincos needs --family vit; a Swin has no absolute position embedding");
    }

    @Test
    void aSwinRefusesTheViTsDepth() {
        assertThatThrownBy(() -> swin(
                        OUT,
                        2,
                        64,
                        4,
                        32,
                        4,
                        1,
                        List.of(2, 2, 2, 2),
                        4,
                        GlobalPool.AVG,
                        PosEmbedInit.NORMAL,
                        List.of(),
                        null,
                        Recipe.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--depth 4 is for --family vit; a Swin takes --depths per stage, e.g. 2,2,2,2");
    }

    @Test
    void aViTRefusesTheSwinsWindowAndDepths() {
        assertThatThrownBy(() -> vit(List.of(), 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--window 4 needs --family swin");
        assertThatThrownBy(() -> vit(List.of(2, 2, 2, 2), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--depths 2,2,2,2 needs --family swin; a ViT takes --depth");
    }

    @Test
    void familyNamesAreTheOptionValues() {
        assertThat(Family.parse("swin")).isEqualTo(Family.SWIN);
        assertThat(Family.parse("vit")).isEqualTo(Family.VIT);
        assertThatThrownBy(() -> Family.parse("convnext"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--family must be vit or swin, got 'convnext'");
    }
}
