package io.visionstream.training;

import io.visionstream.inference.vit.GlobalPool;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Options of a joint training run; keys are the {@code ./vision train} option names.
 *
 * @param out model directory written at each evaluation and at the end ({@code --out})
 * @param steps optimiser steps ({@code --steps}), positive
 * @param batchSize images per step ({@code --batch-size}), at least 2 (the dense head's batch norms)
 * @param lr peak learning rate ({@code --lr}), positive
 * @param minLr learning rate at the last step ({@code --min-lr}), in {@code [0, lr]}
 * @param weightDecay AdamW decoupled weight decay ({@code --weight-decay}), {@code >= 0}
 * @param warmupSteps linear warm-up steps ({@code --warmup-steps}), {@code 0..steps}
 * @param imageSize square input side in pixels; scenes are rendered at this size ({@code --image-size})
 * @param patch patch side ({@code --patch}), the token stride; {@code imageSize / patch} must be at least 2
 *     (with a conv stem, its stride {@code 2^len(stemChannels)})
 * @param dim embedding width ({@code --dim})
 * @param depth transformer blocks ({@code --depth}), at least 4 (the head taps four)
 * @param heads attention heads ({@code --heads}), dividing {@code dim}
 * @param headChannels UPerNet width ({@code --head-channels})
 * @param shapeClasses K shape classes of the scenes ({@code --classes}); the model has K + 1 classes
 * @param seed training data and initialisation seed ({@code --seed})
 * @param evalSeed held-out data seed ({@code --eval-seed}), different from {@code seed}
 * @param evalEvery steps between evaluations ({@code --eval-every}), 0 for only at the end
 * @param evalImages held-out images per evaluation ({@code --eval-images}), positive
 * @param initFrom model directory to start the backbone from ({@code --init-from}), or null
 * @param denseLossWeight weight of the per-pixel loss in the sum ({@code --dense-loss-weight}), {@code >= 0}
 * @param maxGradNorm global gradient-norm clip ({@code --clip-grad}), 0 for none
 * @param headLrScale factor on the learning rate of the dense head ({@code decode_head.*}, {@code
 *     --head-lr-scale}), positive
 * @param globalPool how the classifier pools tokens ({@code --global-pool}): the [CLS] token ({@code
 *     token}, timm's default) or the mean of the patch tokens ({@code avg}, with {@code fc_norm})
 * @param posEmbedInit how a from-scratch position embedding starts ({@code --pos-embed-init})
 * @param stemChannels widths of Xiao et al.'s convolutional stem, stride-2 3x3 layers in place of the
 *     patch embedding ({@code --stem conv --stem-channels}); empty for the patch embedding
 * @param recipe timm's regularisation and augmentation options, {@link Recipe#NONE} for none
 */
public record TrainConfig(
        Path out,
        int steps,
        int batchSize,
        double lr,
        double minLr,
        double weightDecay,
        int warmupSteps,
        int imageSize,
        int patch,
        int dim,
        int depth,
        int heads,
        int headChannels,
        int shapeClasses,
        long seed,
        long evalSeed,
        int evalEvery,
        int evalImages,
        Path initFrom,
        double denseLossWeight,
        double maxGradNorm,
        double headLrScale,
        GlobalPool globalPool,
        PosEmbedInit posEmbedInit,
        List<Integer> stemChannels,
        Recipe recipe) {

    /**
     * Validates every option.
     *
     * @throws IllegalArgumentException naming the option and value
     */
    public TrainConfig {
        Objects.requireNonNull(out, "--out");
        Objects.requireNonNull(globalPool, "--global-pool");
        Objects.requireNonNull(posEmbedInit, "--pos-embed-init");
        Objects.requireNonNull(stemChannels, "--stem-channels");
        Objects.requireNonNull(recipe, "recipe");
        stemChannels = List.copyOf(stemChannels);
        for (int c : stemChannels) {
            if (c <= 0) {
                throw new IllegalArgumentException("--stem-channels must be positive widths, got " + stemChannels);
            }
        }
        if (!stemChannels.isEmpty() && patch != 1 << stemChannels.size()) {
            throw new IllegalArgumentException("--patch " + patch + " must be the conv stem's stride 2^"
                    + stemChannels.size() + " = " + (1 << stemChannels.size()) + " for --stem-channels "
                    + stemChannels);
        }
        positive("--steps", steps);
        if (batchSize < 2) {
            throw new IllegalArgumentException(
                    "--batch-size must be at least 2 (batch norm in the dense head), got " + batchSize);
        }
        if (recipe.mixing() && batchSize % 2 != 0) {
            throw new IllegalArgumentException(
                    "--batch-size must be even with --mixup/--cutmix (timm pairs each image with its mirror), got "
                            + batchSize);
        }
        new LearningRateSchedule(lr, minLr, warmupSteps, steps); // validates --lr, --min-lr, --warmup-steps
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("--weight-decay must be >= 0, got " + weightDecay);
        }
        positive("--image-size", imageSize);
        positive("--patch", patch);
        if (imageSize % patch != 0 || imageSize / patch < 2) {
            throw new IllegalArgumentException("--image-size " + imageSize + " must be a multiple of --patch " + patch
                    + " giving a grid of at least 2x2 patches");
        }
        positive("--dim", dim);
        if (depth < 4) {
            throw new IllegalArgumentException(
                    "--depth must be at least 4 (the dense head taps four blocks), got " + depth);
        }
        positive("--heads", heads);
        if (dim % heads != 0) {
            throw new IllegalArgumentException("--dim " + dim + " is not divisible by --heads " + heads);
        }
        if (posEmbedInit == PosEmbedInit.SINCOS && dim % 4 != 0) {
            throw new IllegalArgumentException("--pos-embed-init sincos needs --dim divisible by 4, got " + dim);
        }
        positive("--head-channels", headChannels);
        positive("--classes", shapeClasses);
        if (seed == evalSeed) {
            throw new IllegalArgumentException("--eval-seed must differ from --seed (" + seed + ") to hold data out");
        }
        if (evalEvery < 0) {
            throw new IllegalArgumentException("--eval-every must be >= 0, got " + evalEvery);
        }
        positive("--eval-images", evalImages);
        if (!(denseLossWeight >= 0)) {
            throw new IllegalArgumentException("--dense-loss-weight must be >= 0, got " + denseLossWeight);
        }
        if (!(headLrScale > 0) || !Double.isFinite(headLrScale)) {
            throw new IllegalArgumentException("--head-lr-scale must be positive, got " + headLrScale);
        }
        if (!(maxGradNorm >= 0)) {
            throw new IllegalArgumentException("--clip-grad must be >= 0, got " + maxGradNorm);
        }
    }

    /** Without the training recipe ({@link Recipe#NONE}). */
    public TrainConfig(
            Path out,
            int steps,
            int batchSize,
            double lr,
            double minLr,
            double weightDecay,
            int warmupSteps,
            int imageSize,
            int patch,
            int dim,
            int depth,
            int heads,
            int headChannels,
            int shapeClasses,
            long seed,
            long evalSeed,
            int evalEvery,
            int evalImages,
            Path initFrom,
            double denseLossWeight,
            double maxGradNorm,
            double headLrScale,
            GlobalPool globalPool,
            PosEmbedInit posEmbedInit,
            List<Integer> stemChannels) {
        this(
                out,
                steps,
                batchSize,
                lr,
                minLr,
                weightDecay,
                warmupSteps,
                imageSize,
                patch,
                dim,
                depth,
                heads,
                headChannels,
                shapeClasses,
                seed,
                evalSeed,
                evalEvery,
                evalImages,
                initFrom,
                denseLossWeight,
                maxGradNorm,
                headLrScale,
                globalPool,
                posEmbedInit,
                stemChannels,
                Recipe.NONE);
    }

    /** A copy with another recipe. */
    public TrainConfig withRecipe(Recipe r) {
        return new TrainConfig(
                out,
                steps,
                batchSize,
                lr,
                minLr,
                weightDecay,
                warmupSteps,
                imageSize,
                patch,
                dim,
                depth,
                heads,
                headChannels,
                shapeClasses,
                seed,
                evalSeed,
                evalEvery,
                evalImages,
                initFrom,
                denseLossWeight,
                maxGradNorm,
                headLrScale,
                globalPool,
                posEmbedInit,
                stemChannels,
                r);
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
    }

    /** The learning-rate schedule these options describe. */
    public LearningRateSchedule schedule() {
        return new LearningRateSchedule(lr, minLr, warmupSteps, steps);
    }
}
