package io.visionstream.processor;

import io.visionstream.topology.config.Sources;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where a command's settings come from, in increasing priority: defaults, {@code --config FILE}, {@code
 * VISION_*} environment variables, {@code --set KEY=VALUE}.
 */
public final class SettingsOptions {

    @Option(names = "--config", paramLabel = "FILE", description = "A Java properties file of settings.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting, overriding all other sources.")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** The process environment; a field so tests can give their own. */
    Map<String, String> environment = System.getenv();

    /** The merged settings; later sources win. */
    public Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        if (configFile != null) {
            settings.putAll(Sources.fromFile(configFile));
        }
        settings.putAll(Sources.fromEnvironment(environment));
        settings.putAll(overrides);
        return settings;
    }
}
