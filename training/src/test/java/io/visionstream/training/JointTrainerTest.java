package io.visionstream.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.visionstream.inference.hybrid.ConvStemEmbed;
import io.visionstream.inference.model.ModelDirectory;
import io.visionstream.inference.model.VisionModel;
import io.visionstream.inference.swin.SwinConfig;
import io.visionstream.inference.vit.GlobalPool;
import io.visionstream.inference.vit.VitConfig;
import io.visionstream.training.recipe.WeightDecayGroups;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JointTrainerTest {

    @TempDir
    Path dir;

    private TrainConfig tiny(int steps, int evalEvery) {
        return tiny(steps, evalEvery, List.of());
    }

    private TrainConfig tiny(int steps, int evalEvery, List<Integer> stemChannels) {
        return new TrainConfig(
                dir.resolve("model"),
                steps,
                4,
                5e-3,
                1e-5,
                0.05,
                2,
                32,
                8,
                16,
                4,
                2,
                8,
                3,
                1,
                2,
                evalEvery,
                8,
                null,
                1.0,
                1.0,
                1.0,
                GlobalPool.TOKEN,
                PosEmbedInit.NORMAL,
                stemChannels);
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    @Test
    void shortRunOnATinyModelLowersTheLoss() throws IOException {
        List<Double> dense = new ArrayList<>();
        TrainResult result = JointTrainer.train(tiny(30, 0), new TrainListener() {
            @Override
            public void onStep(StepStats stats) {
                dense.add(stats.denseLoss());
            }
        });

        assertThat(dense).hasSize(30);
        assertThat(mean(dense.subList(25, 30)))
                .as("per-pixel loss of the last 5 steps vs the first 5 (%s)", dense.subList(0, 5))
                .isLessThan(0.85 * mean(dense.subList(0, 5)));
        assertThat(result.lastLoss()).isLessThan(result.firstLoss());
    }

    @Test
    void writesALoadableModelDirectoryWithClassNamesAndEvaluates() throws IOException {
        List<Integer> evaluatedAt = new ArrayList<>();
        TrainResult result = JointTrainer.train(tiny(4, 2), new TrainListener() {
            @Override
            public void onEvaluation(int step, io.visionstream.training.Evaluation.Result r) {
                evaluatedAt.add(step);
            }
        });

        assertThat(evaluatedAt).containsExactly(2, 4);
        assertThat(result.evaluation().images()).isEqualTo(8);
        StepProfile profile = result.profile();
        assertThat(profile.steps()).isEqualTo(4);
        assertThat(List.of(
                        profile.scenesSeconds(),
                        profile.forwardSeconds(),
                        profile.backwardSeconds(),
                        profile.optimizerSeconds(),
                        profile.evaluationSeconds()))
                .as("every phase took some time")
                .allSatisfy(seconds -> assertThat(seconds).isPositive());
        assertThat(profile.stepSeconds() + profile.evaluationSeconds()).isLessThanOrEqualTo(result.seconds());
        assertThat(profile.describe()).contains("scenes ", "forward ", "backward ", "optimizer ", "img/s");
        try (NDManager manager = NDManager.newBaseManager()) {
            VisionModel model = ModelDirectory.load(dir.resolve("model"), manager);
            assertThat(model.labelNames()).containsExactly("background", "circle", "square", "triangle");
            assertThat(model.headConfig().orElseThrow().classNames()).isEqualTo(model.labelNames());
            assertThat(model.preprocess().cropPct()).isEqualTo(1.0);
            assertThat(model.preprocess().height()).isEqualTo(32);
        }
    }

    @Test
    void aConvStemModelSavesAndReloadsWithItsDenseHead() throws IOException {
        TrainConfig config = tiny(2, 0, List.of(8, 16, 16));
        TrainResult result = JointTrainer.train(config, new TrainListener() {});

        try (NDManager manager = NDManager.newBaseManager()) {
            VisionModel model = ModelDirectory.load(dir.resolve("model"), manager);

            VitConfig backbone = (VitConfig) model.backboneConfig();
            assertThat(backbone.embedLayer()).isEqualTo(new ConvStemEmbed(List.of(8, 16, 16)));
            assertThat(model.headConfig().orElseThrow().featureIndices()).containsExactly(0, 1, 2, 3);
            assertThat(model.headConfig().orElseThrow().inStrides()).containsExactly(8, 8, 8, 8);
            assertThat(model.checkpointParameters())
                    .containsKeys(
                            "patch_embed.backbone.0.conv.weight",
                            "patch_embed.backbone.2.bn.running_var",
                            "patch_embed.backbone.3.conv.bias",
                            "decode_head.conv_seg.weight")
                    .doesNotContainKey("patch_embed.proj.weight");
            assertThat(Files.readString(dir.resolve("model/config.json")))
                    .contains("\"stem\" : \"conv\"")
                    .contains("\"first_conv\" : \"patch_embed.backbone.0.conv\"");
            // the reloaded model is the trained one: the same held-out scenes give the same metrics
            Evaluation.Result again =
                    Evaluation.run(model, JointTrainer.scenes(config), config.evalSeed(), config.evalImages());
            assertThat(again.top1()).isEqualTo(result.evaluation().top1());
            assertThat(again.meanIou()).isEqualTo(result.evaluation().meanIou());
        }
    }

    @Test
    void aConvStemNeedsThePatchToBeItsStride() {
        assertThatThrownBy(() -> tiny(2, 0, List.of(8, 16)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--patch 8 must be the conv stem's stride 2^2 = 4 for --stem-channels [8, 16]");
    }

    @Test
    void rejectsTheSameSeedForTrainingAndHeldOutData() {
        assertThatThrownBy(() -> new TrainConfig(
                        dir,
                        10,
                        4,
                        1e-3,
                        0,
                        0,
                        0,
                        32,
                        8,
                        32,
                        4,
                        2,
                        8,
                        3,
                        7,
                        7,
                        0,
                        8,
                        null,
                        1.0,
                        1.0,
                        1.0,
                        GlobalPool.TOKEN,
                        PosEmbedInit.NORMAL,
                        List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--eval-seed must differ from --seed (7) to hold data out");
    }

    /** Tiny run at a constant learning rate (so step 1 does not depend on the run length). */
    private TrainConfig tiny(Path out, int steps, int batchSize, Recipe recipe) {
        return TinyConfigs.constantRate(out, steps, batchSize, recipe);
    }

    private static final Recipe WHOLE = new Recipe(0.1, 0.8, 1.0, 1.0, 0.5, null, "m9-mstd0.5", 0.1, 0.99, true);

    @Test
    void theWholeRecipeOnATinyModelGivesAFiniteLossThatDecreases() throws IOException {
        List<Double> losses = new ArrayList<>();
        TrainResult result = JointTrainer.train(tiny(dir.resolve("model"), 30, 4, WHOLE), new TrainListener() {
            @Override
            public void onStep(StepStats stats) {
                losses.add(stats.loss());
            }
        });

        assertThat(losses).hasSize(30).allSatisfy(l -> assertThat(l).isFinite());
        assertThat(result.skippedSteps()).isZero();
        assertThat(mean(losses.subList(20, 30)))
                .as("loss of the last 10 steps vs the first 10 (%s)", losses.subList(0, 10))
                .isLessThan(mean(losses.subList(0, 10)));
        assertThat(result.evaluation()).isNotNull();
    }

    @Test
    void withEmaTheAveragedWeightsAreSavedNotTheLiveOnes() throws IOException {
        // decay(1) = 0 copies the weights after update 1; at 0.9998 updates 2 and 3 barely move them
        Recipe ema = new Recipe(0, 0, 0, 1.0, 0.5, null, null, 0, 0.9998, false);
        JointTrainer.train(tiny(dir.resolve("ema3"), 3, 4, ema), new TrainListener() {});
        JointTrainer.train(tiny(dir.resolve("live3"), 3, 4, Recipe.NONE), new TrainListener() {});
        JointTrainer.train(tiny(dir.resolve("live1"), 1, 4, Recipe.NONE), new TrainListener() {});

        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, float[]> ema3 = weights(dir.resolve("ema3"), manager);
            Map<String, float[]> live3 = weights(dir.resolve("live3"), manager);
            Map<String, float[]> live1 = weights(dir.resolve("live1"), manager);
            String name = "blocks.0.attn.qkv.weight";
            assertThat(maxAbsDiff(ema3.get(name), live3.get(name)))
                    .as("saved EMA vs the live weights after 3 steps")
                    .isGreaterThan(1e-3);
            for (String key : List.of(name, "head.weight", "decode_head.conv_seg.weight")) {
                assertThat(maxAbsDiff(ema3.get(key), live1.get(key)))
                        .as("saved EMA vs the weights after the first update, " + key)
                        .isLessThan(1e-4);
            }
        }
    }

    private static Map<String, float[]> weights(Path model, NDManager manager) throws IOException {
        Map<String, float[]> out = new java.util.HashMap<>();
        ModelDirectory.load(model, manager)
                .checkpointParameters()
                .forEach((k, p) -> out.put(k, p.getArray().toFloatArray()));
        return out;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    @Test
    void aStudentDistilledFromATeacherSavesAndReloadsAsADeitDistilledModel() throws IOException {
        Path teacherDir = dir.resolve("teacher");
        JointTrainer.train(tiny(teacherDir, 2, 4, Recipe.NONE), new TrainListener() {});
        Recipe distil = new Recipe(0, 0, 0, 1.0, 0.5, null, null, 0, 0, false, teacherDir);
        TrainConfig config = tiny(dir.resolve("student"), 4, 4, distil);
        List<Double> losses = new ArrayList<>();
        TrainResult result = JointTrainer.train(config, new TrainListener() {
            @Override
            public void onStep(StepStats stats) {
                losses.add(stats.classLoss());
            }
        });

        assertThat(losses).allSatisfy(l -> assertThat(l).isFinite());
        assertThat(Files.readString(dir.resolve("student/config.json")))
                .contains("\"architecture\" : \"" + JointTrainer.DISTILLED_ARCHITECTURE + "\"");
        try (NDManager manager = NDManager.newBaseManager()) {
            VisionModel student = ModelDirectory.load(dir.resolve("student"), manager);
            assertThat(((VitConfig) student.backboneConfig()).distilled()).isTrue();
            assertThat(student.checkpointParameters()).containsKeys("dist_token", "head_dist.weight", "head_dist.bias");
            // the reloaded model (heads averaged in evaluation) is the trained one
            Evaluation.Result again =
                    Evaluation.run(student, JointTrainer.scenes(config), config.evalSeed(), config.evalImages());
            assertThat(again.top1()).isEqualTo(result.evaluation().top1());
        }
    }

    @Test
    void aTeacherWithOtherClassesIsRefused() throws IOException {
        Path teacherDir = dir.resolve("teacher");
        TrainConfig teacher = tiny(teacherDir, 1, 4, Recipe.NONE);
        JointTrainer.train(
                new TrainConfig(
                        teacherDir,
                        1,
                        4,
                        5e-3,
                        5e-3,
                        0.05,
                        0,
                        32,
                        8,
                        16,
                        4,
                        2,
                        8,
                        2,
                        1,
                        2,
                        0,
                        8,
                        null,
                        1.0,
                        1.0,
                        1.0,
                        GlobalPool.TOKEN,
                        PosEmbedInit.NORMAL,
                        List.of()),
                new TrainListener() {});
        Recipe distil = new Recipe(0, 0, 0, 1.0, 0.5, null, null, 0, 0, false, teacherDir);
        assertThat(teacher.shapeClasses()).isEqualTo(3);
        assertThatThrownBy(() -> JointTrainer.train(tiny(dir.resolve("student"), 1, 4, distil), new TrainListener() {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "--teacher " + teacherDir + " has 3 classes, the student 4; train it with the same --classes");
    }

    @Test
    void mixingRefusesAnOddBatch() {
        Recipe cutmix = new Recipe(0, 0, 1.0, 1.0, 0.5, null, null, 0, 0, false);
        assertThatThrownBy(() -> tiny(dir, 2, 5, cutmix))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--batch-size must be even with --mixup/--cutmix (timm pairs each image with its mirror),"
                        + " got 5");
        assertThat(tiny(dir, 2, 5, Recipe.NONE).batchSize()).isEqualTo(5);
    }

    @Test
    void aDropPathRateReachesTheModel() {
        Recipe dropPath = new Recipe(0, 0, 0, 1.0, 0.5, null, null, 0.1, 0, false);
        VitConfig backbone =
                (VitConfig) JointTrainer.newModel(tiny(dir, 2, 4, dropPath)).backboneConfig();
        assertThat(backbone.dropPathRate()).isEqualTo(0.1);
        assertThat(((VitConfig) JointTrainer.newModel(tiny(dir, 2, 4, Recipe.NONE))
                                .backboneConfig())
                        .dropPathRate())
                .isZero();
    }

    @Test
    void rejectsABatchOfOne() {
        assertThatThrownBy(() -> new TrainConfig(
                        dir,
                        10,
                        1,
                        1e-3,
                        0,
                        0,
                        0,
                        32,
                        8,
                        32,
                        4,
                        2,
                        8,
                        3,
                        1,
                        2,
                        0,
                        8,
                        null,
                        1.0,
                        1.0,
                        1.0,
                        GlobalPool.TOKEN,
                        PosEmbedInit.NORMAL,
                        List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--batch-size must be at least 2 (batch norm in the dense head), got 1");
    }

    @Test
    void aShortRunOnATinySwinLowersTheLoss() throws IOException {
        List<Double> dense = new ArrayList<>();
        TrainResult result = JointTrainer.train(
                TrainConfigTest.tinySwin(dir.resolve("model"), 30, null, Recipe.NONE), new TrainListener() {
                    @Override
                    public void onStep(StepStats stats) {
                        dense.add(stats.denseLoss());
                    }
                });

        assertThat(dense).hasSize(30).allSatisfy(l -> assertThat(l).isFinite());
        assertThat(result.skippedSteps()).isZero();
        assertThat(mean(dense.subList(25, 30)))
                .as("per-pixel loss of the last 5 steps vs the first 5 (%s)", dense.subList(0, 5))
                .isLessThan(0.85 * mean(dense.subList(0, 5)));
        assertThat(result.lastLoss()).isLessThan(result.firstLoss());
    }

    @Test
    void aSwinSavesAsATimmSwinDirectoryThatReloadsToTheSameEvaluation() throws IOException {
        TrainConfig config = TrainConfigTest.tinySwin(dir.resolve("model"), 3, null, Recipe.NONE);
        TrainResult result = JointTrainer.train(config, new TrainListener() {});

        JsonNode saved =
                new ObjectMapper().readTree(dir.resolve("model/config.json").toFile());
        assertThat(saved.get("architecture").asText()).isEqualTo("swin_tiny_patch4_window7_224");
        assertThat(saved.at("/model_args/patch_size").asInt()).isEqualTo(2);
        assertThat(saved.at("/model_args/window_size").asInt()).isEqualTo(4);
        assertThat(saved.at("/model_args/embed_dim").asInt()).isEqualTo(8);
        assertThat(saved.at("/model_args/depths").toString()).isEqualTo("[2,2,1,1]");
        assertThat(saved.at("/model_args/num_heads").toString()).isEqualTo("[1,2,4,8]");
        assertThat(saved.at("/dense_head/in_strides").toString()).isEqualTo("[2,4,8,16]");
        try (NDManager manager = NDManager.newBaseManager()) {
            VisionModel model = ModelDirectory.load(dir.resolve("model"), manager);

            assertThat(model.backboneConfig()).isInstanceOf(SwinConfig.class);
            assertThat(model.backboneConfig())
                    .isEqualTo(JointTrainer.newModel(config).backboneConfig());
            assertThat(model.headConfig().orElseThrow().inChannels()).containsExactly(8, 16, 32, 64);
            assertThat(model.checkpointParameters())
                    .containsKeys(
                            "layers.0.blocks.1.attn.relative_position_bias_table",
                            "layers.3.downsample.reduction.weight",
                            "norm0.weight",
                            "norm3.bias",
                            "head.fc.weight",
                            "decode_head.conv_seg.weight");
            // the reloaded model is the trained one: the same held-out scenes give the same metrics
            Evaluation.Result again =
                    Evaluation.run(model, JointTrainer.scenes(config), config.evalSeed(), config.evalImages());
            assertThat(again.top1()).isEqualTo(result.evaluation().top1());
            assertThat(again.meanIou()).isEqualTo(result.evaluation().meanIou());
            assertThat(again.classIou()).containsExactly(result.evaluation().classIou());
        }
    }

    @Test
    void aSwinStartsFromAnotherSwinsDirectoryWithInitFrom() throws IOException {
        Path first = dir.resolve("first");
        JointTrainer.train(TrainConfigTest.tinySwin(first, 1, null, Recipe.NONE), new TrainListener() {});
        TrainConfig config = TrainConfigTest.tinySwin(dir.resolve("second"), 1, first, Recipe.NONE);
        int tensors;
        try (NDManager manager = NDManager.newBaseManager()) {
            VisionModel model = JointTrainer.newModel(config);
            model.initialize(manager);
            tensors = model.checkpointParameters().size();
        }
        List<String> info = new ArrayList<>();

        JointTrainer.train(config, new TrainListener() {
            @Override
            public void onInfo(String line) {
                info.add(line);
            }
        });

        assertThat(info).contains("initialised " + tensors + " tensors from " + first + "; 0 start fresh");
    }

    @Test
    void theSwinLeavesItsRelativePositionBiasTablesAndNormsUndecayed() {
        try (NDManager manager = NDManager.newBaseManager()) {
            VisionModel model = JointTrainer.newModel(TrainConfigTest.tinySwin(dir, 1, null, Recipe.NONE));
            model.initialize(manager);
            Map<String, ai.djl.nn.Parameter> params = model.checkpointParameters();

            WeightDecayGroups groups = WeightDecayGroups.of(params);

            List<String> tables = params.keySet().stream()
                    .filter(n -> n.endsWith(".relative_position_bias_table"))
                    .toList();
            assertThat(tables).as("one table per block, 2+2+1+1").hasSize(6);
            assertThat(groups.noDecay())
                    .containsAll(tables)
                    .contains(
                            "patch_embed.norm.weight",
                            "layers.0.blocks.0.norm1.weight",
                            "layers.1.downsample.norm.weight",
                            "norm0.weight",
                            "norm.bias",
                            "layers.2.blocks.0.attn.qkv.bias");
            assertThat(groups.decay())
                    .doesNotContainAnyElementsOf(tables)
                    .contains(
                            "patch_embed.proj.weight",
                            "layers.0.blocks.1.attn.qkv.weight",
                            "layers.3.blocks.0.mlp.fc2.weight",
                            "layers.1.downsample.reduction.weight",
                            "head.fc.weight");
        }
    }

    @Test
    void aDropPathRateReachesTheSwin() {
        Recipe dropPath = new Recipe(0, 0, 0, 1.0, 0.5, null, null, 0.1, 0, false);
        SwinConfig backbone = (SwinConfig) JointTrainer.newModel(TrainConfigTest.tinySwin(dir, 2, null, dropPath))
                .backboneConfig();

        assertThat(backbone.dropPathRate()).isEqualTo(0.1);
        assertThat(backbone.numHeads()).containsExactly(1, 2, 4, 8);
        assertThat(backbone.stageDim(3)).isEqualTo(64);
    }
}
