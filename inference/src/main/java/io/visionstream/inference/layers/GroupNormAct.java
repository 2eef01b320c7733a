package io.visionstream.inference.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

/**
 * timm's {@code GroupNormAct}: {@code F.group_norm(x, num_groups, weight, bias, eps)}, then ReLU
 * unless built without activation. {@code [B, C, H, W] -> [B, C, H, W]}; parameters {@code weight [C]}
 * and {@code bias [C]}.
 *
 * <p>Each sample's channels are split into {@code num_groups} consecutive groups and normalised with
 * the group's mean and biased variance over channels and positions; there are no running statistics,
 * so training and inference compute the same thing. timm's default eps is 1e-5.
 */
public final class GroupNormAct extends CheckpointBlock {

    private final int numChannels;
    private final int numGroups;
    private final double eps;
    private final boolean applyAct;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * @param numChannels channels C
     * @param numGroups groups; must divide C
     * @param eps added to each group's variance
     * @param applyAct whether a ReLU follows
     * @throws IllegalArgumentException when {@code numGroups} does not divide {@code numChannels}
     */
    public GroupNormAct(int numChannels, int numGroups, double eps, boolean applyAct) {
        if (numGroups <= 0 || numChannels % numGroups != 0) {
            throw new IllegalArgumentException("GroupNorm needs num_groups dividing num_channels, got num_groups="
                    + numGroups + " for num_channels=" + numChannels);
        }
        this.numChannels = numChannels;
        this.numGroups = numGroups;
        this.eps = eps;
        this.applyAct = applyAct;
        Shape shape = new Shape(numChannels);
        weight = addParameter(parameter("weight", Parameter.Type.GAMMA, shape, true));
        bias = addParameter(parameter("bias", Parameter.Type.BETA, shape, true));
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != numChannels) {
            throw new IllegalArgumentException("GroupNorm expects [B, " + numChannels + ", H, W], got " + s);
        }
        NDArray g = x.reshape(s.get(0), numGroups, -1);
        NDArray centred = g.sub(g.mean(new int[] {2}, true));
        NDArray var = centred.square().mean(new int[] {2}, true);
        NDArray normed = centred.div(var.add(scalar(var, eps)).sqrt()).reshape(s);
        NDArray w = ps.getValue(weight, x.getDevice(), training).reshape(1, numChannels, 1, 1);
        NDArray b = ps.getValue(bias, x.getDevice(), training).reshape(1, numChannels, 1, 1);
        NDArray y = normed.mul(w).add(b);
        return applyAct ? Activation.relu(y) : y;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
