package io.visionstream.inference.swin;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps a Swin checkpoint (tensors by timm state-dict key) onto a {@link SwinTransformer}'s parameters.
 * Stateless and thread-safe; {@link #copyInto} writes into the model, so it must not overlap a forward.
 */
public final class SwinWeights {

    private static final Pattern OLD_DOWNSAMPLE = Pattern.compile("^layers\\.(\\d+)\\.downsample\\.");

    private SwinWeights() {}

    /**
     * What timm's {@code checkpoint_filter_fn} does to a Swin state dict, minus resizing: drops the
     * {@code relative_position_index} and {@code attn_mask} buffers (computed by the model, never
     * loaded), and converts the pre-2023 layout, where stage {@code i}'s {@code downsample} sat at the
     * end of stage {@code i} and the classifier was {@code head}, to the current one ({@code
     * layers.{i+1}.downsample}, {@code head.fc}).
     *
     * <p>The old layout is recognised by a {@code layers.0.downsample.*} or {@code head.weight} key,
     * which only it can have; timm instead treats every checkpoint without {@code head.fc.weight} as
     * old, which also renumbers the downsamples of a current headless checkpoint. Bias tables and patch
     * embeddings of another size are not resized here (timm resamples both bicubically); {@link
     * #copyInto} reports them as wrongly shaped.
     *
     * @return a new map in the checkpoint's order; the arrays are the checkpoint's own
     */
    public static Map<String, NDArray> filterTimmKeys(Map<String, NDArray> checkpoint) {
        boolean old = checkpoint.containsKey("head.weight")
                || checkpoint.keySet().stream().anyMatch(k -> k.startsWith("layers.0.downsample."));
        Map<String, NDArray> out = new LinkedHashMap<>();
        checkpoint.forEach((key, value) -> {
            if (key.contains("relative_position_index") || key.contains("attn_mask")) {
                return;
            }
            String k = key;
            if (old) {
                Matcher m = OLD_DOWNSAMPLE.matcher(k);
                if (m.find()) {
                    k = "layers." + (Integer.parseInt(m.group(1)) + 1) + ".downsample." + k.substring(m.end());
                } else if (k.startsWith("head.")) {
                    k = "head.fc." + k.substring("head.".length());
                }
            }
            out.put(k, value);
        });
        return out;
    }

    /**
     * Copies {@code tensors} into the model's initialised parameters, key for key. Trainable
     * parameters stay trainable.
     *
     * @param model an initialised model
     * @param tensors tensors by timm key, already through {@link #filterTimmKeys} if they may be old
     * @throws IllegalArgumentException naming, in one message, every missing key, every unexpected key
     *     and every shape mismatch (nothing is copied then)
     * @throws IllegalStateException when the model is not initialised
     */
    public static void copyInto(SwinTransformer model, Map<String, NDArray> tensors) {
        Map<String, Parameter> params = model.checkpointParameters();
        List<String> problems = new ArrayList<>();
        TreeSet<String> missing = new TreeSet<>(params.keySet());
        missing.removeAll(tensors.keySet());
        TreeSet<String> unexpected = new TreeSet<>(tensors.keySet());
        unexpected.removeAll(params.keySet());
        if (!missing.isEmpty()) {
            problems.add(missing.size() + " missing " + missing);
        }
        if (!unexpected.isEmpty()) {
            problems.add(unexpected.size() + " unexpected " + unexpected);
        }
        List<String> shapes = new ArrayList<>();
        params.forEach((k, p) -> {
            NDArray src = tensors.get(k);
            if (src != null && !src.getShape().equals(p.getShape())) {
                shapes.add(k + " checkpoint " + src.getShape() + " vs model " + p.getShape());
            }
        });
        if (!shapes.isEmpty()) {
            problems.add(shapes.size() + " wrongly shaped [" + String.join(", ", shapes) + "]");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "Swin checkpoint does not fit " + model + ": " + String.join("; ", problems));
        }
        params.forEach((k, p) -> {
            if (!p.isInitialized()) {
                throw new IllegalStateException("initialise the model before copying weights: " + k + " has no array");
            }
        });
        params.forEach((k, p) -> {
            NDArray target = p.getArray();
            NDArray src = tensors.get(k);
            NDArray copy = src.toDevice(target.getDevice(), false).toType(target.getDataType(), false);
            // intern kills its argument: never hand it the checkpoint's own array
            target.intern(copy == src ? src.duplicate() : copy);
            target.setRequiresGradient(p.requiresGradient()); // intern takes the source's flag
        });
    }
}
