package io.visionstream.inference.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.layers.BatchNormAct2d;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The head's batch norm ({@link BatchNormAct2d} without activation) against torch's BatchNorm2d. */
class HeadBatchNormTest {

    private NDManager manager;
    private Map<String, NDArray> fx;
    private BatchNormAct2d bn;
    private Map<String, Parameter> params;

    @BeforeEach
    void loadReferenceState() {
        manager = NDManager.newBaseManager();
        fx = Fixtures.load(manager, "batch_norm.safetensors");
        bn = new BatchNormAct2d(3, false);
        bn.initialize(manager, DataType.FLOAT32, new Shape(4, 3, 5, 5));
        params = new LinkedHashMap<>();
        bn.collectParameters("", params);
        params.forEach(
                (name, p) -> p.getArray().set(FloatBuffer.wrap(fx.get(name).toFloatArray())));
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void trainingModeNormalisesWithBatchStatisticsLikeTorch() {
        NDArray out = bn.forward(new ParameterStore(manager, false), fx.get("input"), true);

        Fixtures.assertClose(out, fx.get("train.output"), 1e-5);
    }

    @Test
    void trainingModeUpdatesRunningStatisticsWithTorchsMomentumAndUnbiasedVariance() {
        bn.forward(new ParameterStore(manager, false), fx.get("input"), true);

        Fixtures.assertClose(params.get("running_mean").getArray(), fx.get("train.running_mean"), 1e-6);
        Fixtures.assertClose(params.get("running_var").getArray(), fx.get("train.running_var"), 1e-5);
    }

    @Test
    void inferenceModeUsesTheRunningStatistics() {
        ParameterStore ps = new ParameterStore(manager, false);
        bn.forward(ps, fx.get("input"), true);

        NDArray out = bn.forward(ps, fx.get("input"), false);

        Fixtures.assertClose(out, fx.get("eval.output"), 1e-5);
    }
}
