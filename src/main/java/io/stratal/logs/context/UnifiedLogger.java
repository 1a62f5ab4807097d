package io.stratal.logs.context;

import io.stratal.logs.LogLevel;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Job and task logging by run id, for code that does not keep the MDC itself. Everything it logs goes through SLF4J, with the run ids in the MDC and the
 * metadata as key-value pairs, so the unified appender stores it like any other line:
 *
 * <pre>{@code
 * UnifiedLogger logger = UnifiedLogger.getLogger("io.stratal.Scheduler");
 * logger.logSystem(LogLevel.INFO, "Server started successfully", Map.of("port", 8080, "version", "1.0.0"));
 *
 * try (JobRunLogger jobLogger = logger.getJobRunLogger(jobRunId)) {          // GetJobRunLogger / CloseJobRunLogger
 *     jobLogger.logJob(LogLevel.INFO, "Job execution started", Map.of("total_tasks", 5));
 *     jobLogger.logTask(taskRunId, LogLevel.INFO, "HTTP request completed", "stdout", Map.of("status_code", 200));
 * }
 * }</pre>
 */
public final class UnifiedLogger {

    private final Logger logger;
    private final Map<UUID, JobRunLogger> jobRunLoggers = new ConcurrentHashMap<>();

    private UnifiedLogger(Logger logger) {
        this.logger = logger;
    }

    /**
     * The logger of {@code name}, logging through SLF4J's logger of that name.
     *
     * @param name the logger's name
     * @return the logger
     */
    public static UnifiedLogger getLogger(String name) {
        return new UnifiedLogger(LoggerFactory.getLogger(name));
    }

    /**
     * The logger named after {@code type}, logging through SLF4J's logger of that class.
     *
     * @param type the class
     * @return the logger
     */
    public static UnifiedLogger getLogger(Class<?> type) {
        return new UnifiedLogger(LoggerFactory.getLogger(type));
    }

    /**
     * The unified logger logging through {@code logger}: for an SLF4J logger the application already has, or
     * one of a logging context other than SLF4J's default.
     *
     * @param logger the SLF4J logger
     * @return the logger
     */
    public static UnifiedLogger of(Logger logger) {
        return new UnifiedLogger(Objects.requireNonNull(logger, "logger"));
    }

    /**
     * A system log: no job or task, whatever scope the calling thread is in.
     *
     * @param level the level
     * @param message the message
     * @param metadata key-value pairs stored in {@code metadata} with their JSON types, or {@code null}
     */
    public void logSystem(LogLevel level, String message, Map<String, ?> metadata) {
        try (LogContext.Scope none = LogContext.Scope.open(null, null, null)) {
            emit(level, message, metadata);
        }
    }

    /**
     * The logger of {@code jobRunId}: the same one until it is closed. Close
     * it when the job run ends, or call {@link #closeJobRunLogger}.
     *
     * @param jobRunId the job run
     * @return the logger of that run
     */
    public JobRunLogger getJobRunLogger(UUID jobRunId) {
        Objects.requireNonNull(jobRunId, "jobRunId");
        return jobRunLoggers.computeIfAbsent(jobRunId, id -> new JobRunLogger(this, id));
    }

    /**
     * Closes the logger of {@code jobRunId}; closing an unknown or closed one does nothing.
     *
     * @param jobRunId the job run
     */
    public void closeJobRunLogger(UUID jobRunId) {
        JobRunLogger jobLogger = jobRunLoggers.get(jobRunId);
        if (jobLogger != null) {
            jobLogger.close();
        }
    }

    void forget(JobRunLogger jobLogger) {
        jobRunLoggers.remove(jobLogger.jobRunId(), jobLogger);
    }

    /** Logs {@code message} with {@code metadata} as key-value pairs, under the MDC the caller has set. */
    void emit(LogLevel level, String message, Map<String, ?> metadata) {
        Objects.requireNonNull(level, "level");
        LoggingEventBuilder event = logger.atLevel(toSlf4j(level)).setMessage(message);
        if (metadata != null) {
            for (Map.Entry<String, ?> entry : metadata.entrySet()) {
                event = event.addKeyValue(entry.getKey(), entry.getValue());
            }
        }
        event.log();
    }

    private static Level toSlf4j(LogLevel level) {
        switch (level) {
            case DEBUG:
                return Level.DEBUG;
            case WARN:
                return Level.WARN;
            case ERROR:
                return Level.ERROR;
            default:
                return Level.INFO;
        }
    }
}
