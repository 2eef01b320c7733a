package io.visionstream.inference.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;

/**
 * The seam between a model family and what runs on top of it: the classifier's logits, the pooled
 * embedding and feature maps with their channels and strides, so that the engine, the dense head and the
 * trainer never know which family they run. It mirrors timm's {@code forward_features}, {@code
 * forward_head} and {@code forward_intermediates} (and mmsegmentation's backbone / neck / head split).
 *
 * <p>Input: normalised images {@code [B, inChans, imgHeight, imgWidth]} at the configured size.
 * Parameters are addressed by timm's state-dict keys ({@link #checkpointParameters()}).
 *
 * <p>Thread-safety: build and initialise from one thread. Inference forwards ({@code training ==
 * false}) write nothing and may run concurrently, each with its own NDManager; a training forward may
 * update running statistics and must not overlap other calls.
 */
public interface Backbone extends Block {

    /** The configuration this backbone was built from. */
    BackboneConfig config();

    /**
     * The maps {@link #forwardIntermediates} can return, by index: a ViT's blocks, a hierarchical
     * backbone's stages.
     */
    default List<FeatureInfo> featureInfo() {
        return config().featureInfo();
    }

    /**
     * Every parameter under its timm state-dict key, in module order; unmodifiable, the parameters are the
     * backbone's own.
     */
    Map<String, Parameter> checkpointParameters();

    /**
     * timm's {@code forward_features}: everything before pooling, in the family's own layout (a ViT's
     * normed tokens {@code [B, prefix + N, D]}).
     *
     * @throws IllegalArgumentException when the input is not {@code [B, inChans, imgHeight, imgWidth]}
     */
    NDArray forwardFeatures(ParameterStore ps, NDArray x, boolean training);

    /**
     * timm's {@code forward_head}: pooling and classifier over {@link #forwardFeatures}'s result.
     *
     * @param preLogits return the pooled embedding {@code [B, numFeatures]} instead of the logits
     * @return {@code [B, numClasses]}, or the embedding when {@code preLogits} or there is no classifier
     */
    NDArray forwardHead(ParameterStore ps, NDArray features, boolean training, boolean preLogits);

    /**
     * timm's {@code forward_intermediates(x, indices, norm=False, output_fmt='NCHW',
     * intermediates_only=False)}: the raw outputs of the modules {@code indices} point at in {@link
     * #featureInfo()}, as maps {@code [B, C, h, w]}, and the final features, from one pass.
     *
     * @param indices indices into {@link #featureInfo()}; negative ones count from the end
     * @throws IllegalArgumentException for an index out of range, naming it
     */
    Intermediates forwardIntermediates(ParameterStore ps, NDArray x, boolean training, int... indices);

    /**
     * Logits, embedding and the requested maps from one pass.
     *
     * @param indices indices into {@link #featureInfo()}, or none for no maps
     * @return outputs on {@code x}'s manager; logits null when the backbone has no classifier
     */
    default BackboneOutput forwardOutputs(ParameterStore ps, NDArray x, boolean training, int... indices) {
        NDList maps;
        NDArray features;
        if (indices.length == 0) {
            maps = new NDList();
            features = forwardFeatures(ps, x, training);
        } else {
            Intermediates inter = forwardIntermediates(ps, x, training, indices);
            maps = inter.maps();
            features = inter.features();
        }
        NDArray embedding = forwardHead(ps, features, training, true);
        NDArray logits = config().numClasses() > 0 ? forwardHead(ps, features, training, false) : null;
        return new BackboneOutput(logits, embedding, maps);
    }

    /**
     * A checkpoint tensor whose shape differs from this backbone's parameter, brought to the parameter's
     * shape as timm's {@code checkpoint_filter_fn} does when a model runs at another size than it was
     * trained at (a ViT's position grid, resampled).
     *
     * @param key the tensor's state-dict key
     * @param tensor the checkpoint's tensor
     * @param checkpointConfig the backbone the checkpoint was made for
     * @return the adapted tensor on {@code tensor}'s manager, or null when this backbone adapts no tensor
     *     under {@code key}
     * @throws IllegalArgumentException when it adapts {@code key} but not this tensor; the message says why
     */
    default NDArray adaptCheckpointTensor(String key, NDArray tensor, BackboneConfig checkpointConfig) {
        return null;
    }

    /**
     * timm's {@code checkpoint_filter_fn} minus resizing: a checkpoint's tensors with the keys this family
     * never loads dropped (computed buffers) and older layouts renamed to the current keys.
     *
     * @param tensors tensors by state-dict key; not modified
     * @return the tensors to match against {@link #checkpointParameters()}; {@code tensors} itself when
     *     there is nothing to filter
     */
    default Map<String, NDArray> filterCheckpoint(Map<String, NDArray> tensors) {
        return tensors;
    }

    /** Allocates every parameter on {@code manager}'s device with the family's random initialisation. */
    default void initialize(NDManager manager, DataType dataType) {
        BackboneConfig c = config();
        initialize(manager, dataType, new Shape(1, c.inChans(), c.imgHeight(), c.imgWidth()));
    }
}
