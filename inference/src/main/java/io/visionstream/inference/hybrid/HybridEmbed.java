package io.visionstream.inference.hybrid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.layers.CheckpointBlock;
import io.visionstream.inference.layers.Conv2dLayer;

/**
 * timm's {@code HybridEmbed}: a backbone's feature map {@code [B, C, h, w]}, projected by {@code proj}
 * (a {@code P x P} convolution with stride {@code P} and bias, {@code C -> D}) and flattened to tokens
 * {@code [B, (h / P) * (w / P), D]} in row-major order. Without projection ({@code proj=False}, the conv
 * stem's case) the map must already have {@code D} channels and {@code P} is 1. Keys {@code
 * backbone.*}, {@code proj.weight [D, C, P, P]}, {@code proj.bias [D]}.
 */
public final class HybridEmbed extends CheckpointBlock {

    private final CheckpointBlock backbone;
    private final Conv2dLayer proj;
    private final int patchSize;
    private final int embedDim;

    /**
     * @param backbone the convolutional backbone, {@code [B, in, H, W] -> [B, featureChannels, h, w]}
     * @param featureChannels channels of the backbone's output
     * @param patchSize P, the projection's kernel and stride on the feature map
     * @param embedDim D
     * @param withProj whether there is a projection; without one {@code featureChannels} must be D and P 1
     * @throws IllegalArgumentException for an inconsistent combination, naming the values
     */
    public HybridEmbed(CheckpointBlock backbone, int featureChannels, int patchSize, int embedDim, boolean withProj) {
        if (patchSize < 1) {
            throw new IllegalArgumentException("patch_size must be positive, got " + patchSize);
        }
        if (!withProj && (featureChannels != embedDim || patchSize != 1)) {
            throw new IllegalArgumentException("without a projection the backbone must give embed_dim=" + embedDim
                    + " channels at patch_size 1, got " + featureChannels + " channels, patch_size " + patchSize);
        }
        this.backbone = addChild("backbone", backbone);
        this.proj = withProj
                ? addChild("proj", new Conv2dLayer(featureChannels, embedDim, patchSize, patchSize, 0, true))
                : null;
        this.patchSize = patchSize;
        this.embedDim = embedDim;
    }

    /** The backbone. */
    public CheckpointBlock backbone() {
        return backbone;
    }

    /**
     * The projected map before flattening, {@code [B, D, h / P, w / P]}.
     *
     * @throws IllegalArgumentException when the feature map is not divisible by P
     */
    public NDArray forwardMap(ParameterStore ps, NDArray x, boolean training) {
        NDArray features = backbone.forward(ps, x, training);
        Shape s = features.getShape();
        if (s.get(2) % patchSize != 0 || s.get(3) % patchSize != 0) {
            throw new IllegalArgumentException("backbone map " + s.get(2) + "x" + s.get(3) + " of input " + x.getShape()
                    + " is not divisible by patch_size " + patchSize);
        }
        return proj == null ? features : proj.forward(ps, features, training);
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray map = forwardMap(ps, x, training);
        // x = x.flatten(2).transpose(1, 2)  # NCHW -> NLC
        return map.reshape(map.getShape().get(0), embedDim, -1).transpose(0, 2, 1);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape map = backbone.getOutputShapes(inputShapes)[0];
        long n = (map.get(2) / patchSize) * (map.get(3) / patchSize);
        return new Shape[] {new Shape(inputShapes[0].get(0), n, embedDim)};
    }
}
