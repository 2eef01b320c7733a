package io.visionstream.inference.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;

/**
 * {@code torch.nn.BatchNorm2d(channels)}: eps 1e-5, momentum 0.1 (PyTorch's convention), affine,
 * tracking running statistics. Input and output {@code [B, C, H, W]}.
 *
 * <p>In training mode it normalises with the batch statistics and updates the running ones in place
 * (unbiased variance, as PyTorch); in inference mode it uses the running statistics. Training needs
 * more than one value per channel ({@code B * H * W > 1}), as in PyTorch. Not thread-safe while
 * training; inference forwards may run concurrently.
 */
final class BatchNorm2d extends AbstractBlock implements CheckpointNamed {

    private static final float EPS = 1e-5f;
    // DJL's momentum is the weight of the old running value: PyTorch's momentum=0.1 is DJL's 0.9.
    private static final float DJL_MOMENTUM = 0.9f;

    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;

    BatchNorm2d(long channels) {
        Shape shape = new Shape(channels);
        weight = addParameter(param("weight", Parameter.Type.GAMMA, shape, true));
        bias = addParameter(param("bias", Parameter.Type.BETA, shape, true));
        runningMean = addParameter(param("running_mean", Parameter.Type.RUNNING_MEAN, shape, false));
        runningVar = addParameter(param("running_var", Parameter.Type.RUNNING_VAR, shape, false));
    }

    static Parameter param(String name, Parameter.Type type, Shape shape, boolean trainable) {
        return Parameter.builder()
                .setName(name)
                .setType(type)
                .optShape(shape)
                .optRequiresGrad(trainable)
                .build();
    }

    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        var device = x.getDevice();
        // F.batch_norm(x, running_mean, running_var, weight, bias, training, 0.1, 1e-5)
        return BatchNorm.batchNorm(
                        x,
                        ps.getValue(runningMean, device, training),
                        ps.getValue(runningVar, device, training),
                        ps.getValue(weight, device, training),
                        ps.getValue(bias, device, training),
                        1,
                        DJL_MOMENTUM,
                        EPS,
                        training)
                .singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        out.put(prefix + "weight", weight);
        out.put(prefix + "bias", bias);
        out.put(prefix + "running_mean", runningMean);
        out.put(prefix + "running_var", runningVar);
    }
}
