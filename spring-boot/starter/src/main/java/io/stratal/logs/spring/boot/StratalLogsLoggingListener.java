package io.stratal.logs.spring.boot;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.util.FileSize;
import io.stratal.logs.logback.UnifiedLogAppender;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.event.GenericApplicationListener;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Attaches the appender to logback as soon as Spring Boot has configured logging, before the application
 * logs its first line ({@code Starting ...}): Spring Boot lets no line through before that, so every line
 * it lets through is stored. Runs once per logging initialisation: when Spring Boot configures logging
 * again (a second application in the JVM, a devtools restart), the reset stops the old appender, which
 * writes what it holds, and this attaches a new one, so one is attached at a time. An application whose
 * {@code logback-spring.xml} declares a {@link UnifiedLogAppender} keeps it and gets no second one.
 *
 * <p>Spring Boot's logging shutdown (on by default) stops logback after the application context has closed,
 * so the appender writes the application's last lines, Spring Boot's own shutdown lines included, within
 * {@code stratal.logs.shutdown-grace-period}; the appender registers no shutdown hook of its own unless that
 * is turned off.
 */
final class StratalLogsLoggingListener implements GenericApplicationListener {

    /** The name of the appender the starter attaches. */
    static final String APPENDER_NAME = "STRATAL";

    private static final org.slf4j.Logger log = LoggerFactory.getLogger(StratalLogsLoggingListener.class);

    /** The appender this attached last (a weak hold: a reset that let it go lets it be collected). */
    private static volatile WeakReference<UnifiedLogAppender> installed = new WeakReference<>(null);

    @Override
    public boolean supportsEventType(ResolvableType eventType) {
        Class<?> type = eventType.getRawClass();
        return type != null && ApplicationEnvironmentPreparedEvent.class.isAssignableFrom(type);
    }

    @Override
    public int getOrder() {
        return LoggingApplicationListener.DEFAULT_ORDER + 1; // right after Spring Boot configured logging
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        ConfigurableEnvironment environment = ((ApplicationEnvironmentPreparedEvent) event).getEnvironment();
        Binder binder = Binder.get(environment);
        // a value that cannot be bound or checked fails here, with Spring Boot's failure analysis naming it
        StratalLogsProperties properties = binder.bindOrCreate(StratalLogsProperties.PREFIX, StratalLogsProperties.class);
        if (!properties.isEnabled()) {
            return;
        }
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            log.warn("{}: logs are not stored in PostgreSQL: the application logs through {}, not Logback",
                    StratalLogsProperties.PREFIX, factory.getClass().getName());
            return;
        }
        if (attached(context) != null) {
            return; // declared in logback-spring.xml, or attached at an earlier start that is still running
        }
        Database database = Database.of(properties, binder);
        if (database == null) {
            log.warn("{}: logs are not stored in PostgreSQL: {}", StratalLogsProperties.PREFIX, Database.missing(binder));
            return;
        }
        boolean springStopsLogging = binder.bind("logging.register-shutdown-hook", Boolean.class).orElse(true);
        UnifiedLogAppender appender = configure(context, properties, database,
                properties.getRegisterShutdownHook() != null ? properties.getRegisterShutdownHook() : !springStopsLogging);
        appender.start();
        if (!appender.isStarted()) {
            throw new StratalLogsConfigurationException(StratalLogsProperties.PREFIX,
                    "the appender did not start: " + errors(context, appender));
        }
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
        installed = new WeakReference<>(appender);
    }

    /** Whether the appender attached to logback now is one this listener attached (not one of logback-spring.xml). */
    static boolean attachedByStarter() {
        UnifiedLogAppender current = LoggerFactory.getILoggerFactory() instanceof LoggerContext context ? attached(context) : null;
        return current != null && current == installed.get();
    }

    /**
     * Matches while the starter's own appender is attached: its meters go to the application's registry. An
     * appender of {@code logback-spring.xml} binds its meters itself ({@code <micrometer>}, to the global
     * registry, where Spring Boot adds the application's).
     */
    static final class AttachedByStarter implements Condition {
        @Override
        public boolean matches(ConditionContext context,
                               AnnotatedTypeMetadata metadata) {
            return attachedByStarter();
        }
    }

    /** The {@link UnifiedLogAppender} attached to any logger of {@code context} and started, or {@code null}. */
    static UnifiedLogAppender attached(LoggerContext context) {
        for (Logger logger : context.getLoggerList()) {
            for (Iterator<Appender<ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext(); ) {
                if (it.next() instanceof UnifiedLogAppender unified && unified.isStarted()) {
                    return unified;
                }
            }
        }
        return null;
    }

    /** A new appender with the properties' settings, not started. */
    static UnifiedLogAppender configure(LoggerContext context, StratalLogsProperties p, Database database,
                                        boolean shutdownHook) {
        Set<String> keys = new HashSet<>(List.of(p.getJobRunIdKey(), p.getTaskRunIdKey(), p.getStreamKey()));
        if (keys.size() < 3) {
            throw new StratalLogsConfigurationException(StratalLogsProperties.PREFIX + ".job-run-id-key",
                    "job-run-id-key, task-run-id-key and stream-key must be three different MDC keys, got \""
                            + p.getJobRunIdKey() + "\", \"" + p.getTaskRunIdKey() + "\", \"" + p.getStreamKey() + "\"");
        }
        UnifiedLogAppender appender = new UnifiedLogAppender();
        appender.setContext(context);
        appender.setName(APPENDER_NAME);
        database.applyTo(appender);
        appender.setTable(p.getTable());
        appender.setCreateSchema(p.isCreateSchema());
        appender.setNotify(p.isNotify());
        appender.setNotifyChannel(p.getNotifyChannel());
        appender.setPoolSize(p.getPoolSize());
        if (p.getWriters() != null) {
            appender.setWriters(p.getWriters());
        }
        appender.setBatchSize(p.getBatchSize());
        appender.setFlushInterval(duration(p.getFlushInterval()));
        appender.setMaxQueueBytes(new FileSize(p.getMaxQueueBytes().toBytes()));
        appender.setMaxBlockTime(duration(p.getMaxBlockTime()));
        appender.setShutdownGracePeriod(duration(p.getShutdownGracePeriod()));
        appender.setRegisterShutdownHook(shutdownHook);
        appender.setForeignKeyGracePeriod(duration(p.getForeignKeyGracePeriod()));
        if (p.getSpoolDirectory() != null && !p.getSpoolDirectory().isBlank()) {
            appender.setSpoolDirectory(p.getSpoolDirectory());
        }
        appender.setMaxSpoolBytes(new FileSize(p.getMaxSpoolBytes().toBytes()));
        appender.setSpoolSyncInterval(duration(p.getSpoolSyncInterval()));
        if (p.getOverflowPolicy() != null) {
            appender.setOverflowPolicy(p.getOverflowPolicy().name());
        }
        appender.setJmx(p.isJmx());
        // the meters go to the application's registry (StratalLogsAutoConfiguration), not the global one
        appender.setMicrometer(false);
        appender.setMaxMessageLength(p.getMaxMessageLength());
        List<String> words = p.getRedactKeys().stream().map(String::trim).filter(w -> !w.isEmpty()).toList();
        appender.setRedactKeys(words.isEmpty() ? "," : String.join(",", words));
        appender.setRedactMessages(p.isRedactMessages());
        appender.setJobRunIdKey(p.getJobRunIdKey());
        appender.setTaskRunIdKey(p.getTaskRunIdKey());
        appender.setStreamKey(p.getStreamKey());
        if (!p.getSampling().getRules().isEmpty()) {
            io.stratal.logs.logback.Sampling sampling = new io.stratal.logs.logback.Sampling();
            sampling.setMaxKeys(p.getSampling().getMaxKeys());
            for (StratalLogsProperties.Sampling.Rule given : p.getSampling().getRules()) {
                io.stratal.logs.logback.Sampling.Rule rule = new io.stratal.logs.logback.Sampling.Rule();
                rule.setName(given.getName());
                rule.setLogger(given.getLogger());
                rule.setLevel(given.getLevel());
                rule.setFirst(given.getFirst());
                rule.setThenEvery(given.getThenEvery());
                rule.setWindow(duration(given.getWindow()));
                sampling.addRule(rule);
            }
            appender.setSampling(sampling);
        }
        return appender;
    }

    private static ch.qos.logback.core.util.Duration duration(Duration value) {
        return ch.qos.logback.core.util.Duration.buildByMilliseconds(value.toMillis());
    }

    /** What the appender reported as errors while it tried to start. */
    private static String errors(LoggerContext context, UnifiedLogAppender appender) {
        String reported = context.getStatusManager().getCopyOfStatusList().stream()
                .filter(status -> status.getOrigin() == appender && status.getLevel() == Status.ERROR)
                .map(Status::getMessage)
                .collect(Collectors.joining("; "));
        return reported.isEmpty() ? "see logback's status messages" : reported;
    }

    /** Where the logs go: {@code stratal.logs.url} or {@code jndi-name}, else the application's own database. */
    record Database(String url, String username, String password, String jndiName) {

        static Database of(StratalLogsProperties p, Binder binder) {
            if (p.getJndiName() != null && !p.getJndiName().isBlank()) {
                if (p.getUrl() != null && !p.getUrl().isBlank()) {
                    throw new StratalLogsConfigurationException(StratalLogsProperties.PREFIX + ".jndi-name",
                            "set only one of stratal.logs.url and stratal.logs.jndi-name");
                }
                return new Database(null, null, null, p.getJndiName().trim());
            }
            String url = p.getUrl() != null && !p.getUrl().isBlank() ? p.getUrl()
                    : binder.bind("spring.datasource.url", String.class).orElse(null);
            if (url == null || url.isBlank() || !url.trim().toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:")) {
                return null; // the listener says why (missing())
            }
            return new Database(url.trim(),
                    p.getUsername() != null ? p.getUsername() : binder.bind("spring.datasource.username", String.class).orElse(null),
                    p.getPassword() != null ? p.getPassword() : binder.bind("spring.datasource.password", String.class).orElse(null),
                    null);
        }

        /** Why {@link #of} found no database: neither URL is set, or the application's is not PostgreSQL. */
        static String missing(Binder binder) {
            return binder.bind("spring.datasource.url", String.class).isBound()
                    ? "spring.datasource.url is not a PostgreSQL URL; set stratal.logs.url (or stratal.logs.enabled=false)"
                    : "neither stratal.logs.url nor spring.datasource.url is set";
        }

        void applyTo(UnifiedLogAppender appender) {
            if (jndiName != null) {
                appender.setJndiName(jndiName);
            } else {
                appender.setUrl(url);
                appender.setUsername(username);
                appender.setPassword(password);
            }
        }

        @Override
        public String toString() { // never the password
            return jndiName != null ? "jndi " + jndiName : url;
        }
    }
}
