package io.visionstream.topology.app;

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
            PredictCommand.class,
            TrainCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class VisionApp implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new VisionApp()).setExecutionExceptionHandler(VisionApp::reportFailure);
    }

    /**
     * A command that fails (bad configuration, a missing model, an unreachable broker) reports one line
     * naming the problem and exits 1; the stack trace follows only with {@code VISION_DEBUG} set.
     */
    static int reportFailure(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        StringBuilder line =
                new StringBuilder("vision ").append(cli.getCommandName()).append(": ");
        line.append(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !line.toString().contains(cause.getMessage())) {
                line.append(": ").append(cause.getMessage());
            }
        }
        cli.getErr().println(line);
        if (System.getenv("VISION_DEBUG") != null) {
            e.printStackTrace(cli.getErr());
        }
        cli.getErr().flush();
        return 1;
    }

    @Override
    public void run() {
        // No subcommand given: show what there is to run instead of silently doing nothing.
        spec.commandLine().usage(System.out);
    }
}
