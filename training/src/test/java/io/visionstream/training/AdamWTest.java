package io.visionstream.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {

    private static Parameter parameter(NDManager manager, String name, float... values) {
        Parameter p =
                Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        p.setArray(manager.create(values));
        p.getArray().setRequiresGradient(true);
        return p;
    }

    /** Gradient of {@code sum(c * w)} is {@code c}. */
    private static void backward(NDManager manager, Parameter p, float... c) {
        try (NDManager step = manager.newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(p.getArray().mul(step.create(c)).sum());
        }
    }

    @Test
    void firstStepMatchesTorchAdamWFormula() {
        // torch.optim.AdamW, lr=0.1, weight_decay=0.1, step 1: p*(1 - lr*wd) - lr * g / (|g| + eps)
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter decayed = parameter(manager, "w", 1f, -2f);
            Parameter plain = parameter(manager, "b", 1f, -2f);
            AdamW adamW = new AdamW(Map.of("w", decayed, "b", plain), "w"::equals, name -> 1.0, 0.1, 0, manager);
            backward(manager, decayed, 0.5f, -3f);
            backward(manager, plain, 0.5f, -3f);

            try (NDManager step = manager.newSubManager()) {
                adamW.step(0.1, step);
            }

            assertThat(decayed.getArray().toFloatArray()).containsExactly(new float[] {0.89f, -1.88f}, within(1e-6f));
            assertThat(plain.getArray().toFloatArray()).containsExactly(new float[] {0.9f, -1.9f}, within(1e-6f));
        }
    }

    @Test
    void secondStepUsesBiasCorrectedMomentsAndFreshGradients() {
        // g1 = 1, g2 = 3: m = 0.9*0.1 + 0.3 = 0.39 -> m_hat = 0.39/0.19; v = 0.999*0.001 + 0.009 = 0.009999
        // -> v_hat = 0.009999/0.001999; p2 = p1 - lr * m_hat / sqrt(v_hat), p1 = 1 - lr
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter p = parameter(manager, "b", 1f);
            AdamW adamW = new AdamW(Map.of("b", p), name -> false, name -> 1.0, 0, 0, manager);
            backward(manager, p, 1f);
            try (NDManager step = manager.newSubManager()) {
                adamW.step(0.01, step);
            }
            backward(manager, p, 3f);
            try (NDManager step = manager.newSubManager()) {
                adamW.step(0.01, step);
            }

            double mHat = 0.39 / 0.19;
            double vHat = 0.009999 / (1 - 0.999 * 0.999);
            double expected = 1 - 0.01 - 0.01 * mHat / Math.sqrt(vHat);
            assertThat(p.getArray().toFloatArray()[0]).isCloseTo((float) expected, within(1e-6f));
            NDArray grad = p.getArray().getGradient();
            assertThat(grad.toFloatArray()).containsExactly(0f);
            assertThat(grad.getDataType()).isEqualTo(DataType.FLOAT32);
        }
    }

    @Test
    void clipsTheGlobalGradientNormBeforeTheMoments() {
        // g1 = (3, 4) has norm 5 and is clipped to (0.6, 0.8); g2 = (0.6, 0.8) is within the limit. With
        // clipping both steps see the same gradient, so each moves every weight by exactly lr; without it
        // the second step would be smaller than lr.
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter p = parameter(manager, "b", 0f, 0f);
            AdamW adamW = new AdamW(Map.of("b", p), name -> false, name -> 1.0, 0, 1.0, manager);
            backward(manager, p, 3f, 4f);
            double norm;
            try (NDManager step = manager.newSubManager()) {
                norm = adamW.step(0.1, step);
            }
            backward(manager, p, 0.6f, 0.8f);
            try (NDManager step = manager.newSubManager()) {
                adamW.step(0.1, step);
            }

            assertThat(norm).isCloseTo(5.0, within(1e-5));
            assertThat(p.getArray().toFloatArray()).containsExactly(new float[] {-0.2f, -0.2f}, within(1e-5f));
        }
    }

    @Test
    void nonFiniteGradientSkipsTheUpdateAndClearsTheGradient() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter p = parameter(manager, "b", 1f, 2f);
            AdamW adamW = new AdamW(Map.of("b", p), name -> false, name -> 1.0, 0, 0, manager);
            backward(manager, p, Float.NaN, 1f);
            double norm;
            try (NDManager step = manager.newSubManager()) {
                norm = adamW.step(0.1, step);
            }

            assertThat(norm).isNaN();
            assertThat(adamW.lastNonFinite()).containsExactly("b");
            assertThat(p.getArray().toFloatArray()).containsExactly(1f, 2f);
            assertThat(p.getArray().getGradient().toFloatArray()).containsExactly(0f, 0f);
        }
    }

    @Test
    void learningRateScaleMultipliesTheStepOfTheSelectedParameters() {
        // Adam's first step moves each weight by lr * sign(g): lr for "b", 5 * lr for "w"
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter w = parameter(manager, "w", 1f);
            Parameter b = parameter(manager, "b", 1f);
            AdamW adamW =
                    new AdamW(Map.of("w", w, "b", b), name -> false, name -> "w".equals(name) ? 5 : 1, 0, 0, manager);
            backward(manager, w, 2f);
            backward(manager, b, 2f);
            try (NDManager step = manager.newSubManager()) {
                adamW.step(0.01, step);
            }

            assertThat(w.getArray().toFloatArray()[0]).isCloseTo(0.95f, within(1e-6f));
            assertThat(b.getArray().toFloatArray()[0]).isCloseTo(0.99f, within(1e-6f));
        }
    }
}
