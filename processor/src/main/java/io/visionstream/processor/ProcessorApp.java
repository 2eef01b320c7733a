package io.visionstream.processor;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the lean processor jar that the Docker image ships: the {@code vision} command with
 * {@code run} alone. The full tool set ({@code ./vision}) adds demo, produce, consume, verify, predict,
 * train and bench on top of the same {@link RunCommand}.
 */
@Command(
        name = "vision",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Real-time Vision Transformer inference over Kafka Streams (the processor alone).",
        subcommands = {RunCommand.class, CommandLine.HelpCommand.class})
public final class ProcessorApp implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and tests. */
    public static CommandLine commandLine() {
        return CommandLines.configure(new CommandLine(new ProcessorApp()));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
