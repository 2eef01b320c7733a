package io.visionstream.training.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.visionstream.training.recipe.RandAugment.Augmented;
import io.visionstream.training.recipe.RandAugment.Config;
import io.visionstream.training.recipe.RandAugment.Op;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandAugmentTest {

    private static final int S = 16;
    private static final int[] FILL = {128, 128, 128};
    /** Pure colour per class: background, class 1, class 2; no channel near the fill. */
    private static final int[][] PALETTE = {{10, 20, 30}, {200, 60, 40}, {40, 220, 90}};

    /** Class 1: rows 4..7, columns 9..12; class 2: rows 10..13, columns 2..4; background elsewhere. */
    private static byte[] mask() {
        byte[] m = new byte[S * S];
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                if (y >= 4 && y < 8 && x >= 9 && x < 13) {
                    m[y * S + x] = 1;
                } else if (y >= 10 && y < 14 && x >= 2 && x < 5) {
                    m[y * S + x] = 2;
                }
            }
        }
        return m;
    }

    private static byte[] paint(byte[] mask) {
        byte[] rgb = new byte[3 * mask.length];
        for (int p = 0; p < mask.length; p++) {
            for (int c = 0; c < 3; c++) {
                rgb[3 * p + c] = (byte) PALETTE[mask[p]][c];
            }
        }
        return rgb;
    }

    private static Augmented scene() {
        byte[] m = mask();
        int[] ints = new int[m.length];
        for (int i = 0; i < m.length; i++) {
            ints[i] = m[i];
        }
        return new Augmented(paint(m), ints, S, S);
    }

    private static int[] pixel(Augmented a, int p) {
        return new int[] {a.rgb()[3 * p] & 0xFF, a.rgb()[3 * p + 1] & 0xFF, a.rgb()[3 * p + 2] & 0xFF};
    }

    private static RandAugment timm(Config config) {
        return new RandAugment(config, List.of(Op.values()), FILL);
    }

    /** Exact transforms: every pixel is its class's colour, or the fill where the mask is IGNORE. */
    private static void assertImageMatchesMaskExactly(Augmented a) {
        for (int p = 0; p < S * S; p++) {
            int m = a.mask()[p];
            int[] expected = m == SoftTargets.IGNORE ? FILL : PALETTE[m];
            assertThat(pixel(a, p))
                    .as("pixel (%d, %d) with mask %d", p / S, p % S, m)
                    .containsExactly(expected);
        }
    }

    @Test
    void translationMovesTheSquareToTheSamePlaceInImageAndMask() {
        RandAugment ra = timm(Config.parse("rand-m9"));

        // TranslateXRel 0.25 of 16 = 4 pixels: output x reads input x + 4, so shapes move 4 to the left
        Augmented a = ra.applyOp(Op.TRANSLATE_X_REL, 0.25, scene());

        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                int expected = x >= 12
                        ? SoftTargets.IGNORE
                        : (y >= 4 && y < 8 && x >= 5 && x < 9) ? 1 : (y >= 10 && y < 14 && x < 1) ? 2 : 0;
                assertThat(a.mask()[y * S + x]).as("mask at (%d, %d)", y, x).isEqualTo(expected);
            }
        }
        assertImageMatchesMaskExactly(a);
    }

    @Test
    void verticalTranslationAndAQuarterTurnMoveImageAndMaskTogether() {
        RandAugment ra = timm(Config.parse("rand-m9"));

        Augmented down = ra.applyOp(Op.TRANSLATE_Y_REL, -0.125, scene());
        Augmented turned = ra.applyOp(Op.ROTATE, 90, scene());

        assertImageMatchesMaskExactly(down);
        // class 1 moved from rows 4..7 to rows 6..9; the two rows at the top came from outside
        assertThat(down.mask()[5 * S + 10]).isEqualTo(0);
        assertThat(down.mask()[9 * S + 10]).isEqualTo(1);
        assertThat(down.mask()[S + 10]).isEqualTo(SoftTargets.IGNORE);
        assertImageMatchesMaskExactly(turned);
        // counter-clockwise: input (row 5, column 10) lands at (row 16 - 1 - 10, column 5)
        assertThat(turned.mask()[5 * S + 5]).isEqualTo(1);
        assertThat(Arrays.stream(turned.mask()).filter(v -> v == SoftTargets.IGNORE))
                .isEmpty();
    }

    @Test
    void everyGeometricOpKeepsImageAndMaskAligned() {
        // Bilinear reads the 2x2 pixels around the source point, the mask the one containing it, which has
        // at least a quarter of the weight. Each palette colour and the fill is extreme in some channel, so a
        // pure colour in the image can only come from pixels of that class (or fill) alone.
        List<Op> geometric = List.of(Op.ROTATE, Op.SHEAR_X, Op.SHEAR_Y, Op.TRANSLATE_X_REL, Op.TRANSLATE_Y_REL);
        byte[] mask = mask();
        byte[] rgb = paint(mask);
        for (int numOps : new int[] {1, 3}) {
            RandAugment ra = new RandAugment(new Config(numOps, 9, 0.5, 10, 1.0), geometric, FILL);
            SplittableRandom random = new SplittableRandom(21);
            for (int trial = 0; trial < 60; trial++) {
                Augmented a = ra.apply(rgb, mask, S, S, random);
                for (int p = 0; p < S * S; p++) {
                    int[] colour = pixel(a, p);
                    int m = a.mask()[p];
                    String where = "ops " + numOps + ", trial " + trial + ", pixel " + p;
                    if (Arrays.equals(colour, FILL)) {
                        assertThat(m).as(where).isEqualTo(SoftTargets.IGNORE);
                    }
                    for (int c = 0; c < PALETTE.length; c++) {
                        if (Arrays.equals(colour, PALETTE[c])) {
                            assertThat(m).as(where).isEqualTo(c);
                        }
                    }
                    if (numOps == 1 && m == SoftTargets.IGNORE) {
                        // one op: the same inside-the-frame test decides fill and IGNORE
                        assertThat(colour).as(where).containsExactly(FILL);
                    }
                }
            }
        }
    }

    @Test
    void colourOpsChangeTheImageButNeverTheMask() {
        RandAugment ra = timm(Config.parse("rand-m9"));
        byte[] rgb = paint(mask());
        for (Op op : Op.values()) {
            if (op.geometric()) {
                continue;
            }
            Augmented in = scene();
            int[] before = in.mask().clone();

            Augmented out = ra.applyOp(op, op.argument(9), in);

            assertThat(out.mask()).as(op.timmName()).containsExactly(before);
            assertThat(in.rgb()).as("%s leaves its input alone", op.timmName()).containsExactly(rgb);
        }
    }

    @Test
    void aColourOnlyPolicyLeavesTheMaskAsItWas() {
        List<Op> colour =
                Arrays.stream(Op.values()).filter(op -> !op.geometric()).toList();
        RandAugment ra = new RandAugment(Config.parse("rand-m9-n4-p1.0-mstd0.5"), colour, FILL);
        SplittableRandom random = new SplittableRandom(4);
        byte[] mask = mask();
        boolean changed = false;
        for (int trial = 0; trial < 20; trial++) {
            Augmented a = ra.apply(paint(mask), mask, S, S, random);
            for (int p = 0; p < mask.length; p++) {
                assertThat(a.mask()[p]).isEqualTo(mask[p]);
            }
            changed |= !Arrays.equals(a.rgb(), paint(mask));
        }
        assertThat(changed).isTrue();
    }

    @Test
    void colourOpsFollowPilsFormulas() {
        RandAugment ra = timm(Config.parse("rand-m9"));
        Augmented in = scene();
        int bg = 0; // a background pixel: (10, 20, 30)

        assertThat(pixel(ra.applyOp(Op.INVERT, Double.NaN, in), bg)).containsExactly(245, 235, 225);
        // Solarize 25: values >= 25 become 255 - v
        assertThat(pixel(ra.applyOp(Op.SOLARIZE, 25, in), bg)).containsExactly(10, 20, 225);
        // Posterize 2 bits: v & 0b11000000
        assertThat(pixel(ra.applyOp(Op.POSTERIZE, 2, in), 4 * S + 9)).containsExactly(192, 0, 0);
        // SolarizeAdd 99: v < 128 gets v + 99
        assertThat(pixel(ra.applyOp(Op.SOLARIZE_ADD, 99, in), 4 * S + 9)).containsExactly(200, 159, 139);
        // Brightness 0.5: blend with black, truncated
        assertThat(pixel(ra.applyOp(Op.BRIGHTNESS, 0.5, in), 4 * S + 9)).containsExactly(100, 30, 20);
        // AutoContrast: red spans 10..200 -> 0..255, so 40 -> int(30 * 255 / 190) = 40
        assertThat(pixel(ra.applyOp(Op.AUTO_CONTRAST, Double.NaN, in), bg)).containsExactly(0, 0, 0);
        assertThat(pixel(ra.applyOp(Op.AUTO_CONTRAST, Double.NaN, in), 10 * S + 2))
                .containsExactly(40, 255, 255);
        // Color 0: the PIL luma of (10, 20, 30) is (10*19595 + 20*38470 + 30*7471 + 32768) >> 16 = 18
        assertThat(pixel(ra.applyOp(Op.COLOR, 0, in), bg)).containsExactly(18, 18, 18);
    }

    @Test
    void levelsScaleTheMagnitudeAsTimmDoes() {
        // timm's level functions at magnitude 9 (of _LEVEL_DENOM 10)
        assertThat(Op.ROTATE.argument(9)).isCloseTo(27, within(1e-9));
        assertThat(Op.SHEAR_X.argument(9)).isCloseTo(0.27, within(1e-9));
        assertThat(Op.TRANSLATE_Y_REL.argument(9)).isCloseTo(0.405, within(1e-9));
        assertThat(Op.POSTERIZE.argument(9)).isEqualTo(3);
        assertThat(Op.SOLARIZE.argument(9)).isEqualTo(230);
        assertThat(Op.SOLARIZE_ADD.argument(9)).isEqualTo(99);
        assertThat(Op.CONTRAST.argument(9)).isCloseTo(1.72, within(1e-9));
        assertThat(Op.EQUALIZE.argument(9)).isNaN();
    }

    @Test
    void parsesTimmsConfigStringWithOrWithoutItsPrefix() {
        assertThat(Config.parse("rand-m9-mstd0.5")).isEqualTo(new Config(2, 9, 0.5, 10, 0.5));
        assertThat(Config.parse("m9-mstd0.5")).isEqualTo(new Config(2, 9, 0.5, 10, 0.5));
        assertThat(Config.parse("rand-m7-n3-p1.0-mstd101-mmax12"))
                .isEqualTo(new Config(3, 7, Double.POSITIVE_INFINITY, 12, 1.0));
        assertThat(Config.parse("rand")).isEqualTo(new Config(2, 10, 0, 10, 0.5));
        assertThatThrownBy(() -> Config.parse("rand-m9-inc1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rand-augment 'rand-m9-inc1': unknown section 'inc1' (known: m, n, p, mstd, mmax)");
        assertThatThrownBy(() -> Config.parse("rand-mx"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rand-augment 'rand-mx': section 'mx' has no valid number");
    }

    @Test
    void theFillIsTheNormalisationMeanInEightBits() {
        RandAugment ra = RandAugment.of("rand-m9-mstd0.5", new double[] {0.485, 0.456, 0.406});

        Augmented a = ra.applyOp(Op.TRANSLATE_X_REL, 0.5, scene());

        assertThat(pixel(a, S - 1)).containsExactly(124, 116, 104);
        assertThat(a.mask()[S - 1]).isEqualTo(SoftTargets.IGNORE);
    }

    @Test
    void theLabelIsRecountedWhenAShapeLeavesTheFrame() {
        RandAugment ra = timm(Config.parse("rand-m9"));
        Augmented in = scene();
        assertThat(in.label(2)).isEqualTo(1); // 16 pixels of class 1, 12 of class 2

        // move everything 10 pixels left: class 1 keeps 3 of its 4 columns (12 pixels), class 2 leaves
        Augmented left = ra.applyOp(Op.TRANSLATE_X_REL, 10.0 / S, in);
        // move everything 6 pixels right: class 1 keeps 1 column (4 pixels), class 2 stays whole (12)
        Augmented right = ra.applyOp(Op.TRANSLATE_X_REL, -6.0 / S, in);

        assertThat(left.label(2)).isEqualTo(1);
        assertThat(right.label(2)).isEqualTo(2);
        assertThat(ra.applyOp(Op.TRANSLATE_X_REL, 1.0, in).label(2)).isZero();
    }

    @Test
    void theSameSeedAugmentsTheSameWay() {
        RandAugment ra = RandAugment.of("rand-m9-mstd0.5", new double[] {0.5, 0.5, 0.5});
        byte[] mask = mask();

        Augmented a = ra.apply(paint(mask), mask, S, S, new SplittableRandom(8));
        Augmented b = ra.apply(paint(mask), mask, S, S, new SplittableRandom(8));

        assertThat(b.rgb()).containsExactly(a.rgb());
        assertThat(b.mask()).containsExactly(a.mask());
    }
}
