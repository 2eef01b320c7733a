package io.visionstream.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * AdamW as PyTorch's {@code torch.optim.AdamW} computes it (Loshchilov and Hutter's decoupled weight
 * decay): {@code p -= lr * wd * p} then {@code p -= lr * m_hat / (sqrt(v_hat) + eps)}, with
 * bias-corrected moments. Weight decay applies only to the parameters the {@code decays} predicate
 * selects (the trainer excludes biases, norms and embeddings/tokens, as timm does). Optionally clips
 * the global gradient norm first ({@code clip_grad_norm_}).
 *
 * <p>DJL's own {@code Optimizer.adamW} decays every parameter alike; this class exists to keep the
 * decay off 1-D parameters and tokens. Moments live on the manager given to the constructor; the
 * per-step temporaries on the step's manager. Gradients are zeroed after each update (libtorch
 * accumulates them). Not thread-safe; call {@link #step} outside a gradient collector.
 */
public final class AdamW {

    private static final NDIndex ALL = new NDIndex("...");

    private final List<Entry> entries = new ArrayList<>();
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final double maxGradNorm;
    private int t;
    private List<String> lastNonFinite = List.of();

    private record Entry(String name, Parameter parameter, NDArray m, NDArray v, boolean decay, double lrScale) {}

    /**
     * @param parameters the trainable parameters by name (those not requiring a gradient are skipped)
     * @param decays which names get weight decay
     * @param lrScale factor on the learning rate per name (e.g. a larger one for a head trained from
     *     scratch on top of a slower backbone), positive
     * @param weightDecay decoupled decay coefficient, {@code >= 0}
     * @param maxGradNorm global gradient-norm limit, or 0 for no clipping
     * @param manager owner of the moment estimates
     */
    public AdamW(
            Map<String, Parameter> parameters,
            Predicate<String> decays,
            ToDoubleFunction<String> lrScale,
            double weightDecay,
            double maxGradNorm,
            NDManager manager) {
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weight-decay must be >= 0, got " + weightDecay);
        }
        if (!(maxGradNorm >= 0)) {
            throw new IllegalArgumentException("max grad norm must be >= 0, got " + maxGradNorm);
        }
        this.beta1 = 0.9;
        this.beta2 = 0.999;
        this.eps = 1e-8;
        this.weightDecay = weightDecay;
        this.maxGradNorm = maxGradNorm;
        parameters.forEach((name, p) -> {
            if (p.requiresGradient()) {
                NDArray w = p.getArray();
                entries.add(new Entry(
                        name,
                        p,
                        manager.zeros(w.getShape(), w.getDataType(), w.getDevice()),
                        manager.zeros(w.getShape(), w.getDataType(), w.getDevice()),
                        decays.test(name),
                        lrScale.applyAsDouble(name)));
            }
        });
    }

    private static NDArray onto(NDManager scratch, NDArray temporary) {
        temporary.attach(scratch);
        return temporary;
    }

    /** The parameters whose gradient was not finite at the last skipped step (empty before any). */
    public List<String> lastNonFinite() {
        return lastNonFinite;
    }

    /** Number of parameters updated, and of those with weight decay, for logs. */
    public String describe() {
        long decayed = entries.stream().filter(Entry::decay).count();
        return entries.size() + " parameter tensors (" + decayed + " with weight decay)";
    }

    /**
     * Applies one update with learning rate {@code lr} and zeroes the gradients.
     *
     * @param lr learning rate of this step
     * @param scratch manager for temporaries (the training step's)
     * @return the global gradient norm before clipping, or NaN when some gradient was not finite: then
     *     nothing is updated, the gradients are zeroed and {@link #lastNonFinite()} names the parameters
     */
    public double step(double lr, NDManager scratch) {
        t++;
        List<NDArray> grads = new ArrayList<>(entries.size());
        double sumSquares = 0;
        for (Entry e : entries) {
            NDArray g = e.parameter().getArray().getGradient();
            g.attach(scratch);
            grads.add(g);
        }
        List<String> nonFinite = new ArrayList<>();
        for (int i = 0; i < grads.size(); i++) {
            double squares = grads.get(i).square().sum().getFloat();
            if (!Double.isFinite(squares)) {
                nonFinite.add(entries.get(i).name());
            }
            sumSquares += squares;
        }
        if (!nonFinite.isEmpty()) {
            // skip the update, as torch.amp's GradScaler does for an inf/NaN step, and start the next clean
            t--;
            for (NDArray g : grads) {
                g.set(ALL, 0f); // in place (NaN * 0 is NaN, so multiplying would not clear it)
            }
            lastNonFinite = List.copyOf(nonFinite);
            return Double.NaN;
        }
        double norm = Math.sqrt(sumSquares);
        float scale = maxGradNorm > 0 && norm > maxGradNorm ? (float) (maxGradNorm / (norm + 1e-6)) : 1f;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);

        float bc2Sqrt = (float) Math.sqrt(bc2);
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            double entryLr = lr * e.lrScale();
            float stepSize = (float) (entryLr / bc1);
            NDArray w = e.parameter().getArray();
            NDArray g = scale == 1f ? grads.get(i) : grads.get(i).mul(scale);
            // exp_avg.lerp_(grad, 1 - beta1); exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            e.m().muli((float) beta1).addi(g.mul((float) (1 - beta1)));
            e.v().muli((float) beta2).addi(g.square().muli((float) (1 - beta2)));
            if (e.decay() && weightDecay > 0) {
                // param.mul_(1 - lr * weight_decay)
                w.muli((float) (1 - entryLr * weightDecay));
            }
            // param.addcdiv_(exp_avg, exp_avg_sq.sqrt() / bias_correction2_sqrt + eps, value=-step_size)
            // ops on the moments would attach their results to the moments' manager: move them to scratch
            NDArray denom = onto(scratch, e.v().sqrt()).divi(bc2Sqrt).addi((float) eps);
            w.subi(onto(scratch, e.m().div(denom)).muli(stepSize));
            grads.get(i).subi(grads.get(i));
        }
        return norm;
    }
}
