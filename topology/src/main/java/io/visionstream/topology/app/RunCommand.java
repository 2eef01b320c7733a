package io.visionstream.topology.app;

import io.visionstream.topology.config.Sources;
import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.runtime.VisionProcessor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the processor against an external Kafka cluster and schema registry until stopped (SIGTERM,
 * Ctrl-C) or until processing fails. Settings come from, in increasing priority: defaults, {@code
 * --config FILE}, {@code VISION_*} environment variables, {@code --set key=value}.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Run the processor against Kafka and a schema registry.",
            "Settings: defaults < --config FILE < VISION_* environment variables < --set KEY=VALUE.",
            "VISION_FOO_BAR sets foo.bar. Every setting and its default: see the README."
        })
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "A Java properties file of settings.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting, overriding all other sources.")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** The process environment; a field so tests can give their own. */
    Map<String, String> environment = System.getenv();

    @Override
    public Integer call() throws Exception {
        Map<String, String> settings = new LinkedHashMap<>();
        if (configFile != null) {
            settings.putAll(Sources.fromFile(configFile));
        }
        settings.putAll(Sources.fromEnvironment(environment));
        settings.putAll(overrides);
        VisionConfig config = VisionConfig.from(settings);

        VisionProcessor processor = VisionProcessor.start(config);
        Thread hook = new Thread(processor::close, "vision-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Throwable failure = processor.awaitStop();
        if (failure != null) {
            spec.commandLine().getErr().println("vision run: processing stopped: " + failure);
            processor.close();
            return 1;
        }
        return 0;
    }
}
