package io.visionstream.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.heads.DenseHeadConfig;
import io.visionstream.inference.heads.UperNetHead;
import io.visionstream.inference.hybrid.ConvStemEmbed;
import io.visionstream.inference.image.DecodedImage;
import io.visionstream.inference.image.Interpolation;
import io.visionstream.inference.image.PreprocessConfig;
import io.visionstream.inference.image.Preprocessor;
import io.visionstream.inference.model.ModelDirectory;
import io.visionstream.inference.model.ModelOutputs;
import io.visionstream.inference.model.VisionModel;
import io.visionstream.inference.swin.SwinConfig;
import io.visionstream.inference.vit.VisionTransformer;
import io.visionstream.inference.vit.VitConfig;
import io.visionstream.training.recipe.MixupCutmix;
import io.visionstream.training.recipe.ModelEma;
import io.visionstream.training.recipe.RandAugment;
import io.visionstream.training.recipe.SoftTargets;
import io.visionstream.training.recipe.WeightDecayGroups;
import io.visionstream.training.synthetic.Scene;
import io.visionstream.training.synthetic.SceneConfig;
import io.visionstream.training.synthetic.SyntheticScenes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains a {@link VisionModel} (ViT or Swin backbone, classifier, UPerNet dense head) jointly on synthetic
 * scenes: loss = soft-target cross-entropy of the classifier logits against the scene label + {@code
 * denseLossWeight} x mean per-pixel cross-entropy of the dense logits (at input resolution) against the
 * mask; {@link AdamW} with timm's weight-decay groups; {@link LearningRateSchedule}. The {@link Recipe}
 * adds, each only when asked, RandAugment per scene (image and mask alike), label smoothing, batch
 * Mixup/CutMix (class targets and masks mixed alike), stochastic depth in the backbone's blocks, and an EMA of
 * the weights that is what gets evaluated and saved. Each step renders {@code batchSize} new scenes of the training
 * seed (scene indices {@code step * batchSize ..}) and prepares them with the model's own {@link
 * Preprocessor}, so training sees exactly what the server feeds. Every per-step array lives in a
 * sub-manager closed at the end of the step, so memory stays flat.
 *
 * <p>Not thread-safe; one run per instance of the JVM's PyTorch engine at a time (libtorch's gradient
 * mode is process-wide in DJL).
 */
public final class JointTrainer {

    /**
     * The timm architecture written to {@code config.json}; {@code model_args} override its size, as
     * timm's {@code create_model(name, **model_args)} would.
     */
    public static final String ARCHITECTURE = "vit_tiny_patch16_224";

    /**
     * The timm architecture of a {@code --family swin} model; {@code model_args} carry its size, window,
     * depths and heads.
     */
    public static final String SWIN_ARCHITECTURE = "swin_tiny_patch4_window7_224";

    /** The architecture of a student distilled from a {@code --teacher}: DeiT's, with {@code head_dist}. */
    public static final String DISTILLED_ARCHITECTURE = "deit_tiny_distilled_patch16_224";

    /** timm's {@code --distillation-alpha} default: the weight of the distillation head's loss. */
    private static final float DISTILLATION_ALPHA = 0.5f;

    /** ImageNet mean and std, timm's defaults, written to {@code pretrained_cfg}. */
    private static final double[] MEAN = {0.485, 0.456, 0.406};

    private static final double[] STD = {0.229, 0.224, 0.225};

    private static final int LOSS_WINDOW = 10;
    private static final int MAX_CONSECUTIVE_SKIPS = 5;

    private JointTrainer() {}

    /** The scenes a config trains and evaluates on: {@link SceneConfig#defaults} at the input size, K classes. */
    public static SceneConfig scenes(TrainConfig c) {
        SceneConfig d = SceneConfig.defaults(c.imageSize(), c.imageSize());
        return new SceneConfig(
                c.imageSize(),
                c.imageSize(),
                c.shapeClasses(),
                d.minDistractors(),
                d.maxDistractors(),
                d.noiseAmplitude());
    }

    /**
     * The uninitialised model a config describes: {@code K + 1} classes (background first) for both the
     * classifier and the head, and preprocessing that only normalises (scenes are rendered at the input
     * size; {@code crop_pct} 1). The backbone is
     *
     * <ul>
     *   <li>a ViT with the patch embedding or, with stem channels, Xiao et al.'s conv stem (saved as our
     *       {@code model_args} extension {@code stem: "conv"}, {@code stem_channels}), the head tapping the
     *       last block of each quarter through its feature pyramid neck;
     *   <li>or a Swin ({@link #SWIN_ARCHITECTURE} with {@code model_args}): widths {@code dim * 2^i} and
     *       heads {@code heads * 2^i} per stage, mlp ratio 4, the head on its four stages (strides {@code
     *       P * 2^i}) through mmseg's stage norms.
     * </ul>
     */
    public static VisionModel newModel(TrainConfig c) {
        List<String> classes = SyntheticScenes.classNames(c.shapeClasses());
        PreprocessConfig pre =
                new PreprocessConfig(c.imageSize(), c.imageSize(), 1.0, Interpolation.BILINEAR, MEAN, STD);
        if (c.family() == Family.SWIN) {
            return newSwin(c, classes, pre);
        }
        VitConfig backbone = VitConfig.of(c.imageSize(), c.patch(), c.dim(), c.depth(), c.heads(), classes.size())
                .withGlobalPool(c.globalPool(), null)
                .withDropPathRate(c.recipe().dropPath())
                .withDistilled(c.recipe().teacher() != null);
        if (!c.stemChannels().isEmpty()) {
            backbone = backbone.withEmbedLayer(new ConvStemEmbed(c.stemChannels()));
        }
        DenseHeadConfig head = new DenseHeadConfig(
                c.dim(),
                DenseHeadConfig.quarterBlockIndices(c.depth()),
                c.headChannels(),
                null,
                classes.size(),
                classes);
        String architecture = c.recipe().teacher() != null ? DISTILLED_ARCHITECTURE : ARCHITECTURE;
        return new VisionModel(backbone, head, architecture, pre, classes);
    }

    private static VisionModel newSwin(TrainConfig c, List<String> classes, PreprocessConfig pre) {
        int stages = c.depths().size();
        List<Integer> heads = new ArrayList<>(stages);
        List<Integer> widths = new ArrayList<>(stages);
        List<Integer> strides = new ArrayList<>(stages);
        List<Integer> indices = new ArrayList<>(stages);
        for (int i = 0; i < stages; i++) {
            heads.add(c.heads() << i);
            widths.add(c.dim() << i);
            strides.add(c.patch() << i);
            indices.add(i);
        }
        SwinConfig backbone = new SwinConfig(
                c.imageSize(),
                c.imageSize(),
                c.patch(),
                3,
                classes.size(),
                c.dim(),
                c.depths(),
                heads,
                c.window(),
                4.0,
                c.recipe().dropPath());
        DenseHeadConfig head =
                new DenseHeadConfig(widths, strides, indices, c.headChannels(), null, classes.size(), classes);
        return new VisionModel(backbone, head, SWIN_ARCHITECTURE, pre, classes);
    }

    /**
     * Runs the training described by {@code c}, writing the model directory {@code c.out()} at each
     * evaluation and at the end.
     *
     * @throws IOException when {@code --init-from} cannot be loaded or the output cannot be written
     * @throws IllegalStateException when the loss or gradient stops being finite
     */
    public static TrainResult train(TrainConfig c, TrainListener listener) throws IOException {
        long started = System.nanoTime();
        SceneConfig sceneConfig = scenes(c);
        Engine.getInstance().setRandomSeed((int) c.seed());
        try (NDManager root = NDManager.newBaseManager()) {
            VisionModel model = newModel(c);
            model.initialize(root);
            Map<String, Parameter> params = model.checkpointParameters();
            int grid = c.imageSize() / c.patch();
            Initialization.apply(params, c.seed(), c.posEmbedInit(), grid, grid);
            if (c.initFrom() != null) {
                initFrom(model, c, root, listener);
            }
            long count =
                    params.values().stream().mapToLong(p -> p.getShape().size()).sum();
            listener.onInfo(model + ", " + count + " parameters");
            Recipe recipe = c.recipe();
            AdamW optimizer = new AdamW(
                    params,
                    WeightDecayGroups.of(params).predicate(),
                    name -> name.startsWith(UperNetHead.PREFIX) ? c.headLrScale() : 1.0,
                    c.weightDecay(),
                    c.maxGradNorm(),
                    root);
            listener.onInfo("AdamW over " + optimizer.describe());
            // every recipe draw comes from the seed; augmentation and mixing get their own streams
            SplittableRandom recipeRandom = new SplittableRandom(c.seed());
            SplittableRandom augmentRandom = recipeRandom.split();
            SplittableRandom mixRandom = recipeRandom.split();
            RandAugment augment = recipe.randAugment() == null ? null : RandAugment.of(recipe.randAugment(), MEAN);
            ModelEma ema = recipe.ema() > 0 ? new ModelEma(params, recipe.ema(), recipe.emaWarmup(), root) : null;
            long updates = 0;
            VisionModel teacher = recipe.teacher() == null ? null : teacher(recipe, model, c, root, listener);
            LearningRateSchedule schedule = c.schedule();
            PreprocessConfig preConfig = model.preprocess();
            Preprocessor preprocessor = new Preprocessor(preConfig);
            SyntheticScenes data = new SyntheticScenes(sceneConfig, c.seed());
            int numClasses = sceneConfig.numClasses() + 1;
            MixupCutmix mixer = recipe.mixing() ? recipe.mixer(numClasses) : null;
            int b = c.batchSize();
            int side = c.imageSize();
            int perImage = preConfig.floatsPerImage();
            double[] losses = new double[c.steps()];
            double trainSeconds = 0;
            // nanoseconds per phase: scenes, forward, backward, optimizer, evaluation (see StepProfile)
            long[] phases = new long[5];
            Evaluation.Result last = null;
            int skipped = 0;
            int consecutiveSkips = 0;
            for (int step = 0; step < c.steps(); step++) {
                long t0 = System.nanoTime();
                double lr = schedule.at(step);
                float[] pixels = new float[b * perImage];
                int[] masks = new int[b * side * side];
                int[] labels = new int[b];
                for (int i = 0; i < b; i++) {
                    Scene scene = data.scene((long) step * b + i);
                    if (augment == null) {
                        preprocessor.preprocess(scene.image(), pixels, i * perImage);
                        labels[i] = scene.label();
                        byte[] mask = scene.mask();
                        for (int j = 0; j < mask.length; j++) {
                            masks[i * mask.length + j] = mask[j];
                        }
                    } else {
                        RandAugment.Augmented a = augment.apply(scene.rgb(), scene.mask(), side, side, augmentRandom);
                        preprocessor.preprocess(new DecodedImage(a.width(), a.height(), a.rgb()), pixels, i * perImage);
                        labels[i] = a.label(c.shapeClasses());
                        System.arraycopy(a.mask(), 0, masks, i * side * side, side * side);
                    }
                }
                // Mixup/CutMix mixes pixels and masks in place; without it the targets are (smoothed) one-hot
                MixupCutmix.Mixed mixed =
                        mixer == null ? null : mixer.apply(pixels, labels, masks, side, side, mixRandom);
                long tForward = System.nanoTime();
                phases[0] += tForward - t0;
                long tBackward;
                long tOptimizer;
                double total;
                double classLoss;
                double denseLoss;
                double gradNorm;
                try (NDManager stepManager = root.newSubManager()) {
                    NDArray x = stepManager.create(pixels, new Shape(b, 3, side, side));
                    NDArray classTargets;
                    NDArray denseTargets;
                    if (mixed != null) {
                        classTargets = mixed.classTargets(stepManager);
                        denseTargets = mixed.denseTargets(stepManager, numClasses);
                    } else {
                        classTargets = SoftTargets.array(
                                stepManager,
                                SoftTargets.smooth(labels, numClasses, recipe.labelSmoothing()),
                                numClasses);
                        NDArray m = stepManager.create(masks, new Shape(b, side, side));
                        denseTargets = SoftTargets.denseTargets(m, null, 1.0, numClasses);
                    }
                    // DeiT hard distillation: the teacher's argmax on the same (mixed) images, outside the graph
                    NDArray teacherTargets = teacher == null
                            ? null
                            : SoftTargets.array(
                                    stepManager,
                                    SoftTargets.smooth(
                                            teacher.forward(new ParameterStore(stepManager, false), x, false)
                                                    .logits()
                                                    .argMax(1)
                                                    .toType(DataType.INT32, false)
                                                    .toIntArray(),
                                            numClasses,
                                            0),
                                    numClasses);
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        ModelOutputs out = model.forward(new ParameterStore(stepManager, false), x, true);
                        NDArray cls;
                        if (teacher == null) {
                            cls = SoftTargets.crossEntropy(out.logits(), classTargets);
                        } else {
                            // base_loss * (1 - alpha) + F.cross_entropy(outputs_kd, teacher.argmax(1)) * alpha
                            NDArray both = out.logits();
                            NDArray own =
                                    SoftTargets.crossEntropy(both.get(new NDIndex(":, :{}", numClasses)), classTargets);
                            NDArray kd = SoftTargets.crossEntropy(
                                    both.get(new NDIndex(":, {}:", numClasses)), teacherTargets);
                            NDArray alpha = stepManager.ones(new Shape()).muli(DISTILLATION_ALPHA);
                            NDArray rest = stepManager.ones(new Shape()).muli(1 - DISTILLATION_ALPHA);
                            cls = own.mul(rest).add(kd.mul(alpha));
                        }
                        NDArray dense = SoftTargets.denseCrossEntropy(out.denseLogits(), denseTargets);
                        // the weight as a libtorch-allocated scalar: see Attention (autograd keeps it)
                        NDArray weight = stepManager.ones(new Shape()).muli((float) c.denseLossWeight());
                        NDArray loss = cls.add(dense.mul(weight));
                        tBackward = System.nanoTime();
                        collector.backward(loss);
                        total = loss.getFloat();
                        classLoss = cls.getFloat();
                        denseLoss = dense.getFloat();
                    }
                    if (!Double.isFinite(total)) {
                        throw new IllegalStateException("loss is " + total + " at step " + (step + 1) + "; lower --lr");
                    }
                    tOptimizer = System.nanoTime();
                    gradNorm = optimizer.step(lr, stepManager);
                }
                if (Double.isNaN(gradNorm)) {
                    skipped++;
                    consecutiveSkips++;
                    listener.onInfo("step " + (step + 1) + ": gradient not finite for "
                            + summarise(optimizer.lastNonFinite()) + " (loss " + total + "); update skipped");
                    if (consecutiveSkips >= MAX_CONSECUTIVE_SKIPS) {
                        throw new IllegalStateException(consecutiveSkips
                                + " consecutive steps had non-finite gradients; lower --lr or --clip-grad");
                    }
                } else {
                    consecutiveSkips = 0;
                    if (ema != null) {
                        ema.update(++updates);
                    }
                }
                long tEnd = System.nanoTime();
                phases[1] += tBackward - tForward;
                phases[2] += tOptimizer - tBackward;
                phases[3] += tEnd - tOptimizer;
                double seconds = (tEnd - t0) / 1e9;
                trainSeconds += seconds;
                losses[step] = total;
                listener.onStep(new TrainListener.StepStats(
                        step + 1, c.steps(), total, classLoss, denseLoss, lr, gradNorm, b / seconds));
                boolean end = step + 1 == c.steps();
                if (end || (c.evalEvery() > 0 && (step + 1) % c.evalEvery() == 0)) {
                    long tEvaluation = System.nanoTime();
                    // with --ema the averaged weights are the model that is evaluated and saved (timm)
                    try (ModelEma.Swap swap = ema == null ? null : ema.swapIn()) {
                        last = Evaluation.run(model, sceneConfig, c.evalSeed(), c.evalImages());
                        listener.onEvaluation(step + 1, last);
                        ModelDirectory.save(c.out(), model);
                    }
                    phases[4] += System.nanoTime() - tEvaluation;
                    listener.onCheckpoint(step + 1, c.out());
                }
            }
            if (ema != null) {
                ema.close();
            }
            int window = Math.min(LOSS_WINDOW, c.steps());
            return new TrainResult(
                    c.out(),
                    c.steps(),
                    (System.nanoTime() - started) / 1e9,
                    (double) b * c.steps() / trainSeconds,
                    mean(losses, 0, window),
                    mean(losses, c.steps() - window, c.steps()),
                    skipped,
                    last,
                    new StepProfile(
                            c.steps(),
                            b,
                            phases[0] / 1e9,
                            phases[1] / 1e9,
                            phases[2] / 1e9,
                            phases[3] / 1e9,
                            phases[4] / 1e9));
        }
    }

    /**
     * Loads the {@code --teacher} for evaluation-mode forwards at the student's input size and switches
     * the student's ViT to returning both heads in training.
     *
     * @throws IllegalArgumentException when the teacher's classes differ from the student's
     */
    private static VisionModel teacher(
            Recipe recipe, VisionModel student, TrainConfig c, NDManager root, TrainListener listener)
            throws IOException {
        VisionModel teacher = ModelDirectory.load(recipe.teacher(), root, c.imageSize(), c.imageSize());
        int classes = student.backboneConfig().numClasses();
        if (teacher.backboneConfig().numClasses() != classes) {
            throw new IllegalArgumentException("--teacher " + recipe.teacher() + " has "
                    + teacher.backboneConfig().numClasses() + " classes, the student " + classes
                    + "; train it with the same --classes");
        }
        ((VisionTransformer) student.backbone()).setDistilledTraining(true);
        listener.onInfo("distilling from " + recipe.teacher() + " (" + teacher.backbone() + "), hard labels");
        return teacher;
    }

    /** Copies every tensor of the {@code --init-from} model whose name and shape match; reports the rest. */
    private static void initFrom(VisionModel model, TrainConfig c, NDManager root, TrainListener listener)
            throws IOException {
        try (NDManager scratch = root.newSubManager()) {
            VisionModel source = ModelDirectory.load(c.initFrom(), scratch, c.imageSize(), c.imageSize());
            Map<String, Parameter> from = source.checkpointParameters();
            List<String> fresh = new ArrayList<>();
            int copied = 0;
            for (Map.Entry<String, Parameter> e : model.checkpointParameters().entrySet()) {
                Parameter src = from.get(e.getKey());
                if (src != null && src.getShape().equals(e.getValue().getShape())) {
                    Initialization.replace(e.getValue(), src.getArray().toFloatArray());
                    copied++;
                } else {
                    fresh.add(e.getKey());
                }
            }
            if (copied == 0) {
                String shape = c.family() == Family.SWIN
                        ? "--patch, --dim, --depths, --heads and --window"
                        : "--patch, --dim, --depth and --heads";
                throw new IllegalArgumentException("--init-from " + c.initFrom() + " (" + source.backbone()
                        + ") shares no tensor with the model to train (" + model.backbone() + "); match " + shape
                        + " to it");
            }
            listener.onInfo("initialised " + copied + " tensors from " + c.initFrom() + "; " + fresh.size()
                    + " start fresh" + (fresh.isEmpty() ? "" : ": " + summarise(fresh)));
        }
    }

    private static String summarise(List<String> names) {
        return names.size() <= 6 ? names.toString() : names.subList(0, 6) + " and " + (names.size() - 6) + " more";
    }

    private static double mean(double[] values, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += values[i];
        }
        return sum / (to - from);
    }
}
