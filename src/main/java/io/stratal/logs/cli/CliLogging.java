package io.stratal.logs.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.LoggerFactory;

/**
 * Without a logback configuration, logback logs everything at DEBUG to the console, and Jetty and HikariCP
 * have a lot to say at DEBUG. So the commands bring a quiet default, used only when the class path and
 * {@code -Dlogback.configurationFile} give none.
 */
final class CliLogging {

    private CliLogging() {
    }

    static void quietUnlessConfigured() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another SLF4J binding: its configuration is the user's
        }
        ClassLoader loader = CliLogging.class.getClassLoader();
        if (System.getProperty("logback.configurationFile") != null || loader.getResource("logback.xml") != null
                || loader.getResource("logback-test.xml") != null) {
            return;
        }
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(CliLogging.class.getResource("cli-logback.xml"));
        } catch (JoranException e) {
            throw new IllegalStateException("the command line's logging configuration failed", e);
        }
    }
}
