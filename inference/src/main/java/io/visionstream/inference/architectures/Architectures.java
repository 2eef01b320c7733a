package io.visionstream.inference.architectures;

import io.visionstream.inference.backbone.BackboneConfig;
import io.visionstream.inference.backbone.BackboneFamily;
import io.visionstream.inference.backbone.ModelArgs;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every architecture name the loader knows, across families, as timm's model registry: a name picks a
 * family, whose {@link BackboneFamily#configure} applies the {@code model_args} (timm's {@code
 * create_model(name, **kwargs)}). A pretrained tag after a dot is ignored ({@code
 * vit_base_patch16_224.augreg_in21k}). Thread-safe: the registry is immutable.
 */
public final class Architectures {

    // A new family registers by adding its BackboneFamily here; names must not repeat.
    private static final List<BackboneFamily> FAMILIES = List.of(new VitFamily(), new HybridFamily(), new SwinFamily());

    private static final Map<String, BackboneFamily> BY_NAME = index(FAMILIES);

    private Architectures() {}

    private static Map<String, BackboneFamily> index(List<BackboneFamily> families) {
        Map<String, BackboneFamily> m = new LinkedHashMap<>();
        for (BackboneFamily f : families) {
            for (String name : f.architectures()) {
                BackboneFamily previous = m.put(name, f);
                if (previous != null) {
                    throw new IllegalStateException(
                            "architecture " + name + " is registered by " + previous.name() + " and " + f.name());
                }
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /** The registered families, in registration order. */
    public static List<BackboneFamily> families() {
        return FAMILIES;
    }

    /** Every known name, family by family in registration order. */
    public static Set<String> names() {
        return BY_NAME.keySet();
    }

    /**
     * The family of an architecture.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static BackboneFamily family(String architecture) {
        BackboneFamily f = architecture == null ? null : BY_NAME.get(base(architecture));
        if (f == null) {
            throw new IllegalArgumentException(
                    "unknown architecture '" + architecture + "'; known architectures: " + String.join(", ", names()));
        }
        return f;
    }

    /**
     * An architecture as {@code create_model(name)} builds it: 1000 classes, its default input size.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static BackboneConfig defaults(String architecture) {
        return configure(architecture, ModelArgs.empty());
    }

    /**
     * An architecture with keyword arguments applied.
     *
     * @param args {@code config.json}'s {@code num_classes}, {@code global_pool} and {@code model_args}
     * @throws IllegalArgumentException for an unknown name (listing the known ones), or naming in one line
     *     every argument the family does not take, every unsupported value and any combination that does
     *     not fit
     */
    public static BackboneConfig configure(String architecture, ModelArgs args) {
        BackboneFamily family = family(architecture);
        String name = base(architecture);
        BackboneConfig config = null;
        List<String> problems = new ArrayList<>();
        try {
            config = family.configure(name, args);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        problems.addAll(0, args.problems());
        List<String> unknown = args.unknown();
        if (!unknown.isEmpty()) {
            problems.add(
                    String.join(", ", unknown) + (unknown.size() == 1 ? " is not an argument" : " are not arguments")
                            + " of " + name + " (" + family.name() + " family; it takes " + new TreeSet<>(args.taken())
                            + ")");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        if (config == null) {
            throw new IllegalStateException(
                    family.name() + " family gave no configuration for " + name + " and recorded no problem");
        }
        return config;
    }

    private static String base(String architecture) {
        int dot = architecture.indexOf('.');
        return dot >= 0 ? architecture.substring(0, dot) : architecture;
    }
}
