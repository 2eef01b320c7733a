package io.visionstream.training.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DropPathTest {

    @Test
    void ratesRiseLinearlyFromZeroToTheRateOverTheDepth() {
        // torch.linspace(0, 0.1, 12)
        double[] rates = DropPath.rates(0.1, 12);

        assertThat(rates).hasSize(12);
        for (int i = 0; i < 12; i++) {
            assertThat(rates[i]).isCloseTo(0.1 * i / 11, within(1e-12));
        }
        assertThat(rates[0]).isZero();
        assertThat(rates[11]).isCloseTo(0.1, within(1e-12));
        assertThat(DropPath.rates(0.3, 1)).containsExactly(0.0);
    }

    @Test
    void forDepthGivesEachBlockItsRate() {
        DropPath[] blocks = DropPath.forDepth(0.2, 3, new SplittableRandom(1));

        assertThat(blocks).extracting(DropPath::rate).containsExactly(0.0, 0.1, 0.2);
    }

    @Test
    void inTrainingWholeSamplesAreDroppedOrScaledSoTheMeanIsKept() {
        try (NDManager manager = NDManager.newBaseManager()) {
            int b = 20_000;
            NDArray x = manager.ones(new Shape(b, 2, 3));
            DropPath dropPath = new DropPath(0.3, new SplittableRandom(5));

            float[] y = dropPath.apply(x, true).toFloatArray();

            double sum = 0;
            int dropped = 0;
            for (int i = 0; i < b; i++) {
                float first = y[i * 6];
                assertThat(first).isIn(0f, (float) (1 / 0.7));
                for (int j = 1; j < 6; j++) {
                    assertThat(y[i * 6 + j])
                            .as("sample %d is dropped or kept whole", i)
                            .isEqualTo(first);
                }
                sum += first;
                if (first == 0f) {
                    dropped++;
                }
            }
            // binomial: sd of the kept share sqrt(0.21 / 20000) = 0.0032
            assertThat(sum / b).isCloseTo(1.0, within(0.02));
            assertThat((double) dropped / b).isCloseTo(0.3, within(0.015));
        }
    }

    @Test
    void inEvaluationOrAtRateZeroItIsTheIdentity() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.ones(new Shape(4, 3));

            assertThat(new DropPath(0.5, new SplittableRandom(1)).apply(x, false))
                    .isSameAs(x);
            assertThat(new DropPath(0, new SplittableRandom(1)).apply(x, true)).isSameAs(x);
        }
    }

    @Test
    void rateOneDropsEverything() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.ones(new Shape(5, 2));

            assertThat(new DropPath(1, new SplittableRandom(1)).apply(x, true).toFloatArray())
                    .containsOnly(0f);
        }
    }

    @Test
    void theGradientIsTheSampleMaskAndStaysFiniteAcrossGarbageCollections() {
        try (NDManager manager = NDManager.newBaseManager()) {
            DropPath dropPath = new DropPath(0.25, new SplittableRandom(9));
            for (int round = 0; round < 20; round++) {
                try (NDManager step = manager.newSubManager()) {
                    NDArray x = step.ones(new Shape(8, 4));
                    x.setRequiresGradient(true);
                    float[] out;
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray y = dropPath.apply(x, true);
                        out = y.toFloatArray();
                        System.gc(); // a Java-backed mask would be collectable here, before backward
                        collector.backward(y.sum());
                    }
                    // y = x * mask with x = 1, so dy/dx = mask = y
                    assertThat(x.getGradient().toFloatArray()).containsExactly(out);
                }
            }
        }
    }

    @Test
    void theSameSeedDropsTheSameSamples() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.ones(new Shape(64, 1));

            float[] a =
                    new DropPath(0.5, new SplittableRandom(3)).apply(x, true).toFloatArray();
            float[] b =
                    new DropPath(0.5, new SplittableRandom(3)).apply(x, true).toFloatArray();

            assertThat(b).containsExactly(a);
        }
    }

    @Test
    void aRateOutsideZeroToOneIsRefused() {
        assertThatThrownBy(() -> DropPath.rates(1.5, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("drop-path rate must be in [0, 1], got 1.5");
    }
}
