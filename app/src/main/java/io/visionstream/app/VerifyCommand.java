package io.visionstream.app;

import io.visionstream.app.verify.Verification;
import io.visionstream.app.verify.Verifier;
import io.visionstream.processor.SettingsOptions;
import io.visionstream.topology.config.ClientSettings;
import io.visionstream.topology.topics.FrameSizing;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Checks that every input record has exactly one outcome, per source, in order. */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Check every input record has exactly one outcome (read_committed), per source, in order.",
            "Reads the input, predictions and dead-letter topics to their current ends; exits 0 only if clean.",
            "Needs bootstrap.servers and schema.registry.url (--set, --config or VISION_* variables)."
        })
final class VerifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SettingsOptions settings = new SettingsOptions();

    @Override
    public Integer call() {
        ClientSettings client = ClientSettings.from(settings.settings());
        var topics = client.topics();
        Verification v = Verifier.verify(
                client.clientProperties(Map.copyOf(new FrameSizing(client.maxFrameBytes()).consumerOverrides())),
                client.schemaRegistry(),
                new Verifier.Topics(topics.input(), topics.predictions(), topics.deadLetters()));
        PrintWriter out = spec.commandLine().getOut();
        v.lines().forEach(out::println);
        out.flush();
        return v.clean() ? 0 : 1;
    }
}
