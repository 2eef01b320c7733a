package io.visionstream.inference.swin;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * timm's registered Swin v1 architectures ({@code swin_transformer.py}) and their default
 * configurations (1000 classes, RGB, mlp ratio 4, drop path 0), with timm's {@code model_args}
 * overriding them as a timm hub {@code config.json} does. Thread-safe: the registry is immutable.
 */
public final class SwinArchitectures {

    /** The {@code model_args} keys {@link #get(String, Map)} understands. */
    public static final Set<String> MODEL_ARGS = Collections.unmodifiableSet(new TreeSet<>(List.of(
            "img_size",
            "patch_size",
            "in_chans",
            "num_classes",
            "embed_dim",
            "depths",
            "num_heads",
            "window_size",
            "mlp_ratio",
            "drop_path_rate")));

    private static final Map<String, SwinConfig> KNOWN = build();

    private SwinArchitectures() {}

    /** The known names, in registration order. */
    public static Set<String> names() {
        return KNOWN.keySet();
    }

    /** Whether {@code architecture} (a pretrained tag after a dot is ignored) is a known Swin. */
    public static boolean isSwin(String architecture) {
        return architecture != null && KNOWN.containsKey(base(architecture));
    }

    /**
     * The default configuration of a timm Swin name; a pretrained tag after a dot is ignored ({@code
     * swin_base_patch4_window7_224.ms_in22k_ft_in1k}).
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static SwinConfig get(String architecture) {
        SwinConfig config = architecture == null ? null : KNOWN.get(base(architecture));
        if (config == null) {
            throw new IllegalArgumentException("unknown Swin architecture '" + architecture
                    + "'; known Swin architectures: " + String.join(", ", names()));
        }
        return config;
    }

    /**
     * The configuration of {@code architecture} with timm's {@code model_args} applied on top, as {@code
     * timm.create_model(architecture, **model_args)} would build it. Values as JSON gives them: numbers
     * ({@link Number}), lists of numbers; {@code img_size} may be one number or {@code [H, W]}; {@code
     * window_size} one number (a square {@code [w, w]} is accepted too).
     *
     * @throws IllegalArgumentException for an unknown architecture or key, a value of the wrong type, or
     *     a resulting configuration {@link SwinConfig} refuses; the message names the key and value
     */
    public static SwinConfig get(String architecture, Map<String, ?> modelArgs) {
        SwinConfig c = get(architecture);
        Set<String> unknown = new TreeSet<>(modelArgs.keySet());
        unknown.removeAll(MODEL_ARGS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "model_args " + unknown + " not supported for Swin; supported: " + MODEL_ARGS);
        }
        int imgH = c.imgHeight();
        int imgW = c.imgWidth();
        if (modelArgs.containsKey("img_size")) {
            List<Integer> hw = intOrPair("img_size", modelArgs.get("img_size"));
            imgH = hw.get(0);
            imgW = hw.get(1);
        }
        int window = c.windowSize();
        if (modelArgs.containsKey("window_size")) {
            List<Integer> ww = intOrPair("window_size", modelArgs.get("window_size"));
            if (!ww.get(0).equals(ww.get(1))) {
                throw new IllegalArgumentException(
                        "window_size=" + modelArgs.get("window_size") + ": non-square windows are not supported");
            }
            window = ww.get(0);
        }
        return new SwinConfig(
                imgH,
                imgW,
                intArg(modelArgs, "patch_size", c.patchSize()),
                intArg(modelArgs, "in_chans", c.inChans()),
                intArg(modelArgs, "num_classes", c.numClasses()),
                intArg(modelArgs, "embed_dim", c.embedDim()),
                intList(modelArgs, "depths", c.depths()),
                intList(modelArgs, "num_heads", c.numHeads()),
                window,
                doubleArg(modelArgs, "mlp_ratio", c.mlpRatio()),
                doubleArg(modelArgs, "drop_path_rate", c.dropPathRate()));
    }

    private static String base(String architecture) {
        int dot = architecture.indexOf('.');
        return dot >= 0 ? architecture.substring(0, dot) : architecture;
    }

    private static int intArg(Map<String, ?> args, String key, int fallback) {
        return args.containsKey(key) ? toInt(key, args.get(key)) : fallback;
    }

    private static double doubleArg(Map<String, ?> args, String key, double fallback) {
        if (!args.containsKey(key)) {
            return fallback;
        }
        if (!(args.get(key) instanceof Number n)) {
            throw new IllegalArgumentException(key + "=" + args.get(key) + " must be a number");
        }
        return n.doubleValue();
    }

    private static List<Integer> intList(Map<String, ?> args, String key, List<Integer> fallback) {
        if (!args.containsKey(key)) {
            return fallback;
        }
        if (!(args.get(key) instanceof List<?> list)) {
            throw new IllegalArgumentException(key + "=" + args.get(key) + " must be a list of integers");
        }
        List<Integer> out = new ArrayList<>(list.size());
        for (Object o : list) {
            out.add(toInt(key, o));
        }
        return out;
    }

    private static List<Integer> intOrPair(String key, Object value) {
        if (value instanceof List<?> list) {
            if (list.size() != 2) {
                throw new IllegalArgumentException(key + "=" + value + " must be one integer or [H, W]");
            }
            return List.of(toInt(key, list.get(0)), toInt(key, list.get(1)));
        }
        int v = toInt(key, value);
        return List.of(v, v);
    }

    private static int toInt(String key, Object value) {
        if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return Math.toIntExact(n.longValue());
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT, "%s=%s must be an integer", key, value));
    }

    private static Map<String, SwinConfig> build() {
        Map<String, SwinConfig> m = new LinkedHashMap<>();
        // name -> img, window, embed_dim, depths, num_heads; patch 4 everywhere, as swin_transformer.py
        add(m, "swin_tiny_patch4_window7_224", 224, 7, 96, List.of(2, 2, 6, 2), List.of(3, 6, 12, 24));
        add(m, "swin_small_patch4_window7_224", 224, 7, 96, List.of(2, 2, 18, 2), List.of(3, 6, 12, 24));
        add(m, "swin_base_patch4_window7_224", 224, 7, 128, List.of(2, 2, 18, 2), List.of(4, 8, 16, 32));
        add(m, "swin_base_patch4_window12_384", 384, 12, 128, List.of(2, 2, 18, 2), List.of(4, 8, 16, 32));
        add(m, "swin_large_patch4_window7_224", 224, 7, 192, List.of(2, 2, 18, 2), List.of(6, 12, 24, 48));
        add(m, "swin_large_patch4_window12_384", 384, 12, 192, List.of(2, 2, 18, 2), List.of(6, 12, 24, 48));
        return Collections.unmodifiableMap(m);
    }

    private static void add(
            Map<String, SwinConfig> m,
            String name,
            int img,
            int window,
            int dim,
            List<Integer> depths,
            List<Integer> heads) {
        m.put(name, new SwinConfig(img, img, 4, 3, 1000, dim, depths, heads, window, 4.0, 0.0));
    }
}
