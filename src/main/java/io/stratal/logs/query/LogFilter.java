package io.stratal.logs.query;

import io.stratal.logs.LogType;
import io.stratal.logs.internal.util.Uuids;
import java.util.UUID;

/**
 * Which rows a read wants: the read endpoints select by job run, by task run, or by type; {@link #all()}
 * takes every row. At most one of the three is set, except that a job run's rows can be narrowed to one of
 * its task runs. {@link LogConditions} narrow the selection further (levels, streams, time, text, metadata).
 *
 * @param jobRunId   the job run whose logs (its own and its tasks') are wanted, or {@code null}
 * @param taskRunId  the task run whose logs are wanted, or {@code null}
 * @param type       the type wanted, or {@code null}
 * @param conditions the conditions every row must meet
 */
public record LogFilter(UUID jobRunId, UUID taskRunId, LogType type, LogConditions conditions) {

    /**
     * Checks that {@code conditions} is given.
     *
     * @param jobRunId   the job run whose logs (its own and its tasks') are wanted, or {@code null}
     * @param taskRunId  the task run whose logs are wanted, or {@code null}
     * @param type       the type wanted, or {@code null}
     * @param conditions the conditions every row must meet
     */
    public LogFilter {
        conditions = conditions == null ? LogConditions.NONE : conditions;
    }

    /** {@return every row} */
    public static LogFilter all() {
        return new LogFilter(null, null, null, LogConditions.NONE);
    }

    /**
     * {@return the job run's own rows and those of its tasks}
     *
     * @param jobRunId the job run
     */
    public static LogFilter jobRun(UUID jobRunId) {
        return new LogFilter(require(jobRunId, "job_run_id"), null, null, LogConditions.NONE);
    }

    /**
     * The logs of a task run.
     *
     * @param taskRunId the task run
     * @return the filter
     */
    public static LogFilter taskRun(UUID taskRunId) {
        return new LogFilter(null, require(taskRunId, "task_run_id"), null, LogConditions.NONE);
    }

    /**
     * The logs of one type.
     *
     * @param type the type
     * @return the filter
     */
    public static LogFilter ofType(LogType type) {
        return new LogFilter(null, null, require(type, "type"), LogConditions.NONE);
    }

    /** {@return the system logs} */
    public static LogFilter system() {
        return ofType(LogType.SYSTEM);
    }

    /**
     * {@return this selection narrowed by {@code more}}
     *
     * @param more the conditions to add
     */
    public LogFilter where(LogConditions more) {
        return new LogFilter(jobRunId, taskRunId, type, more);
    }

    /**
     * {@return a job run's rows of one of its task runs only}
     *
     * @param taskRun the task run
     */
    public LogFilter ofTaskRun(UUID taskRun) {
        if (jobRunId == null) {
            throw new IllegalStateException("only a job run's selection narrows to one of its task runs");
        }
        return new LogFilter(jobRunId, require(taskRun, "task_run_id"), type, conditions);
    }

    /**
     * {@return whether {@code log} is one of the rows this filter selects (for rows that arrive by stream)}
     *
     * @param log a row
     */
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

    /**
     * Reads a run id strictly: the canonical 8-4-4-4-12 form PostgreSQL takes.
     *
     * @param parameter the parameter's name, for the error
     * @param text      the value
     * @return the id
     * @throws InvalidParameterException when {@code text} is not a UUID in that form
     */
    public static UUID parseId(String parameter, String text) {
        UUID id = Uuids.parseOrNull(text == null ? null : text.trim());
        if (id == null) {
            throw new InvalidParameterException(parameter, "'" + InvalidParameterException.shorten(text) + "' is not a UUID"
                    + " (expected the form 123e4567-e89b-12d3-a456-426614174000)");
        }
        return id;
    }

    /**
     * Reads a type.
     *
     * @param parameter the parameter's name, for the error
     * @param text      {@code system}, {@code job} or {@code task}
     * @return the type
     * @throws InvalidParameterException for any other word
     */
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
