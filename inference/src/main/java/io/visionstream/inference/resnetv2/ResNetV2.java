package io.visionstream.inference.resnetv2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.visionstream.inference.layers.CheckpointBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * timm's {@code ResNetV2(preact=False, stem_type='same', conv_layer=StdConv2dSame(eps=1e-8),
 * num_classes=0, global_pool='')} as the hybrids use it: {@code stem}, then {@code stages.0..n-1}; no
 * final norm and no head. {@code [B, in, H, W] -> [B, C, h, w]} with {@code C = }{@link
 * ResNetV2Config#featureChannels()} and {@code h = }{@link ResNetV2Config#featureSize(long)}{@code (H)}.
 *
 * <p>Use {@link #backbone(ResNetV2Config)} to get what timm's {@code _resnetv2} returns, which for a
 * stem-only configuration is the bare {@link ResNetStem}.
 */
public final class ResNetV2 extends CheckpointBlock {

    private final ResNetV2Config config;
    private final ResNetStem stem;
    private final List<ResNetStage> stages = new ArrayList<>();

    /**
     * @param config the backbone shape, with at least one stage
     * @throws IllegalArgumentException for a stem-only configuration (use {@link #backbone})
     */
    public ResNetV2(ResNetV2Config config) {
        if (config.stemOnly()) {
            throw new IllegalArgumentException(
                    "ResNetV2 needs at least one stage; a stem-only backbone is a ResNetStem");
        }
        this.config = config;
        stem = addChild("stem", new ResNetStem(config.inChans(), config.stemChannels()));
        int prev = config.stemChannels();
        for (int s = 0; s < config.layers().size(); s++) {
            int out = config.channels().get(s);
            stages.add(addChild(
                    "stages." + s,
                    new ResNetStage(
                            prev,
                            out,
                            config.midChannels(s),
                            s == 0 ? 1 : 2,
                            config.layers().get(s))));
            prev = out;
        }
    }

    /**
     * The hybrid backbone for {@code config}: a {@link ResNetV2}, or a {@link ResNetStem} when there are
     * no stages (then the checkpoint keys are {@code conv.*}, {@code norm.*} without {@code stem.}).
     */
    public static CheckpointBlock backbone(ResNetV2Config config) {
        return config.stemOnly() ? new ResNetStem(config.inChans(), config.stemChannels()) : new ResNetV2(config);
    }

    /** The configuration this backbone was built from. */
    public ResNetV2Config config() {
        return config;
    }

    @Override
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray y = stem.forward(ps, x, training);
        for (ResNetStage stage : stages) {
            y = stage.forward(ps, y, training);
        }
        return y;
    }

    /**
     * timm's {@code forward_intermediates(indices=None)}: the stem's output before its pool (stride 2),
     * then every stage's output (strides 4, 8, 16, 32); the last entry is {@link #forward}'s result.
     *
     * @return {@code 1 + stages} maps {@code [B, C_i, h_i, w_i]}
     */
    public NDList forwardIntermediates(ParameterStore ps, NDArray x, boolean training) {
        NDList out = new NDList();
        NDArray y = stem.forwardBeforePool(ps, x, training);
        out.add(y);
        y = stem.pool(ps, y, training);
        for (ResNetStage stage : stages) {
            y = stage.forward(ps, y, training);
            out.add(y);
        }
        return out;
    }

    /** Total stride of each {@link #forwardIntermediates} map: 2, 4, then doubling after stage 0. */
    public List<Integer> intermediateReductions() {
        List<Integer> strides = new ArrayList<>();
        strides.add(2);
        for (int s = 0; s < stages.size(); s++) {
            strides.add(4 << s);
        }
        return List.copyOf(strides);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = stem.getOutputShapes(inputShapes);
        for (ResNetStage stage : stages) {
            shapes = stage.getOutputShapes(shapes);
        }
        return shapes;
    }
}
