package io.visionstream.topology.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Where settings come from. Later sources win: a properties file, then {@code VISION_*} environment
 * variables (what docker-compose sets), then command-line overrides.
 */
public final class Sources {

    /** Environment variables with this prefix become settings. */
    public static final String ENV_PREFIX = "VISION_";

    private Sources() {}

    /**
     * Turns {@code VISION_FOO_BAR=x} into {@code foo.bar=x}, the convention of Confluent's images:
     * {@code _} becomes {@code .}, {@code __} becomes {@code -}, {@code ___} becomes {@code _}. Other
     * variables are ignored.
     */
    public static Map<String, String> fromEnvironment(Map<String, String> environment) {
        Map<String, String> settings = new LinkedHashMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                settings.put(envNameToKey(name.substring(ENV_PREFIX.length())), value);
            }
        });
        return settings;
    }

    static String envNameToKey(String name) {
        return name.toLowerCase(Locale.ROOT)
                .replace("___", "\u0000")
                .replace("__", "-")
                .replace('_', '.')
                .replace('\u0000', '_');
    }

    /**
     * Reads a Java properties file (UTF-8).
     *
     * @throws ConfigException if it cannot be read
     */
    public static Map<String, String> fromFile(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> settings = new LinkedHashMap<>();
        props.stringPropertyNames()
                .forEach(k -> settings.put(k, props.getProperty(k).trim()));
        return settings;
    }
}
