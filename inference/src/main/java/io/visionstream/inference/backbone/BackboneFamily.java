package io.visionstream.inference.backbone;

import java.util.Set;

/**
 * A model family: the timm architecture names it registers and the {@code model_args} (timm's {@code
 * create_model} keyword arguments) it takes. Implementations are stateless and thread-safe.
 */
public interface BackboneFamily {

    /** Short name used in messages and the README, e.g. {@code vit}, {@code hybrid}. */
    String name();

    /** The architecture names this family registers, without pretrained tags, in registration order. */
    Set<String> architectures();

    /**
     * The configuration of {@code architecture} with {@code args} applied. Reads every key it takes from
     * {@code args} before it validates anything, so that {@code args} can report every unknown key along
     * with a problem found here.
     *
     * @param architecture one of {@link #architectures()}
     * @param args the keyword arguments; problems with single values are recorded in it
     * @return the configuration, or null when {@code args} recorded a problem that leaves none to build
     * @throws IllegalArgumentException when the values do not fit together, naming keys and values
     */
    BackboneConfig configure(String architecture, ModelArgs args);
}
