package io.visionstream.inference.backbone;

import java.util.List;
import java.util.Map;

/**
 * A backbone's hyper-parameters, as one family resolves an architecture's defaults and its {@code
 * model_args} (timm's {@code create_model(name, **model_args)}). Implementations are immutable records
 * validated in their constructors, with messages that name the offending key and value.
 */
public interface BackboneConfig {

    /** Input channels. */
    int inChans();

    /** Input height in pixels. */
    int imgHeight();

    /** Input width in pixels. */
    int imgWidth();

    /** Classifier outputs; 0 means no classifier. */
    int numClasses();

    /** Width of the pooled embedding (timm's {@code num_features}). */
    int numFeatures();

    /** The maps the backbone can return to a dense head, by index; see {@link Backbone#featureInfo()}. */
    List<FeatureInfo> featureInfo();

    /** A copy at another input size (weights then need {@link Backbone#adaptCheckpointTensor}). */
    BackboneConfig withImageSize(int height, int width);

    /** A copy with another number of classes (0: no classifier). */
    BackboneConfig withNumClasses(int numClasses);

    /** A new, uninitialised backbone of this shape. */
    Backbone newBackbone();

    /**
     * A new, uninitialised backbone of this shape for a dense head to sit on: with the family's norms on
     * the maps it hands out where it has them (mmsegmentation's per-stage norms of a Swin), else {@link
     * #newBackbone()}.
     */
    default Backbone newDenseBackbone() {
        return newBackbone();
    }

    /**
     * The complete {@code model_args} that, with the architecture's name, give this configuration back:
     * timm's keyword arguments plus our extensions. Values are Integer, Double, Boolean, String, lists of
     * them, or nested maps.
     */
    Map<String, Object> modelArgs();

    /**
     * Multiply-adds times two of one inference pass for one image (convolutions, linear layers and
     * attention products; norms, activations and softmax not counted), as papers quote FLOPs.
     */
    double flopsPerImage();

    /** One line for messages: input size, widths, depth, classes. */
    String summary();
}
