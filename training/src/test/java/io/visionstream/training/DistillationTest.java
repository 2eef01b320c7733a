package io.visionstream.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.image.Preprocessor;
import io.visionstream.inference.model.ModelDirectory;
import io.visionstream.inference.model.VisionModel;
import io.visionstream.inference.vit.VisionTransformer;
import io.visionstream.training.synthetic.SceneConfig;
import io.visionstream.training.synthetic.SyntheticScenes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DeiT hard-label distillation moves the student towards its teacher: the distillation head learns the
 * teacher's argmax, the class head the true labels.
 */
class DistillationTest {

    private static final int SIDE = 32;
    private static final int SHAPE_CLASSES = 3;
    /** The one class the teacher below answers, whatever the image. */
    private static final int TEACHERS_CLASS = 2;

    @TempDir
    Path dir;

    @Test
    void theDistillationHeadLearnsTheTeachersArgmaxAndTheClassHeadDoesNot() throws IOException {
        Path teacherDir = dir.resolve("teacher");
        JointTrainer.train(config(teacherDir, 1, Recipe.NONE), new TrainListener() {});
        answerAlways(teacherDir, TEACHERS_CLASS);
        Path studentDir = dir.resolve("student");
        Recipe distil = new Recipe(0, 0, 0, 1.0, 0.5, null, null, 0, 0, false, teacherDir);

        JointTrainer.train(config(studentDir, 30, distil), new TrainListener() {});

        double[] agreement = agreementWithTheTeacher(studentDir, 48);
        assertThat(agreement[1])
                .as("share of held-out images where head_dist answers the teacher's class")
                .isGreaterThanOrEqualTo(0.9);
        // the labels are near uniform over the shapes: the class head has no reason to follow the teacher
        assertThat(agreement[0])
                .as("share where the class head answers the teacher's class")
                .isLessThan(0.7);
    }

    /** Rewrites the model at {@code dir} so that its classifier answers {@code cls} for every image. */
    private static void answerAlways(Path dir, int cls) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            VisionModel teacher = ModelDirectory.load(dir, manager);
            Map<String, Parameter> params = teacher.checkpointParameters();
            Parameter weight = params.get("head.weight");
            Initialization.replace(
                    weight, new float[Math.toIntExact(weight.getShape().size())]);
            float[] bias = new float[SHAPE_CLASSES + 1];
            bias[cls] = 10f;
            Initialization.replace(params.get("head.bias"), bias);
            ModelDirectory.save(dir, teacher);
        }
    }

    /**
     * Shares of fresh scenes on which the student's class head and its distillation head pick {@link
     * #TEACHERS_CLASS}, each head read on its own (the pair timm returns in training).
     */
    private static double[] agreementWithTheTeacher(Path studentDir, int images) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            VisionModel student = ModelDirectory.load(studentDir, manager);
            ((VisionTransformer) student.backbone()).setDistilledTraining(true);
            Preprocessor preprocessor = new Preprocessor(student.preprocess());
            int perImage = student.preprocess().floatsPerImage();
            float[] pixels = new float[images * perImage];
            SyntheticScenes scenes = new SyntheticScenes(SceneConfig.defaults(SIDE, SIDE), 4242);
            for (int i = 0; i < images; i++) {
                preprocessor.preprocess(scenes.scene(i).image(), pixels, i * perImage);
            }
            int classes = SHAPE_CLASSES + 1;
            NDArray x = manager.create(pixels, new Shape(images, 3, SIDE, SIDE));
            NDArray both =
                    student.forward(new ParameterStore(manager, false), x, true).logits();
            int[] own = argmax(both.get(new NDIndex(":, :{}", classes)));
            int[] dist = argmax(both.get(new NDIndex(":, {}:", classes)));
            return new double[] {share(own), share(dist)};
        }
    }

    private static int[] argmax(NDArray logits) {
        return logits.argMax(1).toType(DataType.INT32, false).toIntArray();
    }

    private static double share(int[] answers) {
        long hits = Arrays.stream(answers).filter(a -> a == TEACHERS_CLASS).count();
        return (double) hits / answers.length;
    }

    /** A tiny ViT at a constant learning rate, eight images a step. */
    private static TrainConfig config(Path out, int steps, Recipe recipe) {
        return TinyConfigs.constantRate(out, steps, 8, recipe);
    }
}
