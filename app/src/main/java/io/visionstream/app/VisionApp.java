package io.visionstream.app;

import io.visionstream.app.view.ViewCommand;
import io.visionstream.processor.CommandLines;
import io.visionstream.processor.RunCommand;
import io.visionstream.processor.VersionProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./vision}: a picocli command whose subcommands are the user-facing verbs. */
@Command(
        name = "vision",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Real-time Vision Transformer inference over Kafka Streams.",
        subcommands = {
            DemoCommand.class,
            RunCommand.class,
            ProduceCommand.class,
            ConsumeCommand.class,
            VerifyCommand.class,
            ViewCommand.class,
            PredictCommand.class,
            TrainCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class VisionApp implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Pictures are drawn off screen (the viewer, overlays); never look for a display.
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and tests. */
    public static CommandLine commandLine() {
        return CommandLines.configure(new CommandLine(new VisionApp()));
    }

    @Override
    public void run() {
        // No subcommand given: show what there is to run instead of silently doing nothing.
        spec.commandLine().usage(System.out);
    }
}
