package io.visionstream.processor;

import io.visionstream.topology.config.Secrets;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * How every {@code vision} command line reports problems: a usage error with secret values masked, and a
 * failed command as one line naming the problem (exit 1). Shared by the processor's lean entry point and
 * the full tool set.
 */
public final class CommandLines {
    private CommandLines() {}

    /** {@code cli} with this project's usage-error and failure reporting installed. */
    public static CommandLine configure(CommandLine cli) {
        cli.setExecutionExceptionHandler(CommandLines::reportFailure);
        CommandLine.IParameterExceptionHandler picocli = cli.getParameterExceptionHandler();
        return cli.setParameterExceptionHandler((e, args) -> reportUsageError(picocli, e, args));
    }

    /**
     * picocli's report of a usage error, with the value of every secret setting on the command line masked:
     * picocli quotes the arguments it could not place, and {@code --sett sasl.jaas.config=...} would
     * otherwise print a password.
     */
    static int reportUsageError(
            CommandLine.IParameterExceptionHandler picocli, CommandLine.ParameterException e, String[] args)
            throws Exception {
        CommandLine cli = e.getCommandLine();
        PrintWriter err = cli.getErr();
        StringWriter report = new StringWriter();
        int exit;
        cli.setErr(new PrintWriter(report));
        try {
            exit = picocli.handleParseException(e, args);
        } finally {
            cli.setErr(err);
        }
        err.print(maskSecretValues(report.toString(), args));
        err.flush();
        return exit;
    }

    /**
     * {@code text} with the value of every {@code KEY=VALUE} argument replaced whose key is secret or whose
     * value looks like one (it mentions a password: a mistyped {@code sasl.jass.config} still carries
     * one), and the user info of every URL masked.
     */
    static String maskSecretValues(String text, String[] args) {
        String masked = text;
        for (String arg : args) {
            String setting = arg.startsWith("--set=") ? arg.substring("--set=".length()) : arg;
            int eq = setting.indexOf('=');
            if (eq > 0 && eq < setting.length() - 1) {
                String value = setting.substring(eq + 1);
                if (Secrets.isSecret(setting.substring(0, eq))
                        || value.toLowerCase(java.util.Locale.ROOT).contains("password")) {
                    masked = masked.replace(value, "[hidden]");
                }
            }
        }
        return Secrets.withoutUserInfo(masked);
    }

    /**
     * A command that fails (bad configuration, a missing model, an unreachable broker) reports one line
     * naming the problem and exits 1; the stack trace follows only with {@code VISION_DEBUG} set.
     */
    static int reportFailure(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        cli.getErr().println("vision " + cli.getCommandName() + ": " + messages(e));
        if (System.getenv("VISION_DEBUG") != null) {
            e.printStackTrace(cli.getErr());
        }
        cli.getErr().flush();
        return 1;
    }

    /**
     * What went wrong, on one line: the message of {@code e} and then each cause's message that says
     * something new, joined by {@code ": "}. A wrapper's message alone (Kafka Streams' "Exception caught in
     * process") rarely says why.
     */
    public static String messages(Throwable e) {
        StringBuilder line =
                new StringBuilder(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !line.toString().contains(cause.getMessage())) {
                line.append(": ").append(cause.getMessage());
            }
        }
        return line.toString();
    }
}
