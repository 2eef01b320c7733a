package io.visionstream.training.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SyntheticScenesTest {

    private final SyntheticScenes scenes = new SyntheticScenes(SceneConfig.defaults(96, 64), 42);

    /** Label recomputed from the mask alone: the class with most pixels, ties to the lower class. */
    private static int argmaxClass(byte[] mask, int k) {
        int[] counts = new int[k + 1];
        for (byte m : mask) {
            counts[m]++;
        }
        int best = 0;
        for (int c = 1; c <= k; c++) {
            if (counts[c] > 0 && (best == 0 || counts[c] > counts[best])) {
                best = c;
            }
        }
        return best;
    }

    @Test
    void sameSeedAndIndexGiveIdenticalBytes() {
        Scene a = scenes.scene(17);
        Scene b = new SyntheticScenes(SceneConfig.defaults(96, 64), 42).scene(17);
        assertThat(a.rgb()).isEqualTo(b.rgb());
        assertThat(a.mask()).isEqualTo(b.mask());
        assertThat(a.label()).isEqualTo(b.label());
    }

    @Test
    void differentSeedGivesADifferentScene() {
        Scene a = scenes.scene(17);
        Scene b = new SyntheticScenes(SceneConfig.defaults(96, 64), 43).scene(17);
        assertThat(a.rgb()).isNotEqualTo(b.rgb());
        assertThat(a.mask()).isNotEqualTo(b.mask());
    }

    @Test
    void differentIndexGivesADifferentScene() {
        assertThat(scenes.scene(1).mask()).isNotEqualTo(scenes.scene(2).mask());
    }

    @Test
    void labelIsTheClassCoveringMostMaskPixels() {
        for (int i = 0; i < 200; i++) {
            Scene s = scenes.scene(i);
            assertThat(s.label()).as("scene %d", i).isEqualTo(argmaxClass(s.mask(), 5));
        }
    }

    @Test
    void everySceneShowsItsLabelledShapeClearly() {
        for (int i = 0; i < 200; i++) {
            Scene s = scenes.scene(i);
            assertThat(s.label()).as("scene %d", i).isBetween(1, 5);
            // The main shape's radius is at least 22% of the shorter side: a triangle of that size
            // covers over 3% of a 96x64 frame.
            assertThat(s.classPixels(s.label())).as("scene %d", i).isGreaterThan(96 * 64 * 3 / 100);
        }
    }

    @Test
    void classPixelCountsAddUpToTheFrame() {
        Scene s = scenes.scene(3);
        int total = 0;
        for (int c = 0; c <= 5; c++) {
            total += s.classPixels(c);
        }
        assertThat(total).isEqualTo(96 * 64);
    }

    @Test
    void labelsAreRoughlyUniformOverTheClasses() {
        SyntheticScenes small = new SyntheticScenes(SceneConfig.defaults(48, 48), 5);
        int[] counts = new int[6];
        int n = 1000;
        for (int i = 0; i < n; i++) {
            counts[small.scene(i).label()]++;
        }
        assertThat(counts[0]).isZero();
        for (int c = 1; c <= 5; c++) {
            // Expected 200 each; the binomial standard deviation is about 13.
            assertThat(counts[c]).as("class %d", c).isBetween(150, 250);
        }
    }

    @Test
    void everyClassAppearsInTheMasks() {
        SyntheticScenes six = new SyntheticScenes(new SceneConfig(64, 64, 6, 1, 3, 10), 9);
        boolean[] seen = new boolean[7];
        for (int i = 0; i < 100; i++) {
            for (byte m : six.scene(i).mask()) {
                seen[m] = true;
            }
        }
        assertThat(seen).containsOnly(true);
    }

    @Test
    void nonSquareScenesHaveTheConfiguredSize() {
        Scene tall = new SyntheticScenes(SceneConfig.defaults(64, 96), 1).scene(0);
        assertThat(tall.width()).isEqualTo(64);
        assertThat(tall.height()).isEqualTo(96);
        assertThat(tall.rgb()).hasSize(64 * 96 * 3);
        assertThat(tall.mask()).hasSize(64 * 96);
        assertThat(tall.image().width()).isEqualTo(64);
    }

    @Test
    void noiseChangesPixelsByAtMostItsAmplitudeAndLeavesTheMaskAlone() {
        // Same seed and index with and without noise: the mask is identical, and the image differs from
        // the noisy one only by at most the noise amplitude per channel.
        Scene clean = new SyntheticScenes(new SceneConfig(64, 48, 5, 1, 3, 0), 3).scene(4);
        Scene noisy = new SyntheticScenes(new SceneConfig(64, 48, 5, 1, 3, 10), 3).scene(4);
        assertThat(noisy.mask()).isEqualTo(clean.mask());
        for (int i = 0; i < clean.rgb().length; i++) {
            assertThat(Math.abs((clean.rgb()[i] & 0xFF) - (noisy.rgb()[i] & 0xFF)))
                    .isLessThanOrEqualTo(10);
        }
    }

    @Test
    void classNamesStartWithBackground() {
        assertThat(scenes.classNames()).containsExactly("background", "circle", "square", "triangle", "star", "cross");
        assertThat(SyntheticScenes.classNames(6)).endsWith("ring");
    }

    @Test
    void configRejectsTooManyClassesNamingTheKey() {
        assertThatThrownBy(() -> new SceneConfig(64, 64, 7, 1, 3, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("synthetic.num-classes must be in 1..6, got 7");
        assertThatThrownBy(() -> new SceneConfig(64, 64, 5, 3, 2, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("synthetic.max-distractors must be in 3..16, got 2");
    }
}
