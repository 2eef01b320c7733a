package io.visionstream.inference.backbone;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The keyword arguments of one {@code create_model} call, as a {@code config.json} gives them: its
 * top-level {@code num_classes} and {@code global_pool} and its {@code model_args} (which win where both
 * name a key). A family reads the keys it takes with typed getters; every value that is malformed or
 * unsupported is recorded, not thrown, and the keys nobody read are the unknown ones, so the caller can
 * report every problem in one line.
 *
 * <p>Values are what a JSON parser gives: Integer or Long, Double, Boolean, String, null, List and
 * Map. Not thread-safe; one instance per parse.
 */
public final class ModelArgs {

    private final Map<String, Object> values;
    private final Map<String, String> labels;
    private final Set<String> read = new LinkedHashSet<>();
    private final Map<String, ModelArgs> nested = new LinkedHashMap<>();
    private final List<String> problems;

    private ModelArgs(Map<String, Object> values, Map<String, String> labels, List<String> problems) {
        this.values = values;
        this.labels = labels;
        this.problems = problems;
    }

    /**
     * Arguments from a {@code config.json}.
     *
     * @param topLevel {@code num_classes} and {@code global_pool} when the file has them at the top level
     *     (messages name them as they are)
     * @param modelArgs the {@code model_args} object (messages name its keys {@code model_args.KEY})
     */
    public static ModelArgs of(Map<String, ?> topLevel, Map<String, ?> modelArgs) {
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> labels = new LinkedHashMap<>();
        topLevel.forEach((k, v) -> {
            values.put(k, v);
            labels.put(k, k);
        });
        modelArgs.forEach((k, v) -> {
            values.put(k, v);
            labels.put(k, "model_args." + k);
        });
        return new ModelArgs(values, labels, new ArrayList<>());
    }

    /** Arguments that are all {@code model_args}. */
    public static ModelArgs of(Map<String, ?> modelArgs) {
        return of(Map.of(), modelArgs);
    }

    /** No arguments: the architecture's defaults. */
    public static ModelArgs empty() {
        return of(Map.of(), Map.of());
    }

    /** Whether {@code key} is given (with any value, null included); marks it as taken. */
    public boolean has(String key) {
        read.add(key);
        return values.containsKey(key);
    }

    /** An integer, or {@code dflt} when absent. */
    public int intValue(String key, int dflt) {
        if (!has(key)) {
            return dflt;
        }
        Integer v = asInt(values.get(key));
        if (v == null) {
            problem(show(key) + " is not an integer");
            return dflt;
        }
        return v;
    }

    /** A number, or {@code dflt} when absent. */
    public double doubleValue(String key, double dflt) {
        if (!has(key)) {
            return dflt;
        }
        if (values.get(key) instanceof Number n) {
            return n.doubleValue();
        }
        problem(show(key) + " is not a number");
        return dflt;
    }

    /** A boolean, or {@code dflt} when absent. */
    public boolean booleanValue(String key, boolean dflt) {
        if (!has(key)) {
            return dflt;
        }
        if (values.get(key) instanceof Boolean b) {
            return b;
        }
        problem(show(key) + " is not true or false");
        return dflt;
    }

    /** A boolean that may be null ({@code fc_norm: null}); null when absent too. */
    public Boolean optionalBoolean(String key) {
        if (!has(key) || values.get(key) == null) {
            return null;
        }
        if (values.get(key) instanceof Boolean b) {
            return b;
        }
        problem(show(key) + " is not true, false or null");
        return null;
    }

    /** A string, or {@code dflt} when absent. */
    public String stringValue(String key, String dflt) {
        if (!has(key)) {
            return dflt;
        }
        if (values.get(key) instanceof String s) {
            return s;
        }
        problem(show(key) + " is not a string");
        return dflt;
    }

    /** A list of integers, or {@code dflt} when absent. */
    public List<Integer> intList(String key, List<Integer> dflt) {
        if (!has(key)) {
            return dflt;
        }
        if (values.get(key) instanceof List<?> list) {
            List<Integer> out = new ArrayList<>();
            for (Object o : list) {
                Integer v = asInt(o);
                if (v == null) {
                    problem(show(key) + " is not a list of integers");
                    return dflt;
                }
                out.add(v);
            }
            return List.copyOf(out);
        }
        problem(show(key) + " is not a list of integers");
        return dflt;
    }

    /**
     * An integer or a pair of integers ({@code img_size: 224} or {@code [224, 320]}); a single integer
     * stands for both.
     *
     * @return {@code {first, second}}; {@code {dfltFirst, dfltSecond}} when absent
     */
    public int[] intPair(String key, int dfltFirst, int dfltSecond) {
        if (!has(key)) {
            return new int[] {dfltFirst, dfltSecond};
        }
        Object v = values.get(key);
        Integer single = asInt(v);
        if (single != null) {
            return new int[] {single, single};
        }
        if (v instanceof List<?> list && list.size() == 2 && asInt(list.get(0)) != null && asInt(list.get(1)) != null) {
            return new int[] {asInt(list.get(0)), asInt(list.get(1))};
        }
        problem(show(key) + " is not an integer or a pair [h, w]");
        return new int[] {dfltFirst, dfltSecond};
    }

    /**
     * A nested object ({@code backbone_args}) whose keys are named {@code model_args.KEY.INNER} in
     * messages; empty when absent. Keys of it that nobody reads are reported as unknown too.
     */
    public ModelArgs nested(String key) {
        ModelArgs existing = nested.get(key);
        if (existing != null) {
            return existing;
        }
        Map<String, Object> inner = new LinkedHashMap<>();
        if (has(key) && values.get(key) != null) {
            if (values.get(key) instanceof Map<?, ?> map) {
                map.forEach((k, v) -> inner.put(String.valueOf(k), v));
            } else {
                problem(show(key) + " is not an object");
            }
        }
        Map<String, String> innerLabels = new LinkedHashMap<>();
        inner.keySet().forEach(k -> innerLabels.put(k, label(key) + "." + k));
        ModelArgs out = new ModelArgs(inner, innerLabels, problems);
        nested.put(key, out);
        return out;
    }

    /** Accepts keys whose values change nothing here (timm's training-only regularisation rates). */
    public void ignore(String... keys) {
        for (String key : keys) {
            has(key);
        }
    }

    /**
     * Accepts {@code key} only with a value {@code supported} holds for (an option timm has and this
     * model does not implement, given at its inactive value); records "KEY=VALUE is not supported
     * (SUPPORTED)" otherwise.
     */
    public void requireValue(String key, Predicate<Object> supported, String supportedValues) {
        if (has(key) && !supported.test(values.get(key))) {
            problem(show(key) + " is not supported (" + supportedValues + ")");
        }
    }

    /** Records a problem, worded as a whole sentence fragment that names the key and value. */
    public void problem(String message) {
        problems.add(Objects.requireNonNull(message, "message"));
    }

    /** How messages name {@code key}: {@code model_args.KEY}, or {@code KEY} for a top-level key. */
    public String label(String key) {
        return labels.getOrDefault(key, "model_args." + key);
    }

    /** {@code LABEL=VALUE} with the value written as JSON. */
    public String show(String key) {
        return label(key) + "=" + json(values.get(key));
    }

    /** The problems recorded so far, here and in nested objects, in order. */
    public List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

    /** {@code LABEL=VALUE} of every given key that no family read, nested objects included. */
    public List<String> unknown() {
        List<String> out = new ArrayList<>();
        for (String key : values.keySet()) {
            if (!read.contains(key)) {
                out.add(show(key));
            } else if (nested.containsKey(key)) {
                out.addAll(nested.get(key).unknown());
            }
        }
        return out;
    }

    /** The keys read so far (given or not): the arguments the family takes, for messages. */
    public Set<String> taken() {
        return Collections.unmodifiableSet(read);
    }

    private static Integer asInt(Object v) {
        if (v instanceof Integer i) {
            return i;
        }
        if (v instanceof Long l && l == l.intValue()) {
            return l.intValue();
        }
        return null;
    }

    /** Compact JSON of a parsed value, as Jackson writes it. */
    static String json(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
        if (v instanceof List<?> list) {
            return list.stream().map(ModelArgs::json).collect(Collectors.joining(",", "[", "]"));
        }
        if (v instanceof Map<?, ?> map) {
            return map.entrySet().stream()
                    .map(e -> json(String.valueOf(e.getKey())) + ":" + json(e.getValue()))
                    .collect(Collectors.joining(",", "{", "}"));
        }
        return String.valueOf(v);
    }
}
