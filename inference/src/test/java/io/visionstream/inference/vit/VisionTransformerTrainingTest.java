package io.visionstream.inference.vit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ViT under DJL's autograd and Trainer, as the training issue will use it. */
class VisionTransformerTrainingTest {

    private static final VitConfig TINY = VitConfig.of(32, 8, 32, 2, 2, 4);

    @Test
    void dropPathDropsWholeSampleBranchesInTrainingAndIsTheIdentityInEvaluation() {
        Engine.getEngine("PyTorch").setRandomSeed(3);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TransformerBlock block = new TransformerBlock(8, 2, 16, true, 1e-6, 0.5);
            block.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(8, 5, 8));
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray x = manager.randomNormal(new Shape(8, 5, 8));
            NDArray eval = block.forward(ps, x, false);
            assertThat(block.forward(ps, x, false).contentEquals(eval))
                    .as("evaluation is deterministic")
                    .isTrue();
            assertThat(untouchedSamples(x, eval))
                    .as("evaluation keeps every branch")
                    .isZero();
            int untouched = 0;
            for (int draw = 0; draw < 5; draw++) {
                untouched += untouchedSamples(x, block.forward(ps, x, true));
            }
            // both branches of a sample dropped (p = 0.25 each): the block returns that sample unchanged
            assertThat(untouched).as("samples with both branches dropped in 40").isBetween(2, 25);
        }
    }

    private static int untouchedSamples(NDArray x, NDArray y) {
        int n = 0;
        for (int i = 0; i < x.getShape().get(0); i++) {
            if (x.get(i).contentEquals(y.get(i))) {
                n++;
            }
        }
        return n;
    }

    @Test
    void distilledTrainingReturnsBothHeadsSideBySideAndEvaluationTheirMean() {
        Engine.getEngine("PyTorch").setRandomSeed(5);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            VisionTransformer vit = new VisionTransformer(VitConfig.distilled(32, 8, 32, 2, 2, 4));
            vit.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32);
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray x = manager.randomNormal(new Shape(2, 3, 32, 32));
            NDArray mean = vit.forward(ps, new NDList(x), false).singletonOrThrow();
            vit.setDistilledTraining(true);
            NDArray both = vit.forward(ps, new NDList(x), true).singletonOrThrow();
            assertThat(both.getShape()).isEqualTo(new Shape(2, 8));
            NDArray averaged = both.get(":, :4").add(both.get(":, 4:")).div(2);
            assertThat(averaged.sub(mean).abs().max().getFloat()).isLessThan(1e-5f);
            assertThat(vit.forward(ps, new NDList(x), false).singletonOrThrow().getShape())
                    .isEqualTo(new Shape(2, 4));
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> new VisionTransformer(TINY).setDistilledTraining(true))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void dropPathRateRisesLinearlyOverTheBlocks() {
        VitConfig c = VitConfig.of(32, 8, 32, 5, 2, 4).withDropPathRate(0.1);
        assertThat(new double[] {c.dropPath(0), c.dropPath(1), c.dropPath(2), c.dropPath(3), c.dropPath(4)})
                .containsExactly(new double[] {0, 0.025, 0.05, 0.075, 0.1}, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(VitConfig.of(32, 8, 32, 1, 2, 4).withDropPathRate(0.3).dropPath(0))
                .isZero();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TINY.withDropPathRate(1.0))
                .hasMessage("drop_path_rate=1.0 must be in [0, 1)");
    }

    @Test
    void everyParameterReceivesAGradient() {
        Engine.getEngine("PyTorch").setRandomSeed(7);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            VisionTransformer vit = new VisionTransformer(VitConfig.distilled(32, 8, 32, 2, 2, 4));
            vit.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32);
            NDArray x = manager.randomNormal(new Shape(2, 3, 32, 32));
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray out = vit.forward(new ParameterStore(manager, false), new NDList(x), true)
                        .singletonOrThrow();
                gc.backward(out.square().sum());
            }
            for (Map.Entry<String, Parameter> e : vit.checkpointParameters().entrySet()) {
                NDArray grad = e.getValue().getArray().getGradient();
                assertThat(grad.abs().sum().getFloat())
                        .as("|grad| of " + e.getKey())
                        .isGreaterThan(0f);
            }
        }
    }

    @Test
    void adamWTrainingMemorisesASmallBatch() {
        Engine.getEngine("PyTorch").setRandomSeed(11);
        try (Model model = Model.newInstance("vit", "PyTorch")) {
            model.setBlock(new VisionTransformer(TINY));
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adamW()
                            .optLearningRateTracker(Tracker.fixed(3e-3f))
                            .build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(8, 3, 32, 32));
                NDManager m = trainer.getManager();
                NDArray x = m.randomNormal(new Shape(8, 3, 32, 32));
                NDArray y = m.create(new float[] {0, 1, 2, 3, 0, 1, 2, 3});
                float first = 0;
                float last = 0;
                for (int step = 0; step < 25; step++) {
                    try (GradientCollector gc = trainer.newGradientCollector()) {
                        NDArray pred = trainer.forward(new NDList(x)).singletonOrThrow();
                        NDArray loss = trainer.getLoss().evaluate(new NDList(y), new NDList(pred));
                        gc.backward(loss);
                        last = loss.getFloat();
                        if (step == 0) {
                            first = last;
                        }
                    }
                    trainer.step();
                }
                assertThat(last)
                        .as("loss after 25 AdamW steps vs first (%s)", first)
                        .isLessThan(first * 0.35f);
            }
        }
    }
}
