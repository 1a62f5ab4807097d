package io.stratal.logs.logback;

import io.stratal.logs.pipeline.StatusListener;
import io.stratal.logs.pipeline.PipelineMXBean;
import io.stratal.logs.pipeline.SamplingMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Publishes an appender's counters: an MXBean in the platform MBean server (with several writers, one more per
 * writer, of type {@code UnifiedLogAppenderWriter}), and Micrometer meters in
 * {@code Metrics.globalRegistry} when Micrometer is on the classpath (looked up reflectively, so the
 * appender runs without it). Problems are reported, never thrown: metrics must not stop logging.
 */
final class Observability implements AutoCloseable {

    private static final String MICROMETER = "io.micrometer.core.instrument.Metrics";
    private static final String BINDER = "io.stratal.logs.micrometer.StratalLogMetrics";

    private final StatusListener status;
    private ObjectName objectName;
    private ObjectName samplingName;
    private final List<ObjectName> writerNames = new ArrayList<>();
    private AutoCloseable micrometer;

    private Observability(StatusListener status) {
        this.status = status;
    }

    /**
     * @param writers  each writer's counters, in writer order: published one by one when there are several
     * @param sampling the sampling counters, or {@code null} when no rule is set
     */
    static Observability publish(PipelineMXBean pipeline, List<PipelineMXBean> writers, SamplingMXBean sampling,
                                 String contextName, String appenderName, boolean jmx, boolean micrometer, StatusListener status) {
        Observability published = new Observability(status);
        if (jmx) {
            published.objectName = published.register(pipeline, objectName(contextName, appenderName, "UnifiedLogAppender"));
            for (int k = 0; writers.size() > 1 && k < writers.size(); k++) {
                ObjectName name = published.register(writers.get(k), writerName(contextName, appenderName, k + 1));
                if (name != null) {
                    published.writerNames.add(name);
                }
            }
            if (sampling != null) {
                published.samplingName = published.register(sampling, objectName(contextName, appenderName, "Sampling"));
            }
        }
        if (micrometer) {
            published.bindMicrometer(pipeline, writers, sampling, contextName, appenderName);
        }
        return published;
    }

    /** {@code io.stratal.logs:type=UnifiedLogAppender,context=<context>,name=<appender>}. */
    static ObjectName objectName(String contextName, String appenderName) throws JMException {
        return objectName(contextName, appenderName, "UnifiedLogAppender");
    }

    /** {@code io.stratal.logs:type=<type>,context=<context>,name=<appender>}; {@code Sampling} for the rules' counters. */
    static ObjectName objectName(String contextName, String appenderName, String type) {
        try {
            return new ObjectName("io.stratal.logs:type=" + type + ",context=" + ObjectName.quote(String.valueOf(contextName))
                    + ",name=" + ObjectName.quote(String.valueOf(appenderName)));
        } catch (JMException e) {
            throw new IllegalArgumentException(e); // quoted values always make a valid name
        }
    }

    /**
     * {@code io.stratal.logs:type=UnifiedLogAppenderWriter,context=<context>,name=<appender>,writer=<k>}, k from 1: a
     * type of its own, so what queries {@code type=UnifiedLogAppender} does not count the writers twice.
     */
    static ObjectName writerName(String contextName, String appenderName, int writer) {
        try {
            return new ObjectName(objectName(contextName, appenderName, "UnifiedLogAppenderWriter") + ",writer=" + writer);
        } catch (JMException e) {
            throw new IllegalArgumentException(e); // a number after a valid name is valid
        }
    }

    private ObjectName register(Object bean, ObjectName name) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            if (server.isRegistered(name)) {
                server.unregisterMBean(name); // a previous start of the same appender that was not stopped
            }
            server.registerMBean(bean, name);
            return name;
        } catch (JMException | RuntimeException e) {
            status.warn("could not register its JMX bean " + name + ": " + e);
            return null;
        }
    }

    private void bindMicrometer(PipelineMXBean pipeline, List<PipelineMXBean> writers, SamplingMXBean sampling,
                                String contextName, String appenderName) {
        try {
            Class.forName(MICROMETER, false, getClass().getClassLoader());
        } catch (ClassNotFoundException | LinkageError absent) {
            return; // no Micrometer: nothing to bind
        }
        try {
            Method bind = Class.forName(BINDER).getMethod("bindGlobal", PipelineMXBean.class, List.class,
                    SamplingMXBean.class, String.class, String.class);
            micrometer = (AutoCloseable) bind.invoke(null, pipeline, writers, sampling, appenderName, String.valueOf(contextName));
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            status.warn("could not bind Micrometer meters: " + e);
        }
    }

    private static void unregister(ObjectName name) {
        if (name != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            } catch (JMException | RuntimeException ignored) {
                // already gone
            }
        }
    }

    @Override
    public void close() {
        unregister(objectName);
        objectName = null;
        unregister(samplingName);
        samplingName = null;
        writerNames.forEach(Observability::unregister);
        writerNames.clear();
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
