package io.stratal.logs.testing;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The JVM's own logback context (what {@code LoggerFactory} logs to) configured from a test resource, for
 * code that logs through SLF4J as an application does; {@link #restore()} puts the test configuration back.
 */
public final class GlobalLogging {

    private GlobalLogging() {
    }

    public static LoggerContext configure(String resource, Map<String, String> properties) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        properties.forEach(context::putProperty);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(GlobalLogging.class.getClassLoader().getResource(resource));
        } catch (JoranException e) {
            throw new IllegalStateException(e);
        }
        context.start(); // as logback's own initialisation does; a test may have stopped it
        return context;
    }

    /** Stops what {@link #configure} started (draining the appender) and goes back to logback-test.xml. */
    public static void restore() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        try {
            new ContextInitializer(context).autoConfig();
        } catch (JoranException e) {
            throw new IllegalStateException(e);
        }
        context.start();
    }
}
