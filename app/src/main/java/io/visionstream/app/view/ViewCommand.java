package io.visionstream.app.view;

import io.visionstream.processor.CommandLines;
import io.visionstream.processor.SettingsOptions;
import io.visionstream.topology.config.ClientSettings;
import io.visionstream.topology.config.VisionConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./vision view}: the live viewer, a process of its own beside the processor. */
@Command(
        name = "view",
        mixinStandardHelpOptions = true,
        header = "Serve a live web page of the cameras with mask overlays, labels, frames/s and latency.",
        description = {
            "Serve a live web page of the cameras: each frame with its mask overlay, top label and score,",
            "per-camera frames/s and latency, and counters. Reads the frames, predictions, masks and",
            "dead-letter topics from their end, in no consumer group, so it never slows the processor.",
            "Needs bootstrap.servers and schema.registry.url (--set, --config or VISION_* variables)."
        })
public final class ViewCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SettingsOptions settings = new SettingsOptions();

    @Option(
            names = "--port",
            defaultValue = "" + Viewer.DEFAULT_PORT,
            description = "Port of the web page (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--host",
            defaultValue = "0.0.0.0",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, every interface).")
    String host;

    @Option(
            names = "--max-cameras",
            defaultValue = "64",
            description = "Cameras shown at most; records of others are counted (default: ${DEFAULT-VALUE}).")
    int maxCameras;

    @Override
    public Integer call() throws Exception {
        Map<String, String> merged = settings.settings();
        ClientSettings client = ClientSettings.from(merged);
        Viewer viewer =
                Viewer.start(client, masksEnabled(merged), new Viewer.Options(host, port, "--port", maxCameras));
        Runtime.getRuntime().addShutdownHook(new Thread(viewer::close, "viewer-shutdown"));
        spec.commandLine().getOut().println("viewer: " + viewer.url());
        spec.commandLine().getOut().flush();
        while (!viewer.awaitStop(Duration.ofDays(1))) {
            // Runs until SIGTERM or Ctrl-C (the hook closes it) or until the consumer fails.
        }
        if (viewer.failure() != null) {
            spec.commandLine().getErr().println("vision view: stopped: " + CommandLines.messages(viewer.failure()));
            viewer.close();
            return 1;
        }
        return 0;
    }

    /** The processor's {@code masks.enabled}, read from the same settings and validated as it does. */
    private static boolean masksEnabled(Map<String, String> settings) {
        Map<String, String> s = new HashMap<>(settings);
        s.putIfAbsent("model.dir", "(not used by the viewer)");
        return VisionConfig.from(s).masksEnabled();
    }
}
