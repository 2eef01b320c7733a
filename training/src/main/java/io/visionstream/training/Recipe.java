package io.visionstream.training;

import io.visionstream.training.recipe.MixupCutmix;
import io.visionstream.training.recipe.RandAugment;
import java.nio.file.Path;

/**
 * timm's training-recipe options of a run, each off by default; keys are the {@code ./vision train}
 * option names (timm's {@code train.py} arguments).
 *
 * @param labelSmoothing {@code --label-smoothing}, in {@code [0, 1)}; folded into Mixup/CutMix targets when
 *     mixing is on
 * @param mixup Mixup's Beta alpha ({@code --mixup}), {@code >= 0}, 0 off
 * @param cutmix CutMix's Beta alpha ({@code --cutmix}), {@code >= 0}, 0 off
 * @param mixupProb probability that a batch is mixed ({@code --mixup-prob}), in {@code [0, 1]}
 * @param mixupSwitchProb probability of CutMix when both are on ({@code --mixup-switch-prob}), in {@code [0, 1]}
 * @param cutmixMinMax CutMix box side bounds ({@code --cutmix-minmax}), or null; turns CutMix on
 * @param randAugment RandAugment spec ({@code --rand-augment}, e.g. {@code m9-mstd0.5}), or null for none
 * @param dropPath stochastic depth at the last block ({@code --drop-path}), in {@code [0, 1)}
 * @param ema decay of the weights' moving average ({@code --model-ema-decay}), in {@code [0, 1)}; 0 off
 * @param emaWarmup whether that decay warms up ({@code --ema-warmup}); needs {@code --ema}
 * @param teacher model directory of a DeiT hard-distillation teacher ({@code --teacher}), or null: the
 *     student gets {@code dist_token} and {@code head_dist}, which learns the teacher's argmax
 */
public record Recipe(
        double labelSmoothing,
        double mixup,
        double cutmix,
        double mixupProb,
        double mixupSwitchProb,
        MixupCutmix.MinMax cutmixMinMax,
        String randAugment,
        double dropPath,
        double ema,
        boolean emaWarmup,
        Path teacher) {

    /** Everything off: plain cross-entropy, no mixing, no augmentation, no drop path, no EMA. */
    public static final Recipe NONE = new Recipe(0, 0, 0, 1.0, 0.5, null, null, 0, 0, false);

    /**
     * Validates every option.
     *
     * @throws IllegalArgumentException naming the option and value
     */
    public Recipe {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new IllegalArgumentException("--label-smoothing must be in [0, 1), got " + labelSmoothing);
        }
        if (!(mixup >= 0) || Double.isInfinite(mixup)) {
            throw new IllegalArgumentException("--mixup must be >= 0, got " + mixup);
        }
        if (!(cutmix >= 0) || Double.isInfinite(cutmix)) {
            throw new IllegalArgumentException("--cutmix must be >= 0, got " + cutmix);
        }
        if (!(mixupProb >= 0 && mixupProb <= 1)) {
            throw new IllegalArgumentException("--mixup-prob must be in [0, 1], got " + mixupProb);
        }
        if (!(mixupSwitchProb >= 0 && mixupSwitchProb <= 1)) {
            throw new IllegalArgumentException("--mixup-switch-prob must be in [0, 1], got " + mixupSwitchProb);
        }
        if (randAugment != null) {
            RandAugment.Config.parse(randAugment); // names the spec and the bad section
        }
        if (!(dropPath >= 0 && dropPath < 1)) {
            throw new IllegalArgumentException("--drop-path must be in [0, 1), got " + dropPath);
        }
        if (!(ema >= 0 && ema < 1)) {
            throw new IllegalArgumentException("--ema must be in [0, 1), 0 for off, got " + ema);
        }
        if (emaWarmup && ema == 0) {
            throw new IllegalArgumentException("--ema-warmup needs --ema");
        }
    }

    /** Without a teacher. */
    public Recipe(
            double labelSmoothing,
            double mixup,
            double cutmix,
            double mixupProb,
            double mixupSwitchProb,
            MixupCutmix.MinMax cutmixMinMax,
            String randAugment,
            double dropPath,
            double ema,
            boolean emaWarmup) {
        this(
                labelSmoothing,
                mixup,
                cutmix,
                mixupProb,
                mixupSwitchProb,
                cutmixMinMax,
                randAugment,
                dropPath,
                ema,
                emaWarmup,
                null);
    }

    /** Whether Mixup or CutMix is on ({@code timm: mixup > 0 or cutmix > 0 or cutmix_minmax is not None}). */
    public boolean mixing() {
        return mixup > 0 || cutmix > 0 || cutmixMinMax != null;
    }

    /** The batch mixer for {@code numClasses} classes; call only when {@link #mixing()}. */
    public MixupCutmix mixer(int numClasses) {
        // timm's Mixup(correct_lam=True) default
        return new MixupCutmix(
                mixup, cutmix, cutmixMinMax, mixupProb, mixupSwitchProb, true, labelSmoothing, numClasses);
    }
}
