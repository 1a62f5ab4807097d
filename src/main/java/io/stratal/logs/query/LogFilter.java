package io.stratal.logs.query;

import io.stratal.logs.LogType;
import io.stratal.logs.internal.util.Uuids;
import java.util.UUID;

/**
 * Which rows a read wants: the read endpoints select by job run, by task run, or by type; {@link #all()}
 * takes every row. At most one of the three is set, except that a job run's rows can be narrowed to one of
 * its task runs. {@link LogConditions} narrow the selection further (levels, streams, time, text, metadata).
 */
public record LogFilter(UUID jobRunId, UUID taskRunId, LogType type, LogConditions conditions) {

    public LogFilter {
        conditions = conditions == null ? LogConditions.NONE : conditions;
    }

    public static LogFilter all() {
        return new LogFilter(null, null, null, LogConditions.NONE);
    }

    /** The job run's own rows and those of its tasks. */
    public static LogFilter jobRun(UUID jobRunId) {
        return new LogFilter(require(jobRunId, "job_run_id"), null, null, LogConditions.NONE);
    }

    public static LogFilter taskRun(UUID taskRunId) {
        return new LogFilter(null, require(taskRunId, "task_run_id"), null, LogConditions.NONE);
    }

    public static LogFilter ofType(LogType type) {
        return new LogFilter(null, null, require(type, "type"), LogConditions.NONE);
    }

    public static LogFilter system() {
        return ofType(LogType.SYSTEM);
    }

    /** This selection narrowed by {@code more}. */
    public LogFilter where(LogConditions more) {
        return new LogFilter(jobRunId, taskRunId, type, more);
    }

    /** A job run's rows of one of its task runs only. */
    public LogFilter ofTaskRun(UUID taskRun) {
        if (jobRunId == null) {
            throw new IllegalStateException("only a job run's selection narrows to one of its task runs");
        }
        return new LogFilter(jobRunId, require(taskRun, "task_run_id"), type, conditions);
    }

    /** Whether {@code log} is one of the rows this filter selects (for rows that arrive by stream). */
    public boolean matches(StoredLog log) {
        if (jobRunId != null && !jobRunId.equals(log.jobRunId())) {
            return false;
        }
        if (taskRunId != null && !taskRunId.equals(log.taskRunId())) {
            return false;
        }
        if (type != null && !type.dbValue().equals(log.type())) {
            return false;
        }
        return conditions.matches(log);
    }

    /** Parses a UUID parameter, strictly (the canonical 8-4-4-4-12 form PostgreSQL takes). */
    public static UUID parseId(String parameter, String text) {
        UUID id = Uuids.parseOrNull(text == null ? null : text.trim());
        if (id == null) {
            throw new InvalidParameterException(parameter, "'" + InvalidParameterException.shorten(text) + "' is not a UUID"
                    + " (expected the form 123e4567-e89b-12d3-a456-426614174000)");
        }
        return id;
    }

    /** Parses a type parameter: {@code system}, {@code job} or {@code task}. */
    public static LogType parseType(String parameter, String text) {
        LogType type = LogType.fromDbValue(text == null ? null : text.trim());
        if (type == null) {
            throw new InvalidParameterException(parameter, "'" + InvalidParameterException.shorten(text) + "' is not a log type"
                    + " (expected system, job or task)");
        }
        return type;
    }

    private static <T> T require(T value, String name) {
        if (value == null) {
            throw new NullPointerException(name);
        }
        return value;
    }
}
