package io.visionstream.training.recipe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An exponential moving average of a model's weights for evaluation and export, as timm's {@code
 * ModelEmaV3} keeps it: after optimiser update {@code step} (1-based, timm's {@code num_updates}), {@code
 * ema = decay(step) * ema + (1 - decay(step)) * w} for every floating-point tensor, the batch-norm running
 * statistics included (timm averages buffers too); other tensors are copied.
 *
 * <p>{@code decay(1) = 0}, so the first update copies the model. Without warmup {@code decay(step) =
 * decay} afterwards; with warmup {@code decay(step) = min(decay, 1 - (1 + step - 1)^(-2/3))} (timm's
 * {@code use_warmup}, {@code warmup_gamma=1}, {@code warmup_power=2/3}), so early averages do not drag
 * in the random initialisation. Without step numbers, {@link #update()} applies {@code decay} as timm's
 * {@code ModelEmaV2} does.
 *
 * <p>The averages live on a sub-manager of the one given; {@link #close} frees them. {@link #swapIn()}
 * copies the averages into the model's own arrays (evaluation and export then read them through the usual
 * paths) and its {@code close()} puts the trained weights back. Call outside any gradient collector, on
 * the training thread; not thread-safe.
 */
public final class ModelEma implements AutoCloseable {

    private static final NDIndex ALL = new NDIndex("...");
    private static final double WARMUP_POWER = 2.0 / 3.0;

    private final Map<String, Parameter> parameters;
    private final Map<String, NDArray> averages = new LinkedHashMap<>();
    private final double decay;
    private final boolean warmup;
    private final NDManager manager;

    /**
     * Starts the averages as copies of the current weights.
     *
     * @param parameters the model's tensors by name (e.g. {@code checkpointParameters()}), initialised
     * @param decay the target decay in {@code [0, 1)}, e.g. timm's default 0.9998
     * @param warmup whether the decay warms up from 0 as above
     * @param manager parent of the manager that holds the averages
     * @throws IllegalArgumentException when {@code decay} is outside {@code [0, 1)}
     */
    public ModelEma(Map<String, Parameter> parameters, double decay, boolean warmup, NDManager manager) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("ema decay must be in [0, 1), got " + decay);
        }
        this.parameters = Map.copyOf(parameters);
        this.decay = decay;
        this.warmup = warmup;
        this.manager = manager.newSubManager();
        parameters.forEach((name, p) -> averages.put(name, copyOf(p.getArray(), this.manager)));
    }

    /** A detached copy of {@code w} in libtorch storage on {@code owner}; the detached view is freed at once. */
    private static NDArray copyOf(NDArray w, NDManager owner) {
        try (NDArray view = w.stopGradient()) {
            NDArray copy = view.duplicate();
            copy.attach(owner);
            return copy;
        }
    }

    /**
     * The decay applied at optimiser update {@code step} (1-based), timm's {@code ModelEmaV3.get_decay}
     * with {@code update_after_step=0}.
     */
    public double decayAt(long step) {
        long s = Math.max(0, step - 1);
        if (s == 0) {
            return 0;
        }
        if (!warmup) {
            return decay;
        }
        return Math.max(0, Math.min(decay, 1 - Math.pow(1 + s, -WARMUP_POWER)));
    }

    /** Averages in the current weights after optimiser update {@code step} (1-based). */
    public void update(long step) {
        apply(decayAt(step));
    }

    /** Averages in the current weights with the fixed {@code decay} (timm's {@code ModelEmaV2.update}). */
    public void update() {
        apply(decay);
    }

    private void apply(double d) {
        try (NDManager scratch = manager.newSubManager()) {
            averages.forEach((name, ema) -> {
                NDArray w = parameters.get(name).getArray().stopGradient();
                w.attach(scratch);
                if (!ema.getDataType().isFloating()) {
                    ema.set(ALL, w);
                    return;
                }
                // ema.lerp_(w, 1 - d): ema += (w - ema) * (1 - d), eager and outside any graph
                NDArray step = w.sub(ema);
                step.attach(scratch);
                ema.addi(step.muli((float) (1 - d)));
            });
        }
    }

    /** The averages by name, live arrays owned by this instance; read-only use. */
    public Map<String, NDArray> averages() {
        return Collections.unmodifiableMap(averages);
    }

    /**
     * Copies the averages into the model's arrays in place until the returned swap is closed, which copies
     * the trained weights back. Use with try-with-resources around evaluation or export.
     */
    public Swap swapIn() {
        return new Swap();
    }

    /** The averages sitting in the model; {@link #close()} restores the trained weights. */
    public final class Swap implements AutoCloseable {
        private final NDManager saved = manager.newSubManager();
        private final Map<String, NDArray> trained = new LinkedHashMap<>();
        private boolean closed;

        private Swap() {
            averages.forEach((name, ema) -> {
                NDArray w = parameters.get(name).getArray();
                trained.put(name, copyOf(w, saved));
                w.set(ALL, ema);
            });
        }

        /** Restores the trained weights; idempotent. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            trained.forEach((name, copy) -> parameters.get(name).getArray().set(ALL, copy));
            saved.close();
        }
    }

    /** Frees the averages. */
    @Override
    public void close() {
        manager.close();
    }
}
