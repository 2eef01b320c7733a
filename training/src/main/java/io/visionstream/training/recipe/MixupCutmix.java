package io.visionstream.training.recipe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Mixup and CutMix over a whole batch, as timm's {@code Mixup(mode='batch')}: one lambda per batch, image
 * {@code b}'s partner is image {@code B - 1 - b} (timm's {@code x.flip(0)}), and the class targets are
 * {@link SoftTargets#mix} with label smoothing folded in.
 *
 * <p>Per batch: with probability {@code prob} the batch is mixed. When both alphas are positive, CutMix
 * is chosen with probability {@code switchProb} and Mixup otherwise; lambda is drawn from {@code
 * Beta(alpha, alpha)} of the chosen method. Mixup blends whole images, {@code lambda * x + (1 - lambda) *
 * partner}. CutMix pastes the partner's pixels inside a box of side {@code sqrt(1 - lambda)} times the
 * image's, centred uniformly and clipped at the borders (or, with {@code cutmixMinMax}, a box whose
 * sides are drawn between those fractions of the image), and then (with {@code correctLambda}, always
 * with min/max) sets lambda to {@code 1 - box area / (H * W)}, the share of pixels really kept.
 *
 * <p><b>Masks.</b> The dense loss follows the pixels: every pixel's target is its sources' labels mixed
 * with the weights its colour was mixed with. Under CutMix the partner's mask is pasted into the same box
 * (as in CutMix for segmentation, French et al. 2020, "Semi-supervised semantic segmentation needs
 * strong, varied perturbations"), so each pixel keeps a hard label. Under Mixup every pixel is {@code
 * lambda} of one image and {@code 1 - lambda} of the other, so its target is {@code lambda *
 * onehot(mask) + (1 - lambda) * onehot(partner mask)}: Mixup's own rule (Zhang et al. 2018) applied to
 * each pixel as a sample, which is also lambda times the loss against the own mask plus {@code 1 -
 * lambda} times the loss against the partner's. Scoring the blend against only the dominant image's
 * mask would instead label {@code 1 - lambda} of the evidence (up to half) wrongly. {@link Mixed}
 * carries the partner masks for this and {@link Mixed#denseTargets} builds the targets.
 *
 * <p>Immutable and thread-safe; randomness comes only from the {@link SplittableRandom} passed to {@link
 * #apply}.
 *
 * @param mixupAlpha Beta parameter of Mixup; Mixup is on when {@code > 0}
 * @param cutmixAlpha Beta parameter of CutMix; CutMix is on when {@code > 0} (forced to 1 with min/max)
 * @param cutmixMinMax box side bounds as fractions of the image, or null for the lambda-sized box
 * @param prob probability that a batch is mixed at all, in {@code [0, 1]}
 * @param switchProb probability of CutMix when both methods are on, in {@code [0, 1]}
 * @param correctLambda whether CutMix's lambda is recomputed from the clipped box
 * @param labelSmoothing smoothing folded into the class targets, in {@code [0, 1)}
 * @param numClasses K, classes of the classifier
 */
public record MixupCutmix(
        double mixupAlpha,
        double cutmixAlpha,
        MinMax cutmixMinMax,
        double prob,
        double switchProb,
        boolean correctLambda,
        double labelSmoothing,
        int numClasses) {

    /**
     * CutMix box sides as fractions of the image's height and width, {@code 0 <= min < max <= 1} (timm's
     * {@code cutmix_minmax}, typically 0.2 to 0.3 and 0.8 to 0.9).
     */
    public record MinMax(double min, double max) {
        /** @throws IllegalArgumentException unless {@code 0 <= min < max <= 1} */
        public MinMax {
            if (!(min >= 0 && min < max && max <= 1)) {
                throw new IllegalArgumentException(
                        "cutmix-minmax must satisfy 0 <= min < max <= 1, got " + min + ", " + max);
            }
        }
    }

    /** How a batch was mixed. */
    public enum Mode {
        /** Unchanged (lambda 1): not drawn this batch, or lambda came out 1. */
        NONE,
        MIXUP,
        CUTMIX
    }

    /**
     * A pasted CutMix box in pixels, rows {@code [y0, y1)} and columns {@code [x0, x1)}; empty when a
     * side is 0.
     */
    public record Box(int y0, int y1, int x0, int x1) {
        /** Pixels inside the box. */
        public long area() {
            return (long) (y1 - y0) * (x1 - x0);
        }

        boolean contains(int y, int x) {
            return y >= y0 && y < y1 && x >= x0 && x < x1;
        }
    }

    /**
     * A mixed batch.
     *
     * @param mode what was applied
     * @param lambda weight of each image's own content and label ({@code 1} for {@link Mode#NONE}; under
     *     CutMix the corrected value when {@code correctLambda})
     * @param box the pasted box under CutMix, else null
     * @param images the caller's {@code [B, C, H, W]} array, mixed in place
     * @param targets {@code [B, K]} class targets, rows summing to 1
     * @param masks the caller's {@code [B, H, W]} array; under CutMix the partner's mask is pasted into
     *     the box, in place
     * @param partnerMasks under Mixup, the masks of each image's partner ({@code [B, H, W]}, a new array),
     *     else null
     * @param height H
     * @param width W
     */
    public record Mixed(
            Mode mode,
            double lambda,
            Box box,
            float[] images,
            float[] targets,
            int[] masks,
            int[] partnerMasks,
            int height,
            int width) {

        /** Batch size B. */
        public int batchSize() {
            return masks.length / (height * width);
        }

        /** The class targets as a libtorch-owned {@code [B, K]} array, for {@link SoftTargets#crossEntropy}. */
        public NDArray classTargets(NDManager manager) {
            return SoftTargets.array(manager, targets, targets.length / batchSize());
        }

        /**
         * The per-pixel targets {@code [B, K, H, W]} for {@link SoftTargets#denseCrossEntropy}: one-hot of
         * the (pasted) masks, or under Mixup the lambda-weighted sum of both masks' one-hots.
         */
        public NDArray denseTargets(NDManager manager, int numClasses) {
            Shape shape = new Shape(batchSize(), height, width);
            NDArray own = OwnedArrays.of(manager, masks, shape);
            NDArray partner = partnerMasks == null ? null : OwnedArrays.of(manager, partnerMasks, shape);
            return SoftTargets.denseTargets(own, partner, partnerMasks == null ? 1 : lambda, numClasses);
        }
    }

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException naming the offending option and value
     */
    public MixupCutmix {
        if (cutmixMinMax != null) {
            cutmixAlpha = 1.0; // timm forces alpha 1 with min/max so that CutMix is on
        }
        if (!(mixupAlpha >= 0) || Double.isInfinite(mixupAlpha)) {
            throw new IllegalArgumentException("mixup alpha must be >= 0, got " + mixupAlpha);
        }
        if (!(cutmixAlpha >= 0) || Double.isInfinite(cutmixAlpha)) {
            throw new IllegalArgumentException("cutmix alpha must be >= 0, got " + cutmixAlpha);
        }
        if (mixupAlpha == 0 && cutmixAlpha == 0) {
            throw new IllegalArgumentException("one of mixup alpha, cutmix alpha or cutmix-minmax must be set");
        }
        if (!(prob >= 0 && prob <= 1)) {
            throw new IllegalArgumentException("mixup-prob must be in [0, 1], got " + prob);
        }
        if (!(switchProb >= 0 && switchProb <= 1)) {
            throw new IllegalArgumentException("mixup-switch-prob must be in [0, 1], got " + switchProb);
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new IllegalArgumentException("label-smoothing must be in [0, 1), got " + labelSmoothing);
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
        }
    }

    /** timm's defaults for the given alphas: prob 1, switch 0.5, lambda correction on, no min/max. */
    public static MixupCutmix of(double mixupAlpha, double cutmixAlpha, double labelSmoothing, int numClasses) {
        return new MixupCutmix(mixupAlpha, cutmixAlpha, null, 1.0, 0.5, true, labelSmoothing, numClasses);
    }

    /**
     * Mixes a batch in place and returns it with its targets.
     *
     * @param images {@code [B, C, H, W]} row-major (any normalisation: both methods are affine-safe)
     * @param labels class of each image, in {@code [0, K)}
     * @param masks {@code [B, H, W]} class per pixel
     * @param height H
     * @param width W
     * @param random the source of every draw
     * @throws IllegalArgumentException when B is odd (as timm) or the arrays do not fit {@code B, H, W}
     */
    public Mixed apply(float[] images, int[] labels, int[] masks, int height, int width, SplittableRandom random) {
        int b = labels.length;
        if (b == 0 || b % 2 != 0) {
            throw new IllegalArgumentException("Mixup/CutMix needs an even batch size, got " + b);
        }
        long pixels = (long) height * width;
        if (height <= 0 || width <= 0 || masks.length != b * pixels || images.length % (b * pixels) != 0) {
            throw new IllegalArgumentException("images (" + images.length + " floats) and masks (" + masks.length
                    + ") do not fit a batch of " + b + " at " + height + "x" + width);
        }
        int channels = (int) (images.length / (b * pixels));
        double lambda = 1.0;
        boolean cutmix = false;
        if (random.nextDouble() < prob) {
            if (mixupAlpha > 0 && cutmixAlpha > 0) {
                cutmix = random.nextDouble() < switchProb;
                lambda = beta(cutmix ? cutmixAlpha : mixupAlpha, random);
            } else if (mixupAlpha > 0) {
                lambda = beta(mixupAlpha, random);
            } else {
                cutmix = true;
                lambda = beta(cutmixAlpha, random);
            }
        }
        if (lambda == 1.0) {
            return new Mixed(
                    Mode.NONE,
                    1.0,
                    null,
                    images,
                    SoftTargets.smooth(labels, numClasses, labelSmoothing),
                    masks,
                    null,
                    height,
                    width);
        }
        if (cutmix) {
            Box box = cutmixMinMax != null ? boxMinMax(height, width, random) : box(height, width, lambda, random);
            if (correctLambda || cutmixMinMax != null) {
                lambda = 1.0 - (double) box.area() / pixels;
            }
            swapBox(images, channels, b, height, width, box);
            swapBox(masks, b, height, width, box);
            return new Mixed(
                    Mode.CUTMIX,
                    lambda,
                    box,
                    images,
                    SoftTargets.mix(labels, numClasses, lambda, labelSmoothing),
                    masks,
                    null,
                    height,
                    width);
        }
        blend(images, b, lambda);
        int[] partners = new int[masks.length];
        int perMask = (int) pixels;
        for (int i = 0; i < b; i++) {
            System.arraycopy(masks, (b - 1 - i) * perMask, partners, i * perMask, perMask);
        }
        return new Mixed(
                Mode.MIXUP,
                lambda,
                null,
                images,
                SoftTargets.mix(labels, numClasses, lambda, labelSmoothing),
                masks,
                partners,
                height,
                width);
    }

    /**
     * timm's {@code rand_bbox} without margin: sides {@code int(H * sqrt(1 - lambda))} and {@code int(W *
     * sqrt(1 - lambda))}, centre uniform over the pixels, each edge at centre -+ half the side, clipped.
     */
    static Box box(int height, int width, double lambda, SplittableRandom random) {
        double ratio = Math.sqrt(1 - lambda);
        int cutH = (int) (height * ratio);
        int cutW = (int) (width * ratio);
        int cy = random.nextInt(height);
        int cx = random.nextInt(width);
        return new Box(
                clip(cy - cutH / 2, height), clip(cy + cutH / 2, height),
                clip(cx - cutW / 2, width), clip(cx + cutW / 2, width));
    }

    /** timm's {@code rand_bbox_minmax}: sides uniform in {@code [int(S * min), int(S * max))}, fully inside. */
    Box boxMinMax(int height, int width, SplittableRandom random) {
        int cutH = randint(random, (int) (height * cutmixMinMax.min()), (int) (height * cutmixMinMax.max()));
        int cutW = randint(random, (int) (width * cutmixMinMax.min()), (int) (width * cutmixMinMax.max()));
        int y0 = randint(random, 0, height - cutH);
        int x0 = randint(random, 0, width - cutW);
        return new Box(y0, y0 + cutH, x0, x0 + cutW);
    }

    /** numpy's {@code randint(low, high)}: uniform in {@code [low, high)}, {@code low} when the range is empty. */
    private static int randint(SplittableRandom random, int low, int high) {
        return high > low ? random.nextInt(low, high) : low;
    }

    private static int clip(int v, int max) {
        return Math.max(0, Math.min(max, v));
    }

    /**
     * Pastes the partner's box into every image. Image {@code i}'s partner is {@code B - 1 - i} and vice
     * versa, so pasting from the unmodified batch is a swap of the box between the two.
     */
    private static void swapBox(float[] images, int channels, int b, int height, int width, Box box) {
        int perImage = channels * height * width;
        for (int i = 0; i < b / 2; i++) {
            int j = b - 1 - i;
            for (int c = 0; c < channels; c++) {
                for (int y = box.y0(); y < box.y1(); y++) {
                    int row = (c * height + y) * width;
                    for (int x = box.x0(); x < box.x1(); x++) {
                        int p = i * perImage + row + x;
                        int q = j * perImage + row + x;
                        float t = images[p];
                        images[p] = images[q];
                        images[q] = t;
                    }
                }
            }
        }
    }

    private static void swapBox(int[] masks, int b, int height, int width, Box box) {
        int perMask = height * width;
        for (int i = 0; i < b / 2; i++) {
            int j = b - 1 - i;
            for (int y = box.y0(); y < box.y1(); y++) {
                for (int x = box.x0(); x < box.x1(); x++) {
                    int p = i * perMask + y * width + x;
                    int q = j * perMask + y * width + x;
                    int t = masks[p];
                    masks[p] = masks[q];
                    masks[q] = t;
                }
            }
        }
    }

    /** {@code x = lambda * x + (1 - lambda) * flip(x)}, pair by pair so that both read the originals. */
    private static void blend(float[] images, int b, double lambda) {
        int perImage = images.length / b;
        float own = (float) lambda;
        float other = (float) (1 - lambda);
        for (int i = 0; i < b / 2; i++) {
            int p = i * perImage;
            int q = (b - 1 - i) * perImage;
            for (int k = 0; k < perImage; k++) {
                float u = images[p + k];
                float v = images[q + k];
                images[p + k] = own * u + other * v;
                images[q + k] = own * v + other * u;
            }
        }
    }

    /** A draw of {@code Beta(alpha, alpha)} as {@code X / (X + Y)} of two {@code Gamma(alpha)} draws. */
    static double beta(double alpha, SplittableRandom random) {
        double x = gamma(alpha, random);
        double y = gamma(alpha, random);
        double sum = x + y;
        return sum > 0 ? x / sum : (random.nextBoolean() ? 1.0 : 0.0);
    }

    /**
     * A {@code Gamma(shape, 1)} draw by Marsaglia and Tsang's method (2000); for a shape below 1 it boosts
     * a {@code Gamma(shape + 1)} draw by {@code U^(1 / shape)}.
     */
    static double gamma(double shape, SplittableRandom random) {
        if (shape < 1) {
            double u = random.nextDouble();
            return gamma(shape + 1, random) * Math.pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double z = random.nextGaussian();
            double v = 1 + c * z;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = random.nextDouble();
            if (u < 1 - 0.0331 * z * z * z * z || Math.log(u) < 0.5 * z * z + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }
}
