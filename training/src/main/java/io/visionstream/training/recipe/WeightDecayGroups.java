package io.visionstream.training.recipe;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which trainable parameters get weight decay, as timm's {@code param_groups_weight_decay} decides: none
 * for tensors of at most one dimension (biases, LayerNorm and BatchNorm affine weights), none for names
 * ending in {@code .bias}, and none for the names a timm model lists in {@code no_weight_decay()} (ViT's
 * {@code pos_embed}, {@code cls_token}, {@code reg_token}, {@code dist_token}; Swin's {@code
 * absolute_pos_embed} and every {@code relative_position_bias_table}). Everything else, the weights of
 * linear and convolution layers, decays.
 *
 * <p>A name matches a no-decay entry when it equals it or ends in {@code "." + entry}, so a table nested
 * in {@code layers.0.blocks.1.attn} is caught as timm's Swin catches it. Parameters that need no
 * gradient (batch-norm running statistics) belong to neither group: the optimiser never sees them.
 *
 * @param decay names to decay, in the order given
 * @param noDecay trainable names to leave undecayed, in the order given
 */
public record WeightDecayGroups(List<String> decay, List<String> noDecay) {

    /** timm's {@code no_weight_decay()} names of the ViT, DeiT and Swin families. */
    public static final Set<String> NO_WEIGHT_DECAY = Set.of(
            "pos_embed", "cls_token", "reg_token", "dist_token", "absolute_pos_embed", "relative_position_bias_table");

    /** Copies the lists. */
    public WeightDecayGroups {
        decay = List.copyOf(decay);
        noDecay = List.copyOf(noDecay);
    }

    /**
     * Whether a parameter of this name and shape decays.
     *
     * @param name the checkpoint name ({@code blocks.0.attn.qkv.weight})
     * @param shape its shape
     */
    public static boolean decays(String name, Shape shape) {
        if (shape.dimension() <= 1 || name.endsWith(".bias")) {
            return false;
        }
        int dot = name.lastIndexOf('.');
        return !NO_WEIGHT_DECAY.contains(dot < 0 ? name : name.substring(dot + 1));
    }

    /**
     * Splits the trainable parameters (those requiring a gradient) of a model.
     *
     * @param parameters by checkpoint name, e.g. {@code VisionModel.checkpointParameters()} after
     *     initialisation (shapes must be known)
     * @throws IllegalStateException when a trainable parameter has no shape yet
     */
    public static WeightDecayGroups of(Map<String, Parameter> parameters) {
        List<String> decay = new ArrayList<>();
        List<String> noDecay = new ArrayList<>();
        parameters.forEach((name, p) -> {
            if (!p.requiresGradient()) {
                return;
            }
            Shape shape = p.getShape();
            if (shape == null) {
                throw new IllegalStateException("parameter " + name + " has no shape; initialise the model first");
            }
            (decays(name, shape) ? decay : noDecay).add(name);
        });
        return new WeightDecayGroups(decay, noDecay);
    }

    /** Membership in {@link #decay}, the form the trainer's {@code AdamW} takes. */
    public Predicate<String> predicate() {
        Set<String> names = Set.copyOf(decay);
        return names::contains;
    }
}
