package io.visionstream.training.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class SoftTargetsTest {

    @Test
    void smoothingGivesSOverKOffTheLabelAndOneMinusSPlusSOverKOnIt() {
        float[] t = SoftTargets.smooth(new int[] {2, 0}, 4, 0.1);

        // timm one_hot(on=1 - 0.1 + 0.025, off=0.025)
        assertThat(t)
                .containsExactly(
                        new float[] {0.025f, 0.025f, 0.925f, 0.025f, 0.925f, 0.025f, 0.025f, 0.025f}, within(1e-7f));
    }

    @Test
    void withoutSmoothingTheTargetsAreOneHot() {
        assertThat(SoftTargets.smooth(new int[] {1}, 3, 0)).containsExactly(0f, 1f, 0f);
    }

    @Test
    void mixedTargetsBlendEachLabelWithTheReversedBatchsLabel() {
        int[] labels = {0, 1, 3, 2};
        double lam = 0.7;
        double s = 0.2;
        float[] t = SoftTargets.mix(labels, 4, lam, s);

        float[] own = SoftTargets.smooth(labels, 4, s);
        float[] flipped = SoftTargets.smooth(new int[] {2, 3, 1, 0}, 4, s);
        for (int i = 0; i < t.length; i++) {
            assertThat(t[i])
                    .as("entry %d", i)
                    .isCloseTo((float) (lam * own[i] + (1 - lam) * flipped[i]), within(1e-6f));
        }
        for (int b = 0; b < 4; b++) {
            float sum = 0;
            for (int k = 0; k < 4; k++) {
                sum += t[b * 4 + k];
            }
            assertThat(sum).as("row %d", b).isCloseTo(1f, within(1e-6f));
        }
        // image 0 (label 0) is mixed with image 3 (label 2): 0.7 * 0.85 + 0.3 * 0.05 on class 0
        assertThat(t[0]).isCloseTo(0.61f, within(1e-6f));
        assertThat(t[2]).isCloseTo(0.7f * 0.05f + 0.3f * 0.85f, within(1e-6f));
    }

    @Test
    void anOutOfRangeLabelOrSmoothingIsRefusedByName() {
        assertThatThrownBy(() -> SoftTargets.smooth(new int[] {3}, 3, 0.1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("label 3 is outside [0, 3)");
        assertThatThrownBy(() -> SoftTargets.smooth(new int[] {0}, 3, 1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("label-smoothing must be in [0, 1), got 1.0");
    }

    @Test
    void crossEntropyAgainstSmoothedTargetsEqualsTimmsLabelSmoothingLoss() {
        double[][] logits = {{2.0, -1.0, 0.5}, {0.1, 0.2, 3.0}};
        int[] labels = {0, 1};
        double s = 0.1;
        // timm LabelSmoothingCrossEntropy: (1 - s) * nll + s * mean_k(-log p_k), averaged over the batch
        double expected = 0;
        for (int b = 0; b < 2; b++) {
            double[] logp = logSoftmax(logits[b]);
            double smoothTerm = 0;
            for (double v : logp) {
                smoothTerm -= v / logp.length;
            }
            expected += ((1 - s) * -logp[labels[b]] + s * smoothTerm) / 2;
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {2f, -1f, 0.5f, 0.1f, 0.2f, 3f}, new Shape(2, 3));
            NDArray t = SoftTargets.array(manager, SoftTargets.smooth(labels, 3, s), 3);

            float loss = SoftTargets.crossEntropy(x, t).getFloat();

            assertThat((double) loss).isCloseTo(expected, within(1e-6));
        }
    }

    @Test
    void denseTargetsAreOneHotWithZeroRowsForIgnoredPixels() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray masks = manager.create(new int[] {0, 2, SoftTargets.IGNORE, 1}, new Shape(1, 2, 2));

            NDArray t = SoftTargets.denseTargets(masks, null, 1, 3);

            assertThat(t.getShape()).isEqualTo(new Shape(1, 3, 2, 2));
            // [class][pixel]
            assertThat(t.toFloatArray()).containsExactly(1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0);
        }
    }

    @Test
    void denseTargetsUnderMixupWeighBothMasksByLambda() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray masks = manager.create(new int[] {1, 2}, new Shape(1, 1, 2));
            NDArray partner = manager.create(new int[] {1, SoftTargets.IGNORE}, new Shape(1, 1, 2));

            NDArray t = SoftTargets.denseTargets(masks, partner, 0.75, 3);

            // pixel 0: both say class 1 -> 1; pixel 1: 0.75 of class 2, the partner's part ignored
            assertThat(t.toFloatArray()).containsExactly(new float[] {0, 0, 1, 0, 0, 0.75f}, within(1e-7f));
        }
    }

    @Test
    void denseLossAveragesOnlyOverLabelledPixels() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // logits [1, 2, 1, 3]: three pixels, the middle one ignored
            float[] l = {1f, 0f, 5f, 0f, 2f, -5f};
            NDArray logits = manager.create(l, new Shape(1, 2, 1, 3));
            NDArray masks = manager.create(new int[] {0, SoftTargets.IGNORE, 1}, new Shape(1, 1, 3));

            float loss = SoftTargets.denseCrossEntropy(logits, SoftTargets.denseTargets(masks, null, 1, 2))
                    .getFloat();

            double p0 = -logSoftmax(new double[] {1, 0})[0];
            double p2 = -logSoftmax(new double[] {5, -5})[1];
            assertThat((double) loss).isCloseTo((p0 + p2) / 2, within(1e-5));
        }
    }

    @Test
    void denseLossOfAFullyIgnoredBatchIsZeroNotNaN() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray logits = manager.create(new float[] {1f, 2f}, new Shape(1, 2, 1, 1));
            NDArray masks = manager.create(new int[] {SoftTargets.IGNORE}, new Shape(1, 1, 1));

            float loss = SoftTargets.denseCrossEntropy(logits, SoftTargets.denseTargets(masks, null, 1, 2))
                    .getFloat();

            assertThat(loss).isCloseTo(0f, within(1e-9f));
        }
    }

    static double[] logSoftmax(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : x) {
            sum += Math.exp(v - max);
        }
        double log = max + Math.log(sum);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] - log;
        }
        return out;
    }
}
