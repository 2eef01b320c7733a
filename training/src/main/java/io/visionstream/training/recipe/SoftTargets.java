package io.visionstream.training.recipe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Label smoothing, Mixup's target mixing and the soft-target cross-entropy, as timm computes them
 * ({@code timm.data.mixup.one_hot} / {@code mixup_target}, {@code timm.loss.SoftTargetCrossEntropy}).
 *
 * <p>Smoothing with {@code s} over {@code K} classes gives every class {@code off = s / K} and the true
 * class {@code on = 1 - s + off}, so each row still sums to 1; the cross-entropy against that row equals
 * timm's {@code LabelSmoothingCrossEntropy(s)}. The dense (per-pixel) targets are never smoothed: label
 * smoothing is a classification regulariser in timm, and segmentation recipes (mmsegmentation's
 * {@code CrossEntropyLoss}) train on hard pixel labels.
 *
 * <p>Stateless and thread-safe. The loss functions build no {@code op(Number)} scalar into the graph: the
 * targets are libtorch-owned arrays that need no gradient.
 */
public final class SoftTargets {

    /** Mask value of a pixel that carries no label (filled in by a geometric augmentation). */
    public static final int IGNORE = 255;

    private SoftTargets() {}

    /**
     * One row per label: {@code 1 - smoothing + smoothing / K} at the label, {@code smoothing / K}
     * elsewhere (timm's {@code one_hot(target, K, on_value, off_value)}).
     *
     * @param labels class indices in {@code [0, K)}
     * @param numClasses K
     * @param smoothing in {@code [0, 1)}; 0 gives plain one-hot rows
     * @return {@code [B, K]} row-major
     * @throws IllegalArgumentException when a label is out of range or {@code smoothing} is outside [0, 1)
     */
    public static float[] smooth(int[] labels, int numClasses, double smoothing) {
        return mix(labels, numClasses, 1.0, smoothing);
    }

    /**
     * Mixup's targets: {@code lambda * smooth(y) + (1 - lambda) * smooth(flip(y))}, where {@code flip}
     * reverses the batch, the partner order of {@link MixupCutmix} (timm's {@code mixup_target}).
     *
     * @param labels class indices in {@code [0, K)}, one per image of the batch
     * @param numClasses K
     * @param lambda weight of each image's own label, in {@code [0, 1]}
     * @param smoothing in {@code [0, 1)}
     * @return {@code [B, K]} row-major; each row sums to 1
     */
    public static float[] mix(int[] labels, int numClasses, double lambda, double smoothing) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
        }
        if (!(smoothing >= 0 && smoothing < 1)) {
            throw new IllegalArgumentException("label-smoothing must be in [0, 1), got " + smoothing);
        }
        if (!(lambda >= 0 && lambda <= 1)) {
            throw new IllegalArgumentException("mixup lambda must be in [0, 1], got " + lambda);
        }
        int b = labels.length;
        double off = smoothing / numClasses;
        double on = 1 - smoothing + off;
        float[] out = new float[b * numClasses];
        for (int i = 0; i < b; i++) {
            int own = checked(labels[i], numClasses);
            int partner = checked(labels[b - 1 - i], numClasses);
            for (int k = 0; k < numClasses; k++) {
                double first = k == own ? on : off;
                double second = k == partner ? on : off;
                out[i * numClasses + k] = (float) (first * lambda + second * (1 - lambda));
            }
        }
        return out;
    }

    private static int checked(int label, int numClasses) {
        if (label < 0 || label >= numClasses) {
            throw new IllegalArgumentException("label " + label + " is outside [0, " + numClasses + ")");
        }
        return label;
    }

    /**
     * {@code targets} as a {@code [B, K]} array on {@code manager} in libtorch-owned storage, ready for
     * {@link #crossEntropy}.
     */
    public static NDArray array(NDManager manager, float[] targets, int numClasses) {
        if (numClasses < 1 || targets.length % numClasses != 0) {
            throw new IllegalArgumentException(
                    targets.length + " target values do not form rows of " + numClasses + " classes");
        }
        return OwnedArrays.of(manager, targets, new Shape(targets.length / numClasses, numClasses));
    }

    /**
     * Soft-target cross-entropy averaged over the batch: {@code mean_b(-sum_k t[b,k] * log_softmax(x)[b,k])}
     * (timm's {@code SoftTargetCrossEntropy}). With one-hot targets it is the ordinary cross-entropy.
     *
     * @param logits {@code [B, K]}, part of the autograd graph
     * @param targets {@code [B, K]} rows summing to 1, no gradient (e.g. from {@link #array})
     * @return a scalar on {@code logits}' manager
     */
    public static NDArray crossEntropy(NDArray logits, NDArray targets) {
        requireSameShape(logits, targets);
        return logits.logSoftmax(1).mul(targets).sum(new int[] {1}).mean().neg();
    }

    /**
     * Per-pixel targets {@code [B, K, H, W]} from masks: the one-hot of {@code masks}, and under Mixup
     * {@code lambda * onehot(masks) + (1 - lambda) * onehot(partnerMasks)}, the same convex combination
     * the pixels themselves were mixed with. A pixel whose mask value is {@link #IGNORE} (or otherwise
     * outside {@code [0, K)}) contributes an all-zero row for that mask.
     *
     * <p>Built from ops on arrays that need no gradient, so no scalar of it is kept for a backward pass.
     *
     * @param masks {@code [B, H, W]} integer class map
     * @param partnerMasks {@code [B, H, W]} the partner's masks under Mixup, or null
     * @param lambda weight of {@code masks} in {@code [0, 1]}; ignored (taken as 1) without a partner
     * @param numClasses K
     * @return float32 {@code [B, K, H, W]} on {@code masks}' manager
     */
    public static NDArray denseTargets(NDArray masks, NDArray partnerMasks, double lambda, int numClasses) {
        if (!(lambda >= 0 && lambda <= 1)) {
            throw new IllegalArgumentException("mixup lambda must be in [0, 1], got " + lambda);
        }
        NDArray own = oneHotWithIgnore(masks, numClasses);
        if (partnerMasks == null) {
            return own;
        }
        if (!partnerMasks.getShape().equals(masks.getShape())) {
            throw new IllegalArgumentException(
                    "partner masks " + partnerMasks.getShape() + " differ from masks " + masks.getShape());
        }
        NDArray partner = oneHotWithIgnore(partnerMasks, numClasses);
        return own.muli((float) lambda).addi(partner.muli((float) (1 - lambda)));
    }

    private static NDArray oneHotWithIgnore(NDArray masks, int numClasses) {
        if (masks.getShape().dimension() != 3) {
            throw new IllegalArgumentException("masks must be [B, H, W], got " + masks.getShape());
        }
        NDArray m = masks.toType(DataType.INT64, false);
        NDArray valid = m.gte(0).logicalAnd(m.lt(numClasses));
        NDArray index = m.mul(valid.toType(DataType.INT64, false));
        NDArray oneHot = index.oneHot(numClasses, DataType.FLOAT32);
        return oneHot.muli(valid.toType(DataType.FLOAT32, false).expandDims(3)).transpose(0, 3, 1, 2);
    }

    /**
     * Per-pixel soft-target cross-entropy: {@code -sum(t * log_softmax(logits, 1)) / sum(t)}. Each pixel
     * weighs by its target mass, so {@link #IGNORE} pixels drop out of both sums (mmsegmentation's
     * {@code avg_non_ignore}); with every pixel labelled it is the mean over {@code B * H * W} pixels, the
     * trainer's present dense loss.
     *
     * @param logits {@code [B, K, H, W]}, part of the autograd graph
     * @param targets {@code [B, K, H, W]} from {@link #denseTargets}, no gradient
     * @return a scalar on {@code logits}' manager; 0 when no pixel carries a label
     */
    public static NDArray denseCrossEntropy(NDArray logits, NDArray targets) {
        requireSameShape(logits, targets);
        // max(mass, 1): no NaN from an image that augmentation emptied; computed eagerly on a no-grad array
        NDArray mass = targets.sum().maximum(1f);
        return logits.logSoftmax(1).mul(targets).sum().neg().div(mass);
    }

    private static void requireSameShape(NDArray logits, NDArray targets) {
        if (!logits.getShape().equals(targets.getShape())) {
            throw new IllegalArgumentException(
                    "logits " + logits.getShape() + " and targets " + targets.getShape() + " differ in shape");
        }
    }
}
