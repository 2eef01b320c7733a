package io.visionstream.inference.hybrid;

import io.visionstream.inference.resnetv2.ResNetV2Config;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * timm's registered ResNetV2 hybrid ViTs ({@code vision_transformer_hybrid.py}) and their shapes.
 * Thread-safe: the registry is immutable.
 */
public final class HybridArchitectures {

    private static final Map<String, HybridArchitecture> KNOWN = build();

    private HybridArchitectures() {}

    /** The known names, in registration order. */
    public static Set<String> names() {
        return KNOWN.keySet();
    }

    /** Whether {@code architecture} (a pretrained tag after a dot is ignored) is a known hybrid. */
    public static boolean isHybrid(String architecture) {
        return architecture != null && KNOWN.containsKey(base(architecture));
    }

    /**
     * The architecture for a timm name; a pretrained tag after a dot is ignored ({@code
     * vit_base_r50_s16_384.orig_in21k_ft_in1k}).
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static HybridArchitecture get(String architecture) {
        HybridArchitecture a = architecture == null ? null : KNOWN.get(base(architecture));
        if (a == null) {
            throw new IllegalArgumentException("unknown hybrid architecture '" + architecture
                    + "'; known hybrid architectures: " + String.join(", ", names()));
        }
        return a;
    }

    private static String base(String architecture) {
        int dot = architecture.indexOf('.');
        return dot >= 0 ? architecture.substring(0, dot) : architecture;
    }

    private static Map<String, HybridArchitecture> build() {
        Map<String, HybridArchitecture> m = new LinkedHashMap<>();
        ResNetV2Config stemOnly = ResNetV2Config.hybrid();
        ResNetV2Config r26 = ResNetV2Config.hybrid(2, 2, 2, 2);
        ResNetV2Config r50s16 = ResNetV2Config.hybrid(3, 4, 9);
        ResNetV2Config r50s32 = ResNetV2Config.hybrid(3, 4, 6, 3);
        // name, backbone, img, patch on the map, dim, depth, heads: as vision_transformer_hybrid.py
        add(m, "vit_tiny_r_s16_p8_224", stemOnly, 224, 8, 192, 12, 3);
        add(m, "vit_tiny_r_s16_p8_384", stemOnly, 384, 8, 192, 12, 3);
        add(m, "vit_small_r26_s32_224", r26, 224, 1, 384, 12, 6);
        add(m, "vit_small_r26_s32_384", r26, 384, 1, 384, 12, 6);
        add(m, "vit_base_r50_s16_224", r50s16, 224, 1, 768, 12, 12);
        add(m, "vit_base_r50_s16_384", r50s16, 384, 1, 768, 12, 12);
        add(m, "vit_large_r50_s32_224", r50s32, 224, 1, 1024, 24, 16);
        add(m, "vit_large_r50_s32_384", r50s32, 384, 1, 1024, 24, 16);
        return Collections.unmodifiableMap(m);
    }

    private static void add(
            Map<String, HybridArchitecture> m,
            String name,
            ResNetV2Config backbone,
            int img,
            int patch,
            int dim,
            int depth,
            int heads) {
        m.put(name, new HybridArchitecture(name, backbone, img, patch, dim, depth, heads));
    }
}
