package io.visionstream.inference.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;

/**
 * timm's {@code BatchNormAct2d}: {@code nn.BatchNorm2d(C)} (eps 1e-5, momentum 0.1, affine, running
 * statistics) followed by ReLU unless built without activation. {@code [B, C, H, W] -> [B, C, H, W]}.
 * Parameters {@code weight}, {@code bias} (trainable), {@code running_mean}, {@code running_var}
 * (updated in place, not trained); a checkpoint's {@code num_batches_tracked} has no counterpart.
 *
 * <p>Training mode normalises with the batch statistics and updates the running ones with PyTorch's
 * momentum and unbiased variance; it needs more than one value per channel ({@code B * H * W > 1}).
 * Inference mode uses the running statistics. Not thread-safe while training.
 */
public final class BatchNormAct2d extends CheckpointBlock {

    private static final float EPS = 1e-5f;
    // DJL's momentum weighs the old running value: PyTorch's momentum=0.1 is DJL's 0.9.
    private static final float DJL_MOMENTUM = 0.9f;

    private final boolean applyAct;
    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;

    /**
     * @param channels channels C
     * @param applyAct whether a ReLU follows
     */
    public BatchNormAct2d(int channels, boolean applyAct) {
        this.applyAct = applyAct;
        Shape shape = new Shape(channels);
        weight = addParameter(parameter("weight", Parameter.Type.GAMMA, shape, true));
        bias = addParameter(parameter("bias", Parameter.Type.BETA, shape, true));
        runningMean = addParameter(parameter("running_mean", Parameter.Type.RUNNING_MEAN, shape, false));
        runningVar = addParameter(parameter("running_var", Parameter.Type.RUNNING_VAR, shape, false));
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        var device = x.getDevice();
        // F.batch_norm(x, running_mean, running_var, weight, bias, training, 0.1, 1e-5)
        NDArray y = BatchNorm.batchNorm(
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
        return applyAct ? Activation.relu(y) : y;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
