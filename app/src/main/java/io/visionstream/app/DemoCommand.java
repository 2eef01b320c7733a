package io.visionstream.app;

import io.visionstream.app.demo.Demo;
import io.visionstream.app.view.Viewer;
import io.visionstream.inference.weights.TimmCheckpoints;
import io.visionstream.processor.DurationConverter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./vision demo}: everything on this machine, no setup. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        header = "Everything on this machine: in-process Kafka, the shipped model, synthetic cameras, a viewer.",
        description = {
            "Everything on this machine: in-process Kafka, the shipped model, synthetic cameras, and the",
            "live viewer (the broker's, registry's, viewer's and metrics' addresses are printed first).",
            "The cameras' ground truth scores the predictions live (top-1, mIoU). Exits 0 only if every frame",
            "sent came out as exactly one outcome."
        })
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--model", description = "Model directory (default: models/demo of this checkout).")
    Path model;

    @Option(
            names = "--duration",
            defaultValue = "60s",
            converter = DurationConverter.class,
            description = "How long the cameras run, e.g. 60s, 5m (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--cameras", defaultValue = "4", description = "Synthetic cameras (default: ${DEFAULT-VALUE}).")
    int cameras;

    @Option(
            names = "--fps",
            defaultValue = "5",
            description = "Frames per second per camera (default: ${DEFAULT-VALUE}).")
    double fps;

    @Option(names = "--size", description = "Camera frame size WxH (default: the model's input size).")
    String size;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Write overlays (frame, mask, top class; drawn as the viewer draws them) of every 10th frame"
                    + " per camera here.")
    Path out;

    @Option(
            names = "--view-port",
            defaultValue = "" + Viewer.DEFAULT_PORT,
            description = "Port of the live viewer's web page; 0 for any free one (default: ${DEFAULT-VALUE}).")
    int viewPort;

    @Option(names = "--no-view", description = "Do not start the live viewer.")
    boolean noView;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A processor setting, e.g. max.batch.size=8.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(
            names = "--metrics-port",
            paramLabel = "PORT",
            description = "Serve /metrics, /healthz and /readyz here (0: any free port, -1: off; default: 9464, or a"
                    + " free port when 9464 is taken).")
    Integer metricsPort;

    @Override
    public Integer call() throws Exception {
        Path modelDir = model != null
                ? model
                : Path.of(System.getProperty("vision.home", ".")).resolve("models/demo");
        int[] wh;
        if (size != null) {
            wh = ProduceCommand.parseSize(size);
        } else {
            var input = TimmCheckpoints.readConfig(modelDir).preprocess();
            wh = new int[] {input.width(), input.height()};
        }
        if (metricsPort != null) {
            overrides.put("metrics.port", String.valueOf(metricsPort));
        }
        boolean ok = Demo.run(
                new Demo.Options(
                        modelDir,
                        duration,
                        cameras,
                        fps,
                        wh[0],
                        wh[1],
                        4,
                        Duration.ofSeconds(60),
                        overrides,
                        out,
                        noView ? -1 : viewPort),
                System.out,
                System.console() != null);
        return ok ? 0 : 1;
    }
}
