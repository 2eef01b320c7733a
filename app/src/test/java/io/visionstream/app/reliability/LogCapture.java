package io.visionstream.app.reliability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Records, while open, everything this JVM logs through SLF4J and everything written to {@code System.out}
 * and {@code System.err}, so a test can search it for strings that must never be printed.
 *
 * <p>Both logging configs set Kafka's loggers to WARN. A secret in Kafka's INFO lines (the clients'
 * config dumps) would stay hidden by that, not by Kafka, so while open this turns Kafka's and every other
 * library's loggers up to INFO, and ours and Kafka's authentication code to DEBUG. The console keeps
 * showing only what {@code logback-test.xml} lets through. Close restores everything.
 *
 * <p>Not for parallel tests: it changes JVM-wide state.
 */
final class LogCapture implements AutoCloseable {

    /** Loggers turned up while capturing; each is restored to its configured level on close. */
    private static final Map<String, Level> LEVELS = Map.of(
            Logger.ROOT_LOGGER_NAME,
            Level.INFO,
            "org.apache.kafka",
            Level.INFO,
            "kafka",
            Level.INFO,
            "state.change.logger",
            Level.INFO,
            "org.apache.kafka.common.security",
            Level.DEBUG,
            "io.visionstream",
            Level.DEBUG);

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final Map<String, Level> configured = new LinkedHashMap<>();
    private final List<Appender<ILoggingEvent>> consoles = new ArrayList<>();
    private final Filter<ILoggingEvent> consoleFilter = new AsConfigured();
    private final StringBuffer logged = new StringBuffer();
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream stdout = System.out;
    private final PrintStream stderr = System.err;
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            StringBuilder line = new StringBuilder()
                    .append(event.getLevel())
                    .append(' ')
                    .append(event.getLoggerName())
                    .append(" [")
                    .append(event.getThreadName())
                    .append("] ")
                    .append(event.getFormattedMessage());
            event.getMDCPropertyMap()
                    .forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
            if (event.getThrowableProxy() != null) {
                line.append('\n').append(ThrowableProxyUtil.asString(event.getThrowableProxy()));
            }
            logged.append(line).append('\n');
        }
    };

    private LogCapture() {}

    /** Starts capturing. */
    static LogCapture start() {
        LogCapture capture = new LogCapture();
        capture.open();
        return capture;
    }

    private void open() {
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            Appender<ILoggingEvent> console = it.next();
            console.addFilter(consoleFilter);
            consoles.add(console);
        }
        appender.setContext(context);
        appender.setName("log-capture");
        appender.start();
        root.addAppender(appender);
        LEVELS.forEach((name, level) -> {
            Logger logger = context.getLogger(name);
            configured.put(name, logger.getLevel());
            logger.setLevel(level);
        });
        System.setOut(new PrintStream(new Tee(stdout, printed), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(stderr, printed), true, StandardCharsets.UTF_8));
    }

    /** Every log event so far, one per line (stack traces on the lines after), with its level and logger. */
    String logged() {
        return logged.toString();
    }

    /** Everything written to {@code System.out} and {@code System.err} so far. */
    String printed() {
        synchronized (printed) {
            return printed.toString(StandardCharsets.UTF_8);
        }
    }

    /** {@link #logged()} and {@link #printed()} together: everything a user could have seen. */
    String everything() {
        return logged() + "\n" + printed();
    }

    @Override
    public void close() {
        System.setOut(stdout);
        System.setErr(stderr);
        configured.forEach((name, level) -> context.getLogger(name).setLevel(level));
        context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
        appender.stop();
        for (Appender<ILoggingEvent> console : consoles) {
            List<Filter<ILoggingEvent>> others = new ArrayList<>(console.getCopyOfAttachedFiltersList());
            others.remove(consoleFilter);
            console.clearAllFilters();
            others.forEach(console::addFilter);
        }
    }

    /**
     * Lets through to the console only what logback-test.xml would have: WARN and above, and INFO of our
     * own code.
     */
    private static final class AsConfigured extends Filter<ILoggingEvent> {
        @Override
        public FilterReply decide(ILoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
                return FilterReply.NEUTRAL;
            }
            return event.getLevel() == Level.INFO && event.getLoggerName().startsWith("io.visionstream")
                    ? FilterReply.NEUTRAL
                    : FilterReply.DENY;
        }
    }

    /** Writes to the original stream and into the capture. */
    private static final class Tee extends OutputStream {
        private final OutputStream original;
        private final ByteArrayOutputStream copy;

        Tee(OutputStream original, ByteArrayOutputStream copy) {
            this.original = original;
            this.copy = copy;
        }

        @Override
        public void write(int b) {
            synchronized (copy) {
                copy.write(b);
            }
            try {
                original.write(b);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (copy) {
                copy.write(b, off, len);
            }
            try {
                original.write(b, off, len);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void flush() {
            try {
                original.flush();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
