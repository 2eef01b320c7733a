package io.visionstream.app;

import io.visionstream.inference.vit.GlobalPool;
import io.visionstream.training.Evaluation;
import io.visionstream.training.Family;
import io.visionstream.training.JointTrainer;
import io.visionstream.training.PosEmbedInit;
import io.visionstream.training.Recipe;
import io.visionstream.training.TrainConfig;
import io.visionstream.training.TrainListener;
import io.visionstream.training.TrainResult;
import io.visionstream.training.recipe.MixupCutmix;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./vision train}: trains a ViT or Swin backbone, its classifier and the UPerNet dense head jointly
 * on synthetic scenes and writes a model directory that {@code ./vision} can serve. Options whose default
 * depends on {@code --family} are null until {@link #config()} fills them in; the ones that do not apply
 * to a family are refused by {@link TrainConfig} when given.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Train backbone + classifier + dense head jointly on synthetic scenes (CPU or GPU via DJL).",
            "Writes a model directory (config.json + model.safetensors) at each evaluation and at the end."
        })
public final class TrainCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, description = "Model directory to write.")
    Path out;

    @Option(names = "--steps", defaultValue = "2000", description = "Optimiser steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(
            names = "--batch-size",
            defaultValue = "16",
            description = "Images per step, >= 2 (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(
            names = "--min-lr",
            defaultValue = "1e-5",
            description = "Learning rate at the last step (default: ${DEFAULT-VALUE}).")
    double minLr;

    @Option(
            names = "--weight-decay",
            defaultValue = "0.05",
            description =
                    "AdamW decoupled weight decay, not applied to biases, norms, tokens and position embedding (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(
            names = "--warmup-steps",
            defaultValue = "100",
            description = "Linear warm-up steps before the cosine decay (default: ${DEFAULT-VALUE}).")
    int warmupSteps;

    @Option(
            names = "--image-size",
            defaultValue = "64",
            description = "Square input side; scenes are rendered at this size (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(
            names = "--family",
            defaultValue = "vit",
            description = "Backbone: vit (one token stride, the head taps four blocks) or swin (four stages at"
                    + " strides P, 2P, 4P, 8P, the head on each) (default: ${DEFAULT-VALUE}).")
    String family;

    @Option(names = "--patch", description = "Patch side (default: 8 for vit, 4 for swin).")
    Integer patch;

    @Option(
            names = "--window",
            description = "Swin window side; each stage map must be a multiple of it or at most it (timm then"
                    + " shrinks the window to the map) (default: 4, swin only).")
    Integer window;

    @Option(
            names = "--depths",
            split = ",",
            paramLabel = "N",
            description = "Swin blocks per stage, four counts (default: 2,2,2,2, swin only).")
    List<Integer> depths;

    @Option(
            names = "--stem",
            defaultValue = "patch",
            description = "How pixels become tokens: patch (a --patch x --patch convolution) or conv (Xiao et al.'s"
                    + " convolutional stem, 3x3 stride-2 conv + BN + ReLU per --stem-channels width, then a 1x1"
                    + " conv to --dim; --patch must be its stride 2^n) (default: ${DEFAULT-VALUE}).")
    String stem;

    @Option(
            names = "--stem-channels",
            split = ",",
            paramLabel = "W",
            description = "Widths of the conv stem's stride-2 layers, e.g. 24,48,96 (with --stem conv).")
    List<Integer> stemChannels;

    @Option(
            names = "--dim",
            defaultValue = "96",
            description = "Embedding width; a Swin's first stage, doubling per stage (default: ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--depth", description = "ViT transformer blocks, >= 4 (default: 4, vit only).")
    Integer depth;

    @Option(
            names = "--heads",
            defaultValue = "3",
            description = "Attention heads; a Swin's first stage, doubling per stage as timm's (3 gives"
                    + " swin_tiny's 3,6,12,24) (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(
            names = "--head-channels",
            defaultValue = "32",
            description = "UPerNet decoder width (default: ${DEFAULT-VALUE}).")
    int headChannels;

    @Option(
            names = "--global-pool",
            description = "Classifier pooling: token ([CLS]) or avg (default: token for vit; a Swin pools avg).")
    String globalPool;

    @Option(
            names = "--pos-embed-init",
            defaultValue = "normal",
            description = "Start of a from-scratch position embedding: normal (timm's) or sincos (2-D sine-cosine,"
                    + " as MAE; still learned) (default: ${DEFAULT-VALUE}).")
    String posEmbedInit;

    @Option(
            names = "--classes",
            defaultValue = "5",
            description =
                    "Shape classes K of the scenes; the model has K + 1 with background (default: ${DEFAULT-VALUE}).")
    int classes;

    @Option(
            names = "--dense-loss-weight",
            defaultValue = "1.0",
            description = "Weight of the per-pixel loss (default: ${DEFAULT-VALUE}).")
    double denseLossWeight;

    @Option(
            names = "--clip-grad",
            defaultValue = "1.0",
            description = "Global gradient-norm clip, 0 for none (default: ${DEFAULT-VALUE}).")
    double clipGrad;

    @Option(
            names = "--head-lr-scale",
            defaultValue = "3.0",
            description = "Factor on the learning rate of the dense head, which starts from scratch on features"
                    + " that keep changing; at the backbone's rate it stalls on telling shapes apart (default:"
                    + " ${DEFAULT-VALUE}).")
    double headLrScale;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Training data and initialisation seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--eval-seed",
            defaultValue = "1000",
            description = "Held-out data seed, different from --seed (default: ${DEFAULT-VALUE}).")
    long evalSeed;

    @Option(
            names = "--eval-every",
            defaultValue = "500",
            description =
                    "Steps between held-out evaluations and checkpoints; 0 for only at the end (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(
            names = "--eval-images",
            defaultValue = "300",
            description = "Held-out images per evaluation (default: ${DEFAULT-VALUE}).")
    int evalImages;

    @Option(
            names = "--init-from",
            description =
                    "Model directory (timm or ours) whose tensors of matching name and shape initialise the model.")
    Path initFrom;

    @Option(
            names = "--label-smoothing",
            defaultValue = "0",
            description = "Label smoothing of the class targets, in [0, 1) (timm's; default: ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Option(
            names = "--mixup",
            defaultValue = "0",
            description = "Mixup Beta alpha, 0 off; mixes images, class targets and masks (default: ${DEFAULT-VALUE}).")
    double mixup;

    @Option(
            names = "--cutmix",
            defaultValue = "0",
            description = "CutMix Beta alpha, 0 off; pastes boxes of image and mask (default: ${DEFAULT-VALUE}).")
    double cutmix;

    @Option(
            names = "--cutmix-minmax",
            split = ",",
            paramLabel = "F",
            description = "CutMix box side bounds as fractions, e.g. 0.2,0.8; turns CutMix on with alpha 1.")
    List<Double> cutmixMinMax;

    @Option(
            names = "--mixup-prob",
            defaultValue = "1.0",
            description = "Probability that a batch is mixed (default: ${DEFAULT-VALUE}).")
    double mixupProb;

    @Option(
            names = "--mixup-switch-prob",
            defaultValue = "0.5",
            description = "Probability of CutMix rather than Mixup when both are on (default: ${DEFAULT-VALUE}).")
    double mixupSwitchProb;

    @Option(
            names = "--rand-augment",
            paramLabel = "SPEC",
            description = "RandAugment per scene, image and mask alike, e.g. m9-mstd0.5 (timm's rand-m9-mstd0.5).")
    String randAugment;

    @Option(
            names = "--drop-path",
            defaultValue = "0",
            description = "Stochastic depth at the last block, rising linearly from 0 (default: ${DEFAULT-VALUE}).")
    double dropPath;

    @Option(
            names = "--ema",
            defaultValue = "0",
            description = "Decay of a moving average of the weights, evaluated and saved instead of them, e.g."
                    + " 0.9998; 0 off (default: ${DEFAULT-VALUE}).")
    double ema;

    @Option(names = "--ema-warmup", description = "Warm the EMA decay up from 0 (timm's ModelEmaV3 use_warmup).")
    boolean emaWarmup;

    @Option(
            names = "--teacher",
            paramLabel = "DIR",
            description =
                    "Model directory of a teacher for DeiT hard distillation: the student gets a distillation"
                            + " token and head_dist, which learns the teacher's argmax, and is saved as a DeiT distilled model.")
    Path teacher;

    @Option(
            names = "--threads",
            defaultValue = "0",
            description =
                    "libtorch intra-op threads; 0 keeps libtorch's default. On a busy shared CPU, 1 is often much faster (default: ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws IOException {
        TrainConfig config = config();
        if (threads < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be >= 0, got " + threads);
        }
        if (threads > 0) {
            // read by DJL when the PyTorch engine starts, which has not happened yet in this process
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        TrainResult result = JointTrainer.train(config, new Progress(stdout, stderr));
        stdout.printf(
                Locale.ROOT,
                "trained %d steps (%d skipped for non-finite gradients) in %s (%.1f img/s); loss %.4f -> %.4f;"
                        + " wrote %s%n",
                result.steps(),
                result.skippedSteps(),
                duration(result.seconds()),
                result.imagesPerSecond(),
                result.firstLoss(),
                result.lastLoss(),
                result.dir());
        stdout.printf(Locale.ROOT, "held-out (seed %d): %s%n", config.evalSeed(), result.evaluation());
        stdout.printf(Locale.ROOT, "time %s%n", result.profile().describe());
        stdout.flush();
        return 0;
    }

    /**
     * The validated options.
     *
     * @throws CommandLine.ParameterException naming the bad option and value
     */
    TrainConfig config() {
        try {
            List<Integer> stemWidths = stemWidths();
            Family backbone = Family.parse(family);
            boolean swin = backbone == Family.SWIN;
            return new TrainConfig(
                    out,
                    steps,
                    batchSize,
                    lr,
                    minLr,
                    weightDecay,
                    warmupSteps,
                    imageSize,
                    patch != null ? patch : swin ? 4 : 8,
                    dim,
                    depth != null ? depth : swin ? 0 : 4,
                    heads,
                    headChannels,
                    classes,
                    seed,
                    evalSeed,
                    evalEvery,
                    evalImages,
                    initFrom,
                    denseLossWeight,
                    clipGrad,
                    headLrScale,
                    GlobalPool.fromTimm(globalPool != null ? globalPool : swin ? "avg" : "token"),
                    PosEmbedInit.parse(posEmbedInit),
                    stemWidths,
                    backbone,
                    depths != null ? depths : swin ? List.of(2, 2, 2, 2) : List.of(),
                    window != null ? window : swin ? 4 : 0,
                    new Recipe(
                            labelSmoothing,
                            mixup,
                            cutmix,
                            mixupProb,
                            mixupSwitchProb,
                            minMax(),
                            randAugment,
                            dropPath,
                            ema,
                            emaWarmup,
                            teacher));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** {@code --cutmix-minmax MIN,MAX}, or null when absent. */
    private MixupCutmix.MinMax minMax() {
        if (cutmixMinMax == null) {
            return null;
        }
        if (cutmixMinMax.size() != 2) {
            throw new IllegalArgumentException("--cutmix-minmax needs two fractions MIN,MAX, got " + cutmixMinMax);
        }
        return new MixupCutmix.MinMax(cutmixMinMax.get(0), cutmixMinMax.get(1));
    }

    /** The conv stem's widths for {@code --stem conv}, none for {@code --stem patch}. */
    private List<Integer> stemWidths() {
        switch (stem) {
            case "patch" -> {
                if (stemChannels != null) {
                    throw new IllegalArgumentException("--stem-channels needs --stem conv");
                }
                return List.of();
            }
            case "conv" -> {
                if (stemChannels == null || stemChannels.isEmpty()) {
                    throw new IllegalArgumentException("--stem conv needs --stem-channels, e.g. 24,48,96");
                }
                return stemChannels;
            }
            default -> throw new IllegalArgumentException("--stem must be patch or conv, got '" + stem + "'");
        }
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }

    /** One status line on stderr, rewritten in place; evaluations and checkpoints as lines on stdout. */
    private static final class Progress implements TrainListener {
        private final PrintWriter out;
        private final PrintWriter err;
        private final long started = System.nanoTime();
        private double lossEma = Double.NaN;

        Progress(PrintWriter out, PrintWriter err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public void onInfo(String line) {
            out.println(line);
            out.flush();
        }

        @Override
        public void onStep(StepStats s) {
            lossEma = Double.isNaN(lossEma) ? s.loss() : 0.95 * lossEma + 0.05 * s.loss();
            double elapsed = (System.nanoTime() - started) / 1e9;
            double eta = elapsed / s.step() * (s.totalSteps() - s.step());
            int width = 24;
            int filled = (int) ((long) width * s.step() / s.totalSteps());
            err.printf(
                    Locale.ROOT,
                    "\r[%s%s] %d/%d loss %.4f (cls %.3f dense %.3f) lr %.2e grad-norm %.2f %.1f img/s eta %s   ",
                    "=".repeat(filled),
                    " ".repeat(width - filled),
                    s.step(),
                    s.totalSteps(),
                    lossEma,
                    s.classLoss(),
                    s.denseLoss(),
                    s.lr(),
                    s.gradNorm(),
                    s.imagesPerSecond(),
                    duration(eta));
            err.flush();
        }

        @Override
        public void onEvaluation(int step, Evaluation.Result result) {
            err.println();
            err.flush();
            out.printf(Locale.ROOT, "step %d held-out %s%n", step, result);
            out.flush();
        }

        @Override
        public void onCheckpoint(int step, Path dir) {
            out.printf(Locale.ROOT, "step %d wrote %s%n", step, dir);
            out.flush();
        }
    }
}
