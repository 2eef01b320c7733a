package io.visionstream.inference.swin;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A small Swin (patch 4, window 4, 64x64: maps 16, 8, 4, 2, so shifted and masked blocks, a block whose
 * shift is dropped and shrunk windows) under DJL's autograd.
 */
class SwinTrainingTest {

    private static final SwinConfig SMALL =
            new SwinConfig(64, 64, 4, 3, 4, 8, List.of(2, 2, 2, 2), List.of(2, 2, 4, 4), 4, 4.0, 0.0);

    @Test
    void everyParameterGetsAFiniteNonZeroGradient() {
        Engine.getEngine("PyTorch").setRandomSeed(5);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            SwinTransformer model = new SwinTransformer(SMALL, true);
            model.initialize(manager, DataType.FLOAT32);
            NDArray x = manager.randomNormal(new Shape(2, 3, 64, 64));
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                SwinOutputs out = model.forwardOutputs(new ParameterStore(manager, false), x, true);
                // random weights on every output, so that no LayerNorm makes the loss constant
                NDArray loss = out.logits()
                        .mul(manager.randomNormal(out.logits().getShape()))
                        .sum();
                for (NDArray map : out.normedFeatureMaps()) {
                    loss = loss.add(
                            map.mul(manager.randomNormal(map.getShape())).sum());
                }
                gc.backward(loss);
            }
            assertThat(model.checkpointParameters()).containsKeys("norm0.weight", "norm3.bias", "head.fc.weight");
            model.checkpointParameters().forEach((k, p) -> {
                NDArray g = p.getArray().getGradient();
                assertThat(g.isNaN().any().getBoolean() || g.isInfinite().any().getBoolean())
                        .as("non-finite gradient of %s", k)
                        .isFalse();
                assertThat(g.abs().max().getFloat()).as("|grad| of %s", k).isGreaterThan(0f);
            });
        }
    }

    @Test
    void adamWWithDropPathMemorisesASmallBatch() {
        Engine.getEngine("PyTorch").setRandomSeed(11);
        try (Model model = Model.newInstance("swin", "PyTorch")) {
            model.setBlock(new SwinTransformer(SMALL.withDropPathRate(0.1)));
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adamW()
                            .optLearningRateTracker(Tracker.fixed(3e-3f))
                            .build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(4, 3, 64, 64));
                NDManager m = trainer.getManager();
                NDArray x = m.randomNormal(new Shape(4, 3, 64, 64));
                NDArray y = m.create(new float[] {0, 1, 2, 3});
                float first = evalLoss(trainer, x, y);
                for (int step = 0; step < 15; step++) {
                    try (GradientCollector gc = trainer.newGradientCollector()) {
                        NDArray pred = trainer.forward(new NDList(x)).singletonOrThrow();
                        gc.backward(trainer.getLoss().evaluate(new NDList(y), new NDList(pred)));
                    }
                    trainer.step();
                }
                float last = evalLoss(trainer, x, y);
                assertThat(last)
                        .as("inference loss after 15 AdamW steps vs before (%s)", first)
                        .isLessThan(first * 0.5f);
            }
        }
    }

    private static float evalLoss(Trainer trainer, NDArray x, NDArray y) {
        NDArray pred = trainer.evaluate(new NDList(x)).singletonOrThrow();
        return trainer.getLoss().evaluate(new NDList(y), new NDList(pred)).getFloat();
    }
}
