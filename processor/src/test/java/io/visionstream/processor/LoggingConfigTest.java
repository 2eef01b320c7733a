package io.visionstream.processor;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import org.junit.jupiter.api.Test;

/** Tests run with logback-test.xml, which hides the app's own logging config; load that one explicitly. */
class LoggingConfigTest {

    @Test
    void theShippedLogbackConfigParsesWithoutErrorsAndLogsToStderr() throws Exception {
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(LoggingConfigTest.class.getResource("/logback.xml"));

        assertThat(context.getStatusManager().getCopyOfStatusList())
                .filteredOn(s -> s.getLevel() >= Status.WARN)
                .isEmpty();
        assertThat(context.getLogger("org.apache.kafka").getLevel()).hasToString("WARN");
        var appender = (ch.qos.logback.core.ConsoleAppender<?>)
                context.getLogger("ROOT").getAppender("STDERR");
        assertThat(appender.getTarget()).isEqualTo("System.err");
        context.stop();
    }
}
