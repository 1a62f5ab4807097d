package io.stratal.logs.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The commands' logging. Without a logback configuration, logback logs everything at DEBUG to the console,
 * and Jetty and HikariCP have a lot to say at DEBUG; so the commands bring a quiet default, used only when
 * the class path and {@code -Dlogback.configurationFile} give none. The demo loads its own configuration.
 */
final class CliLogging {

    private CliLogging() {
    }

    static void quietUnlessConfigured() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext)) {
            return; // another SLF4J binding: its configuration is the user's
        }
        ClassLoader loader = CliLogging.class.getClassLoader();
        if (System.getProperty("logback.configurationFile") != null || loader.getResource("logback.xml") != null
                || loader.getResource("logback-test.xml") != null) {
            return;
        }
        configure(CliLogging.class.getResource("cli-logback.xml"), Map.of());
    }

    /** Replaces logback's configuration with {@code configuration}, its {@code ${...}} filled from {@code properties}. */
    static LoggerContext configure(URL configuration, Map<String, String> properties) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        properties.forEach(context::putProperty);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(configuration);
        } catch (JoranException e) {
            throw new IllegalStateException("the logging configuration " + configuration + " failed", e);
        }
        return context;
    }
}
