package io.visionstream.training.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelEmaTest {

    private static Parameter parameter(NDManager manager, String name, boolean trainable, float... values) {
        Parameter p = Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.WEIGHT)
                .optRequiresGrad(trainable)
                .build();
        p.setArray(manager.create(values));
        if (trainable) {
            p.getArray().setRequiresGradient(true);
        }
        return p;
    }

    /** Weight values after update k: w_k = (k, -2k). */
    private static void setWeights(Parameter p, int k) {
        p.getArray().set(new NDIndex("..."), p.getArray().getManager().create(new float[] {k, -2f * k}));
    }

    @Test
    void afterNStepsTheAverageEqualsTheClosedForm() {
        double d = 0.9;
        int n = 7;
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter w = parameter(manager, "w", true, 100f, 100f);
            try (ModelEma ema = new ModelEma(Map.of("w", w), d, false, manager)) {
                for (int k = 1; k <= n; k++) {
                    setWeights(w, k);
                    ema.update(k);
                }
                // decay(1) = 0 copies w_1; then ema_n = d^(n-1) w_1 + sum_{k=2..n} (1 - d) d^(n-k) w_k
                double expected = Math.pow(d, n - 1) * 1;
                for (int k = 2; k <= n; k++) {
                    expected += (1 - d) * Math.pow(d, n - k) * k;
                }
                float[] avg = ema.averages().get("w").toFloatArray();
                assertThat((double) avg[0]).isCloseTo(expected, within(1e-5));
                assertThat((double) avg[1]).isCloseTo(-2 * expected, within(1e-5));
            }
        }
    }

    @Test
    void withoutStepsTheFixedDecayAppliesFromTheStartingWeights() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter w = parameter(manager, "w", true, 10f, 0f);
            try (ModelEma ema = new ModelEma(Map.of("w", w), 0.75, false, manager)) {
                setWeights(w, 2);
                ema.update();

                // 0.75 * (10, 0) + 0.25 * (2, -4)
                assertThat(ema.averages().get("w").toFloatArray())
                        .containsExactly(new float[] {8f, -1f}, within(1e-6f));
            }
        }
    }

    @Test
    void warmupDecayFollowsTimmsPowerLawUpToTheTarget() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter w = parameter(manager, "w", true, 1f, 1f);
            try (ModelEma warm = new ModelEma(Map.of("w", w), 0.9998, true, manager);
                    ModelEma plain = new ModelEma(Map.of("w", w), 0.9998, false, manager)) {
                // timm ModelEmaV3.get_decay: step -> max(0, step - 1); 1 - (1 + step) ** -(2/3), capped
                assertThat(warm.decayAt(1)).isZero();
                assertThat(warm.decayAt(2)).isCloseTo(1 - Math.pow(2, -2.0 / 3), within(1e-12));
                assertThat(warm.decayAt(10)).isCloseTo(0.7845565309968, within(1e-9));
                assertThat(warm.decayAt(100_000_000)).isEqualTo(0.9998);
                assertThat(plain.decayAt(1)).isZero();
                assertThat(plain.decayAt(2)).isEqualTo(0.9998);
            }
        }
    }

    @Test
    void buffersWithoutGradientAreAveragedToo() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter running = parameter(manager, "running_mean", false, 0f, 0f);
            try (ModelEma ema = new ModelEma(Map.of("running_mean", running), 0.5, false, manager)) {
                setWeights(running, 1);
                ema.update();

                assertThat(ema.averages().get("running_mean").toFloatArray()).containsExactly(0.5f, -1f);
            }
        }
    }

    @Test
    void swapInPutsTheAveragesInTheModelAndCloseRestoresTheTrainedWeights() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter w = parameter(manager, "w", true, 4f, 4f);
            Map<String, Parameter> params = new LinkedHashMap<>();
            params.put("w", w);
            try (ModelEma ema = new ModelEma(params, 0.5, false, manager)) {
                setWeights(w, 2); // trained (2, -4); average 0.5 * (4, 4) + 0.5 * (2, -4) = (3, 0)
                ema.update();
                NDArray live = w.getArray();

                ModelEma.Swap swap = ema.swapIn();
                assertThat(w.getArray()).isSameAs(live);
                assertThat(live.toFloatArray()).containsExactly(3f, 0f);
                swap.close();
                swap.close(); // idempotent

                assertThat(live.toFloatArray()).containsExactly(2f, -4f);
                assertThat(ema.averages().get("w").toFloatArray()).containsExactly(3f, 0f);
                // the parameter still trains: a gradient reaches it after the swap
                try (NDManager step = manager.newSubManager();
                        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    collector.backward(
                            live.mul(step.create(new float[] {5f, 7f})).sum());
                }
                assertThat(live.getGradient().toFloatArray()).containsExactly(5f, 7f);
            }
        }
    }

    @Test
    void aDecayOutsideZeroToOneIsRefused() {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> new ModelEma(Map.of(), 1.0, false, manager))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("ema decay must be in [0, 1), got 1.0");
        }
    }
}
