package io.visionstream.training;

import io.visionstream.inference.vit.GlobalPool;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

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
 *     (with a conv stem, its stride {@code 2^len(stemChannels)}); a Swin's first-stage stride, {@code
 *     imageSize} a multiple of {@code 8 * patch} so that its three patch mergings halve whole maps
 * @param dim embedding width ({@code --dim}); a Swin's first stage, stage {@code i} being {@code dim * 2^i}
 * @param depth a ViT's transformer blocks ({@code --depth}), at least 4 (the head taps four); 0 for a Swin
 * @param heads attention heads ({@code --heads}), dividing {@code dim}; a Swin's first stage, stage {@code
 *     i} having {@code heads * 2^i} (timm's rule for every registered Swin, so each divides its stage width)
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
 *     patch embedding ({@code --stem conv --stem-channels}); empty for the patch embedding; ViT only
 * @param family the backbone ({@code --family}); a Swin takes avg pooling and no conv stem, position
 *     embedding start or teacher
 * @param depths a Swin's blocks per stage ({@code --depths}), four positive counts (the head taps each
 *     stage); empty for a ViT
 * @param window a Swin's window side ({@code --window}), positive; each stage map must be a multiple of
 *     it or at most it (timm then shrinks the window to the map); 0 for a ViT
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
        Family family,
        List<Integer> depths,
        int window,
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
        Objects.requireNonNull(family, "--family");
        Objects.requireNonNull(depths, "--depths");
        Objects.requireNonNull(recipe, "recipe");
        stemChannels = List.copyOf(stemChannels);
        depths = List.copyOf(depths);
        if (family == Family.SWIN) {
            refuseViTOptions(depth, stemChannels, globalPool, posEmbedInit, recipe);
        } else {
            if (!depths.isEmpty()) {
                throw new IllegalArgumentException(
                        "--depths " + join(depths) + " needs --family swin; a ViT takes --depth");
            }
            if (window != 0) {
                throw new IllegalArgumentException("--window " + window + " needs --family swin");
            }
        }
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
        if (family == Family.SWIN) {
            swinShape(imageSize, patch, depths, window);
        } else {
            if (imageSize % patch != 0 || imageSize / patch < 2) {
                throw new IllegalArgumentException("--image-size " + imageSize + " must be a multiple of --patch "
                        + patch + " giving a grid of at least 2x2 patches");
            }
            if (depth < 4) {
                throw new IllegalArgumentException(
                        "--depth must be at least 4 (the dense head taps four blocks), got " + depth);
            }
        }
        positive("--dim", dim);
        positive("--heads", heads);
        if (dim % heads != 0) {
            // for a Swin this is every stage's test: dim * 2^i over heads * 2^i
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

    /** A ViT without the training recipe ({@link Recipe#NONE}). */
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
                Family.VIT,
                List.of(),
                0,
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
                family,
                depths,
                window,
                r);
    }

    /** What a Swin cannot take: the ViT's depth, conv stem, token pooling, position embedding or teacher. */
    private static void refuseViTOptions(
            int depth, List<Integer> stemChannels, GlobalPool globalPool, PosEmbedInit posEmbedInit, Recipe recipe) {
        if (depth != 0) {
            throw new IllegalArgumentException(
                    "--depth " + depth + " is for --family vit; a Swin takes --depths per stage, e.g. 2,2,2,2");
        }
        if (!stemChannels.isEmpty()) {
            throw new IllegalArgumentException("--stem conv needs --family vit; a Swin has its own patch embedding");
        }
        if (globalPool != GlobalPool.AVG) {
            throw new IllegalArgumentException("--global-pool " + globalPool.timmName()
                    + " needs --family vit; a Swin has no [CLS] token and pools avg");
        }
        if (posEmbedInit != PosEmbedInit.NORMAL) {
            throw new IllegalArgumentException(
                    "--pos-embed-init " + posEmbedInit.name().toLowerCase(Locale.ROOT)
                            + " needs --family vit; a Swin has no absolute position embedding");
        }
        if (recipe.teacher() != null) {
            throw new IllegalArgumentException(
                    "--teacher needs --family vit; DeiT distillation adds a token and head a Swin does not have");
        }
    }

    /**
     * A Swin's stages must tile: four of them, the image a multiple of {@code 8 * patch} (three exact
     * patch mergings), and each stage map a multiple of the window or at most it. timm would pad a map the
     * window does not divide; refusing it keeps every trained token a real one.
     */
    private static void swinShape(int imageSize, int patch, List<Integer> depths, int window) {
        if (depths.size() != 4 || depths.stream().anyMatch(d -> d == null || d < 1)) {
            throw new IllegalArgumentException("--depths must give four positive block counts, one per stage (the"
                    + " dense head taps each), got " + join(depths));
        }
        positive("--window", window);
        int stride = 8 * patch;
        if (imageSize % stride != 0) {
            throw new IllegalArgumentException("--image-size " + imageSize + " must be a multiple of 8 x --patch "
                    + patch + " = " + stride + " with --family swin (three patch mergings halve the map)");
        }
        for (int i = 0; i < depths.size(); i++) {
            int map = imageSize / patch >> i;
            if (map > window && map % window != 0) {
                throw new IllegalArgumentException("--window " + window + " does not tile stage " + i + "'s " + map
                        + "x" + map + " map (--image-size " + imageSize + " / --patch " + patch + " / 2^" + i
                        + "); use a window that divides " + map);
            }
        }
    }

    private static String join(List<Integer> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(","));
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
