package io.visionstream.schemas.registry;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads typed values from a Kafka-style configuration map, where a value may arrive as a string (from a
 * properties file) or already typed (set in code). Every failure is an {@link InvalidConfigException}
 * naming the key.
 */
public final class ConfigValues {
    private ConfigValues() {}

    /** The value as a trimmed string, or {@code null} when the key is absent, null or blank. */
    public static String string(Map<String, ?> config, String key) {
        Object value = config.get(key);
        if (value == null) {
            return null;
        }
        String text = value instanceof Collection<?> c
                ? c.stream().map(String::valueOf).collect(Collectors.joining(","))
                : value.toString();
        text = text.trim();
        return text.isEmpty() ? null : text;
    }

    /** The value as a comma-separated list of non-blank strings; empty when absent. */
    public static List<String> list(Map<String, ?> config, String key) {
        String text = string(config, key);
        if (text == null) {
            return List.of();
        }
        return java.util.Arrays.stream(text.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /** The value as a boolean ({@code true} or {@code false}, any case); {@code defaultValue} when absent. */
    public static boolean bool(Map<String, ?> config, String key, boolean defaultValue) {
        Object value = config.get(key);
        if (value instanceof Boolean b) {
            return b;
        }
        String text = string(config, key);
        if (text == null) {
            return defaultValue;
        }
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidConfigException(key, "expected true or false, got '" + text + "'");
        };
    }

    /** The value as a long at least {@code min}; {@code defaultValue} when absent. */
    public static long longAtLeast(Map<String, ?> config, String key, long defaultValue, long min) {
        Object value = config.get(key);
        long result;
        if (value instanceof Number n) {
            result = n.longValue();
        } else {
            String text = string(config, key);
            if (text == null) {
                return defaultValue;
            }
            try {
                result = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new InvalidConfigException(key, "expected a whole number, got '" + text + "'");
            }
        }
        if (result < min) {
            throw new InvalidConfigException(key, "must be at least " + min + ", got " + result);
        }
        return result;
    }
}
