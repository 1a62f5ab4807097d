package io.stratal.logs.logback;

import io.stratal.logs.pipeline.StatusListener;
import io.stratal.logs.pipeline.PipelineMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Publishes an appender's counters: an MXBean in the platform MBean server, and Micrometer meters in
 * {@code Metrics.globalRegistry} when Micrometer is on the classpath (looked up reflectively, so the
 * appender runs without it). Problems are reported, never thrown: metrics must not stop logging.
 */
final class Observability implements AutoCloseable {

    private static final String MICROMETER = "io.micrometer.core.instrument.Metrics";
    private static final String BINDER = "io.stratal.logs.micrometer.StratalLogMetrics";

    private final StatusListener status;
    private ObjectName objectName;
    private AutoCloseable micrometer;

    private Observability(StatusListener status) {
        this.status = status;
    }

    static Observability publish(PipelineMXBean pipeline, String contextName, String appenderName, boolean jmx,
                                 boolean micrometer, StatusListener status) {
        Observability published = new Observability(status);
        if (jmx) {
            published.registerJmx(pipeline, contextName, appenderName);
        }
        if (micrometer) {
            published.bindMicrometer(pipeline, contextName, appenderName);
        }
        return published;
    }

    /** {@code io.stratal.logs:type=UnifiedLogAppender,context=<context>,name=<appender>}. */
    static ObjectName objectName(String contextName, String appenderName) throws JMException {
        return new ObjectName("io.stratal.logs:type=UnifiedLogAppender,context=" + ObjectName.quote(String.valueOf(contextName))
                + ",name=" + ObjectName.quote(String.valueOf(appenderName)));
    }

    private void registerJmx(PipelineMXBean pipeline, String contextName, String appenderName) {
        try {
            ObjectName name = objectName(contextName, appenderName);
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            if (server.isRegistered(name)) {
                server.unregisterMBean(name); // a previous start of the same appender that was not stopped
            }
            server.registerMBean(pipeline, name);
            objectName = name;
        } catch (JMException | RuntimeException e) {
            status.warn("could not register its JMX bean: " + e);
        }
    }

    private void bindMicrometer(PipelineMXBean pipeline, String contextName, String appenderName) {
        try {
            Class.forName(MICROMETER, false, getClass().getClassLoader());
        } catch (ClassNotFoundException | LinkageError absent) {
            return; // no Micrometer: nothing to bind
        }
        try {
            Method bind = Class.forName(BINDER).getMethod("bindGlobal", PipelineMXBean.class, String.class, String.class);
            micrometer = (AutoCloseable) bind.invoke(null, pipeline, appenderName, String.valueOf(contextName));
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            status.warn("could not bind Micrometer meters: " + e);
        }
    }

    @Override
    public void close() {
        if (objectName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(objectName);
            } catch (JMException | RuntimeException ignored) {
                // already gone
            }
            objectName = null;
        }
        if (micrometer != null) {
            try {
                micrometer.close();
            } catch (Exception ignored) {
                // meters are only removed from registries; nothing can fail that matters
            }
            micrometer = null;
        }
    }
}
