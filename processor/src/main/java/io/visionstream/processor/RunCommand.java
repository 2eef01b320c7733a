package io.visionstream.processor;

import io.visionstream.topology.config.VisionConfig;
import io.visionstream.topology.runtime.Monitoring;
import io.visionstream.topology.runtime.ProcessorInstance;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Runs the processor against an external Kafka cluster and schema registry until stopped (SIGTERM,
 * Ctrl-C) or until processing fails. Settings come from, in increasing priority: defaults, {@code
 * --config FILE}, {@code VISION_*} environment variables, {@code --set key=value}. Serves {@code /metrics},
 * {@code /healthz} and {@code /readyz} on {@code metrics.port} while it runs.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Run the processor against Kafka and a schema registry.",
            "Settings: defaults < --config FILE < VISION_* environment variables < --set KEY=VALUE.",
            "VISION_FOO_BAR sets foo.bar. Every setting and its default: see the README."
        })
public final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SettingsOptions settings = new SettingsOptions();

    @Override
    public Integer call() throws Exception {
        VisionConfig config = VisionConfig.from(settings.settings());

        // First, so that a port already in use stops the start before the model loads.
        try (Monitoring monitoring = Monitoring.start(config.metrics())) {
            ProcessorInstance processor = ProcessorInstance.start(config, monitoring);
            Thread hook = new Thread(processor::close, "vision-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            Throwable failure = processor.awaitStop();
            if (failure != null) {
                spec.commandLine()
                        .getErr()
                        .println("vision run: processing stopped: " + CommandLines.messages(failure));
                processor.close();
                return 1;
            }
            return 0;
        }
    }
}
