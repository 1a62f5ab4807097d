package io.stratal.logs.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import io.stratal.logs.internal.util.PasswordMask;
import java.net.URL;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The commands' logging. Without a logback configuration, logback logs everything at DEBUG to the console,
 * and Jetty and HikariCP have a lot to say at DEBUG; so the commands bring a quiet default, used only when
 * the class path and {@code -Dlogback.configurationFile} give none. The demo loads its own configuration.
 * Both mask passwords ({@link MaskingConverter}), and the driver's {@code java.util.logging} output goes
 * through them too instead of straight to the console.
 */
final class CliLogging {

    private static volatile PasswordMask mask = PasswordMask.patternsOnly();

    private CliLogging() {
    }

    /** The passwords of this command line, masked in everything it logs. */
    static void useMask(PasswordMask passwords) {
        mask = passwords;
    }

    static PasswordMask mask() {
        return mask;
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

    /** pgjdbc logs through {@code java.util.logging}, whose console handler would print around the masking. */
    private static void bridgeJavaUtilLogging() {
        try {
            Class.forName("org.slf4j.bridge.SLF4JBridgeHandler", false, CliLogging.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return; // jul-to-slf4j is optional: without it the driver's few warnings keep their own console handler
        }
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    /** Replaces logback's configuration with {@code configuration}, its {@code ${...}} filled from {@code properties}. */
    static LoggerContext configure(URL configuration, Map<String, String> properties) {
        bridgeJavaUtilLogging();
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
