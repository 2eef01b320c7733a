package io.visionstream.inference.vit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * timm's registered ViT and DeiT architecture names and their default configurations (1000 classes,
 * timm's {@code _create_vision_transformer} defaults). Thread-safe: the registry is immutable.
 */
public final class VitArchitectures {

    private static final Map<String, VitConfig> KNOWN = build();

    private VitArchitectures() {}

    /** The known names, in registration order. */
    public static Set<String> names() {
        return KNOWN.keySet();
    }

    /**
     * The default configuration of a timm architecture. A pretrained tag after a dot is ignored:
     * {@code vit_base_patch16_224.augreg_in21k} resolves to {@code vit_base_patch16_224}.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static VitConfig get(String architecture) {
        String name = architecture == null ? "" : architecture;
        int dot = name.indexOf('.');
        String base = dot >= 0 ? name.substring(0, dot) : name;
        VitConfig config = KNOWN.get(base);
        if (config == null) {
            throw new IllegalArgumentException(
                    "unknown architecture '" + architecture + "'; known architectures: " + String.join(", ", names()));
        }
        return config;
    }

    private static Map<String, VitConfig> build() {
        Map<String, VitConfig> m = new LinkedHashMap<>();
        // name -> (img, patch, dim, depth, heads), as in timm's vision_transformer.py and deit.py
        vit(m, "vit_tiny_patch16_224", 224, 16, 192, 12, 3);
        vit(m, "vit_tiny_patch16_384", 384, 16, 192, 12, 3);
        vit(m, "vit_small_patch32_224", 224, 32, 384, 12, 6);
        vit(m, "vit_small_patch32_384", 384, 32, 384, 12, 6);
        vit(m, "vit_small_patch16_224", 224, 16, 384, 12, 6);
        vit(m, "vit_small_patch16_384", 384, 16, 384, 12, 6);
        vit(m, "vit_small_patch8_224", 224, 8, 384, 12, 6);
        vit(m, "vit_base_patch32_224", 224, 32, 768, 12, 12);
        vit(m, "vit_base_patch32_384", 384, 32, 768, 12, 12);
        vit(m, "vit_base_patch16_224", 224, 16, 768, 12, 12);
        vit(m, "vit_base_patch16_384", 384, 16, 768, 12, 12);
        vit(m, "vit_base_patch8_224", 224, 8, 768, 12, 12);
        vit(m, "vit_large_patch32_224", 224, 32, 1024, 24, 16);
        vit(m, "vit_large_patch32_384", 384, 32, 1024, 24, 16);
        vit(m, "vit_large_patch16_224", 224, 16, 1024, 24, 16);
        vit(m, "vit_large_patch16_384", 384, 16, 1024, 24, 16);
        vit(m, "vit_large_patch14_224", 224, 14, 1024, 24, 16);
        vit(m, "vit_huge_patch14_224", 224, 14, 1280, 32, 16);
        vit(m, "deit_tiny_patch16_224", 224, 16, 192, 12, 3);
        vit(m, "deit_small_patch16_224", 224, 16, 384, 12, 6);
        vit(m, "deit_base_patch16_224", 224, 16, 768, 12, 12);
        vit(m, "deit_base_patch16_384", 384, 16, 768, 12, 12);
        m.put("deit_tiny_distilled_patch16_224", VitConfig.distilled(224, 16, 192, 12, 3, 1000));
        m.put("deit_small_distilled_patch16_224", VitConfig.distilled(224, 16, 384, 12, 6, 1000));
        m.put("deit_base_distilled_patch16_224", VitConfig.distilled(224, 16, 768, 12, 12, 1000));
        m.put("deit_base_distilled_patch16_384", VitConfig.distilled(384, 16, 768, 12, 12, 1000));
        return Collections.unmodifiableMap(m);
    }

    private static void vit(Map<String, VitConfig> m, String name, int img, int patch, int dim, int depth, int heads) {
        m.put(name, VitConfig.of(img, patch, dim, depth, heads, 1000));
    }
}
