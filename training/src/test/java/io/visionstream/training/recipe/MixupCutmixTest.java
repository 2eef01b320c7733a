package io.visionstream.training.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.visionstream.training.recipe.MixupCutmix.Box;
import io.visionstream.training.recipe.MixupCutmix.Mixed;
import io.visionstream.training.recipe.MixupCutmix.Mode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MixupCutmixTest {

    private static final int B = 4;
    private static final int C = 3;
    private static final int H = 12;
    private static final int W = 10;
    private static final int K = 5;

    /** Every value tells where it came from: image b, channel c, pixel p. */
    private static float[] images() {
        float[] x = new float[B * C * H * W];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        return x;
    }

    /** Image b's mask: class b + 1 on the left half, 0 on the right. */
    private static int[] masks() {
        int[] m = new int[B * H * W];
        for (int b = 0; b < B; b++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    m[(b * H + y) * W + x] = x < W / 2 ? b + 1 : 0;
                }
            }
        }
        return m;
    }

    private static final int[] LABELS = {1, 2, 3, 4};

    private static MixupCutmix cutmixOnly(double smoothing) {
        return MixupCutmix.of(0, 1.0, smoothing, K);
    }

    @Test
    void cutmixLambdaIsOneMinusThePastedShareEvenWhenTheBoxIsClipped() {
        MixupCutmix mix = cutmixOnly(0);
        SplittableRandom random = new SplittableRandom(7);
        int clipped = 0;
        for (int trial = 0; trial < 300; trial++) {
            float[] before = images();
            Mixed m = mix.apply(images(), LABELS, masks(), H, W, random);
            assertThat(m.mode()).isEqualTo(Mode.CUTMIX);
            Box box = m.box();
            int changed = 0;
            for (int p = 0; p < H * W; p++) {
                if (m.images()[p] != before[p]) {
                    changed++;
                }
            }
            assertThat(changed)
                    .as("pixels pasted into image 0 of trial %d", trial)
                    .isEqualTo((int) box.area());
            assertThat(m.lambda()).isEqualTo(1.0 - (double) box.area() / (H * W));
            if (box.y0() == 0 || box.x0() == 0 || box.y1() == H || box.x1() == W) {
                clipped++;
            }
        }
        assertThat(clipped).as("boxes cut by the border").isGreaterThan(50);
    }

    @Test
    void boxesHaveTimmsSidesInsideTheFrameAndAreShorterWhereClipped() {
        // lambda 0.75: cut sides int(12 * 0.5) = 6 and int(10 * 0.5) = 5; edges at centre -+ cut // 2, so an
        // unclipped box is 6 x 4 (timm's rand_bbox drops the odd pixel)
        SplittableRandom random = new SplittableRandom(3);
        int clipped = 0;
        for (int trial = 0; trial < 300; trial++) {
            Box box = MixupCutmix.box(H, W, 0.75, random);
            assertThat(box.y0()).isBetween(0, H);
            assertThat(box.y1()).isBetween(box.y0(), H);
            assertThat(box.x0()).isBetween(0, W);
            assertThat(box.x1()).isBetween(box.x0(), W);
            boolean cutY = box.y0() == 0 || box.y1() == H;
            boolean cutX = box.x0() == 0 || box.x1() == W;
            if (!cutY) {
                assertThat(box.y1() - box.y0()).isEqualTo(6);
            } else {
                assertThat(box.y1() - box.y0()).isBetween(3, 6);
            }
            if (!cutX) {
                assertThat(box.x1() - box.x0()).isEqualTo(4);
            } else {
                assertThat(box.x1() - box.x0()).isBetween(2, 4);
            }
            if (box.area() < 24) {
                clipped++;
            }
        }
        assertThat(clipped).isGreaterThan(50);
    }

    @Test
    void cutmixPastesThePartnersBoxIntoImageAndMaskAndLeavesTheRest() {
        float[] x0 = images();
        int[] m0 = masks();
        Mixed m = cutmixOnly(0).apply(images(), LABELS, masks(), H, W, new SplittableRandom(11));
        Box box = m.box();
        assertThat(box.area()).isPositive();

        for (int b = 0; b < B; b++) {
            int partner = B - 1 - b;
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int src = box.contains(y, x) ? partner : b;
                    assertThat(m.masks()[(b * H + y) * W + x])
                            .as("mask of image %d at (%d, %d)", b, y, x)
                            .isEqualTo(m0[(src * H + y) * W + x]);
                    for (int c = 0; c < C; c++) {
                        assertThat(m.images()[((b * C + c) * H + y) * W + x])
                                .as("image %d channel %d at (%d, %d)", b, c, y, x)
                                .isEqualTo(x0[((src * C + c) * H + y) * W + x]);
                    }
                }
            }
        }
        assertThat(m.partnerMasks()).isNull();
    }

    @Test
    void cutmixTargetsMixTheSmoothedLabelsByTheCorrectedLambda() {
        double s = 0.1;
        Mixed m = cutmixOnly(s).apply(images(), LABELS, masks(), H, W, new SplittableRandom(5));

        assertThat(m.targets()).containsExactly(SoftTargets.mix(LABELS, K, m.lambda(), s), within(0f));
        // class 1 (image 0's) in image 0's row: lam * (0.9 + 0.02) + (1 - lam) * 0.02
        assertThat((double) m.targets()[1]).isCloseTo(m.lambda() * 0.9 + 0.02, within(1e-6));
    }

    @Test
    void mixupBlendsEachImageWithTheReversedBatchAndTargetsSumToOne() {
        float[] x0 = images();
        double s = 0.1;
        Mixed m = MixupCutmix.of(0.8, 0, s, K).apply(images(), LABELS, masks(), H, W, new SplittableRandom(1));

        assertThat(m.mode()).isEqualTo(Mode.MIXUP);
        double lam = m.lambda();
        assertThat(lam).isStrictlyBetween(0.0, 1.0);
        int per = C * H * W;
        for (int b = 0; b < B; b++) {
            for (int i = 0; i < per; i++) {
                double expected = lam * x0[b * per + i] + (1 - lam) * x0[(B - 1 - b) * per + i];
                assertThat((double) m.images()[b * per + i]).isCloseTo(expected, within(1e-2));
            }
        }
        float[] own = SoftTargets.smooth(LABELS, K, s);
        float[] flipped = SoftTargets.smooth(new int[] {4, 3, 2, 1}, K, s);
        for (int b = 0; b < B; b++) {
            float sum = 0;
            for (int k = 0; k < K; k++) {
                int i = b * K + k;
                assertThat(m.targets()[i]).isCloseTo((float) (lam * own[i] + (1 - lam) * flipped[i]), within(1e-6f));
                sum += m.targets()[i];
            }
            assertThat(sum).isCloseTo(1f, within(1e-6f));
        }
    }

    @Test
    void mixupKeepsTheMasksAndHandsOverThePartnersMasks() {
        int[] m0 = masks();
        Mixed m = MixupCutmix.of(0.8, 0, 0, K).apply(images(), LABELS, masks(), H, W, new SplittableRandom(1));

        assertThat(m.masks()).containsExactly(m0);
        int per = H * W;
        for (int b = 0; b < B; b++) {
            for (int p = 0; p < per; p++) {
                assertThat(m.partnerMasks()[b * per + p]).isEqualTo(m0[(B - 1 - b) * per + p]);
            }
        }
    }

    @Test
    void underMixupTheDenseLossIsTheLambdaBlendOfTheLossesAgainstBothMasks() {
        Mixed m = MixupCutmix.of(0.8, 0, 0, K).apply(images(), LABELS, masks(), H, W, new SplittableRandom(2));
        double lam = m.lambda();
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(3);
            NDArray logits = manager.randomNormal(new Shape(B, K, H, W));
            Shape s = new Shape(B, H, W);

            float mixed = SoftTargets.denseCrossEntropy(logits, m.denseTargets(manager, K))
                    .getFloat();
            float own = SoftTargets.denseCrossEntropy(
                            logits, SoftTargets.denseTargets(manager.create(m.masks(), s), null, 1, K))
                    .getFloat();
            float partner = SoftTargets.denseCrossEntropy(
                            logits, SoftTargets.denseTargets(manager.create(m.partnerMasks(), s), null, 1, K))
                    .getFloat();

            assertThat((double) mixed).isCloseTo(lam * own + (1 - lam) * partner, within(1e-4));
            // image 0's left half is class 1 and its partner's (image 3) class 4: both get their share
            NDArray t = m.denseTargets(manager, K);
            assertThat(t.getFloat(0, 1, 0, 0)).isCloseTo((float) lam, within(1e-6f));
            assertThat(t.getFloat(0, 4, 0, 0)).isCloseTo((float) (1 - lam), within(1e-6f));
        }
    }

    @Test
    void switchProbabilityChoosesCutmixThatOftenAndProbThatManyBatches() {
        MixupCutmix mix = new MixupCutmix(0.8, 1.0, null, 0.6, 0.3, true, 0.1, K);
        SplittableRandom random = new SplittableRandom(42);
        int n = 4000;
        int none = 0;
        int cutmix = 0;
        for (int i = 0; i < n; i++) {
            Mode mode = mix.apply(new float[B * H * W], LABELS, new int[B * H * W], H, W, random)
                    .mode();
            if (mode == Mode.NONE) {
                none++;
            } else if (mode == Mode.CUTMIX) {
                cutmix++;
            }
        }
        // binomial standard deviations: sqrt(4000 * 0.4 * 0.6) = 31, of 2400 mixed batches sqrt(2400 * 0.21) = 22
        assertThat(none).isBetween(1600 - 120, 1600 + 120);
        assertThat((double) cutmix / (n - none)).isCloseTo(0.3, within(0.04));
    }

    @Test
    void aBatchThatIsNotMixedGetsPlainSmoothedTargets() {
        MixupCutmix never = new MixupCutmix(0.8, 1.0, null, 0.0, 0.5, true, 0.1, K);
        float[] x = images();

        Mixed m = never.apply(x, LABELS, masks(), H, W, new SplittableRandom(1));

        assertThat(m.mode()).isEqualTo(Mode.NONE);
        assertThat(m.lambda()).isEqualTo(1.0);
        assertThat(m.images()).containsExactly(images());
        assertThat(m.targets()).containsExactly(SoftTargets.smooth(LABELS, K, 0.1));
    }

    @Test
    void minMaxBoxesLieInsideWithSidesWithinTheBoundsAndLambdaFromTheirArea() {
        MixupCutmix mix = new MixupCutmix(0, 0, new MixupCutmix.MinMax(0.2, 0.8), 1.0, 0.5, false, 0, K);
        assertThat(mix.cutmixAlpha()).isEqualTo(1.0);
        SplittableRandom random = new SplittableRandom(9);
        for (int i = 0; i < 200; i++) {
            Mixed m = mix.apply(images(), LABELS, masks(), H, W, random);
            Box box = m.box();
            assertThat(box.y1() - box.y0()).isBetween((int) (H * 0.2), (int) (H * 0.8) - 1);
            assertThat(box.x1() - box.x0()).isBetween((int) (W * 0.2), (int) (W * 0.8) - 1);
            assertThat(box.y0()).isGreaterThanOrEqualTo(0);
            assertThat(box.y1()).isLessThanOrEqualTo(H);
            assertThat(box.x1()).isLessThanOrEqualTo(W);
            assertThat(m.lambda()).isEqualTo(1.0 - (double) box.area() / (H * W));
        }
    }

    @Test
    void theSameSeedMixesTheSameWay() {
        MixupCutmix mix = MixupCutmix.of(0.8, 1.0, 0.1, K);

        Mixed a = mix.apply(images(), LABELS, masks(), H, W, new SplittableRandom(17));
        Mixed b = mix.apply(images(), LABELS, masks(), H, W, new SplittableRandom(17));

        assertThat(b.mode()).isEqualTo(a.mode());
        assertThat(b.lambda()).isEqualTo(a.lambda());
        assertThat(b.images()).containsExactly(a.images());
        assertThat(b.masks()).containsExactly(a.masks());
    }

    @Test
    void betaDrawsHaveTheMeanAndVarianceOfBetaAlphaAlpha() {
        for (double alpha : new double[] {0.2, 0.8, 1.0, 2.5}) {
            SplittableRandom random = new SplittableRandom(123);
            int n = 40_000;
            double sum = 0;
            double squares = 0;
            for (int i = 0; i < n; i++) {
                double v = MixupCutmix.beta(alpha, random);
                assertThat(v).isBetween(0.0, 1.0);
                sum += v;
                squares += v * v;
            }
            double mean = sum / n;
            double variance = squares / n - mean * mean;
            assertThat(mean).as("mean for alpha %s", alpha).isCloseTo(0.5, within(0.01));
            assertThat(variance).as("variance for alpha %s", alpha).isCloseTo(1 / (4 * (2 * alpha + 1)), within(0.006));
        }
    }

    @Test
    void anOddBatchAndMissingMethodsAreRefused() {
        assertThatThrownBy(() -> MixupCutmix.of(0.8, 0, 0, K)
                        .apply(
                                new float[3 * C * H * W],
                                new int[] {1, 2, 3},
                                new int[3 * H * W],
                                H,
                                W,
                                new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Mixup/CutMix needs an even batch size, got 3");
        assertThatThrownBy(() -> MixupCutmix.of(0, 0, 0, K))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("one of mixup alpha, cutmix alpha or cutmix-minmax must be set");
        assertThatThrownBy(() -> new MixupCutmix(0.8, 0, null, 1, 1.5, true, 0, K))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mixup-switch-prob must be in [0, 1], got 1.5");
    }
}
