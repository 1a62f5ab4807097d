package io.stratal.logs.testing;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.MDC;

/**
 * Logback contexts of their own, configured from real XML through Joran as an application's would be, so a
 * test neither touches nor depends on the JVM's default context.
 */
public final class LogbackContexts {

    private LogbackContexts() {
    }

    /** A context configured from the classpath resource {@code resource}, with {@code properties} defined. */
    public static LoggerContext fromResource(String resource, Map<String, String> properties) {
        try (InputStream in = LogbackContexts.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource " + resource);
            }
            return configure(in, properties);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A context configured from {@code xml}. */
    public static LoggerContext fromXml(String xml, Map<String, String> properties) {
        return configure(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), properties);
    }

    private static LoggerContext configure(InputStream xml, Map<String, String> properties) {
        LoggerContext context = new LoggerContext();
        context.setName("test-" + System.nanoTime());
        context.setMDCAdapter(MDC.getMDCAdapter()); // so org.slf4j.MDC reaches this context's events
        properties.forEach(context::putProperty);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(xml);
        } catch (JoranException e) {
            throw new IllegalStateException(e);
        }
        return context;
    }

    /** Every status message of {@code context} at {@code level} ({@link Status#WARN}, {@link Status#ERROR}...). */
    public static List<String> statusMessages(LoggerContext context, int level) {
        return context.getStatusManager().getCopyOfStatusList().stream()
                .filter(s -> s.getLevel() == level)
                .map(s -> s.getMessage() + (s.getThrowable() == null ? "" : " / " + s.getThrowable()))
                .collect(Collectors.toList());
    }
}
