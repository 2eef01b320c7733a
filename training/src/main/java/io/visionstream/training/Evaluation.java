package io.visionstream.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.visionstream.inference.image.PreprocessConfig;
import io.visionstream.inference.image.Preprocessor;
import io.visionstream.inference.model.ModelDirectory;
import io.visionstream.inference.model.PredictionTensors;
import io.visionstream.inference.model.VisionModel;
import io.visionstream.training.synthetic.Scene;
import io.visionstream.training.synthetic.SceneConfig;
import io.visionstream.training.synthetic.SyntheticScenes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Held-out evaluation on synthetic scenes through the serving path: each scene's RGB is prepared by
 * the model's {@link Preprocessor}, the batch runs through {@link VisionModel#predict} (eval mode), and
 * the argmax of the logits and of the dense logits are compared with the scene's label and mask.
 *
 * <p>Top-1 is the fraction of images whose arg-max class equals {@link Scene#label()}. IoU of class
 * {@code c} is {@code TP / (TP + FP + FN)} over the pixels of the whole split (not averaged per image);
 * mIoU is the mean over the classes, background included, whose union is not empty. Stateless and
 * thread-safe as far as this class goes; the model's own rules apply (no concurrent training).
 */
public final class Evaluation {

    /** Images per forward pass. */
    public static final int DEFAULT_BATCH = 32;

    private Evaluation() {}

    /**
     * Evaluation results.
     *
     * @param images number of scenes evaluated
     * @param top1 classifier top-1 accuracy in [0, 1], NaN when the model has no classifier
     * @param meanIou mean IoU over classes with a non-empty union, NaN without a dense head
     * @param classIou IoU per class (index = mask value), NaN for a class absent from both prediction
     *     and ground truth; empty without a dense head
     */
    public record Result(int images, double top1, double meanIou, double[] classIou) {

        /** Copies the array. */
        public Result {
            classIou = classIou.clone();
        }

        @Override
        public double[] classIou() {
            return classIou.clone();
        }

        @Override
        public String toString() {
            StringBuilder per = new StringBuilder();
            for (double iou : classIou) {
                per.append(per.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", iou));
            }
            return String.format(
                    Locale.ROOT, "%d images: top-1 %.4f, mIoU %.4f, IoU per class [%s]", images, top1, meanIou, per);
        }
    }

    /**
     * Loads {@code modelDir} into its own manager, evaluates it and frees it.
     *
     * @throws IOException when the directory cannot be loaded (see {@link ModelDirectory#load})
     */
    public static Result run(Path modelDir, SceneConfig scenes, long seed, int n) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            return run(ModelDirectory.load(modelDir, manager), scenes, seed, n);
        }
    }

    /** {@link #run(VisionModel, SceneConfig, long, int, int)} in batches of {@link #DEFAULT_BATCH}. */
    public static Result run(VisionModel model, SceneConfig scenes, long seed, int n) {
        return run(model, scenes, seed, n, DEFAULT_BATCH);
    }

    /**
     * Evaluates scenes {@code 0 .. n-1} of {@code new SyntheticScenes(scenes, seed)}.
     *
     * @param n number of scenes, positive
     * @param batchSize images per forward pass, positive
     * @throws IllegalArgumentException when {@code n} or {@code batchSize} is not positive, when the
     *     model's dense head does not have {@code K + 1} classes, or when the preprocessing would crop the
     *     scenes (then the predicted map could not be laid back onto the mask)
     */
    public static Result run(VisionModel model, SceneConfig scenes, long seed, int n, int batchSize) {
        if (n <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException(
                    "evaluation needs n > 0 and batch size > 0, got " + n + ", " + batchSize);
        }
        int k = scenes.numClasses() + 1;
        boolean dense = model.headConfig().isPresent();
        if (dense && model.headConfig().get().numClasses() != k) {
            throw new IllegalArgumentException(
                    "dense_head.num_classes=" + model.headConfig().get().numClasses() + " but the scenes have " + k
                            + " classes (background + " + scenes.numClasses() + ")");
        }
        boolean classifier = model.backboneConfig().numClasses() > 0;
        PreprocessConfig pre = model.preprocess();
        Preprocessor preprocessor = new Preprocessor(pre);
        int[] resized = preprocessor.resizedSize(scenes.width(), scenes.height());
        if (resized[0] != pre.width() || resized[1] != pre.height()) {
            throw new IllegalArgumentException("scenes of " + scenes.width() + "x" + scenes.height()
                    + " would be resized to " + resized[0] + "x" + resized[1] + " and cropped to " + pre.width() + "x"
                    + pre.height() + "; evaluation needs scenes that preprocess without cropping");
        }
        SyntheticScenes data = new SyntheticScenes(scenes, seed);
        long[][] confusion = new long[k][k];
        int correct = 0;
        int perImage = pre.floatsPerImage();
        for (int start = 0; start < n; start += batchSize) {
            int b = Math.min(batchSize, n - start);
            Scene[] batch = new Scene[b];
            float[] pixels = new float[b * perImage];
            for (int i = 0; i < b; i++) {
                batch[i] = data.scene(start + i);
                preprocessor.preprocess(batch[i].image(), pixels, i * perImage);
            }
            try (NDManager manager = NDManager.newBaseManager()) {
                NDArray x = manager.create(pixels, new Shape(b, 3, pre.height(), pre.width()));
                PredictionTensors p = model.predict(x);
                if (classifier) {
                    long[] top = p.logits().argMax(1).toLongArray();
                    for (int i = 0; i < b; i++) {
                        if (top[i] == batch[i].label()) {
                            correct++;
                        }
                    }
                }
                if (dense) {
                    NDArray map = p.classMap();
                    if (pre.height() != scenes.height() || pre.width() != scenes.width()) {
                        map = VisionModel.resizeClassMap(map, scenes.height(), scenes.width());
                    }
                    long[] predicted = map.toLongArray();
                    int pixelsPerImage = scenes.width() * scenes.height();
                    for (int i = 0; i < b; i++) {
                        byte[] mask = batch[i].mask();
                        for (int j = 0; j < pixelsPerImage; j++) {
                            confusion[mask[j]][(int) predicted[i * pixelsPerImage + j]]++;
                        }
                    }
                }
            }
        }
        double top1 = classifier ? (double) correct / n : Double.NaN;
        if (!dense) {
            return new Result(n, top1, Double.NaN, new double[0]);
        }
        double[] iou = classIou(confusion);
        double mean = Arrays.stream(iou).filter(v -> !Double.isNaN(v)).average().orElse(Double.NaN);
        return new Result(n, top1, mean, iou);
    }

    /** Per-class IoU from a confusion matrix {@code [truth][predicted]}; NaN where the union is empty. */
    static double[] classIou(long[][] confusion) {
        int k = confusion.length;
        double[] iou = new double[k];
        for (int c = 0; c < k; c++) {
            long tp = confusion[c][c];
            long fn = 0;
            long fp = 0;
            for (int o = 0; o < k; o++) {
                if (o != c) {
                    fn += confusion[c][o];
                    fp += confusion[o][c];
                }
            }
            long union = tp + fn + fp;
            iou[c] = union == 0 ? Double.NaN : (double) tp / union;
        }
        return iou;
    }
}
