package io.stratal.logs.query;

import io.stratal.logs.names.TableName;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The job runs that have logs, newest activity first, and the summary of one run: what a user picks a run
 * from and what tells which of its tasks failed. Computed from the logs table alone, so it works whatever
 * the application's own run tables hold.
 */
public final class JobRuns {

    /**
     * One job run in the list.
     *
     * @param jobRunId the job run
     * @param first    its first row's timestamp (UTC), {@code null} when no row has one
     * @param last     its last row's timestamp (UTC), {@code null} when no row has one
     * @param logs     its rows, its tasks' included
     * @param errors   its {@code error} rows
     * @param warnings its {@code warn} rows
     * @param tasks    its task runs with rows
     */
    public record Run(UUID jobRunId, LocalDateTime first, LocalDateTime last, long logs, long errors, long warnings,
                      long tasks) {
    }

    /**
     * A page of runs, and where the next one starts.
     *
     * @param runs       the runs, the most recent activity first
     * @param limit      the page's size as asked
     * @param hasMore    whether runs follow
     * @param nextCursor where the next page starts, {@code null} at the end
     */
    public record RunPage(List<Run> runs, int limit, boolean hasMore, String nextCursor) {
    }

    /**
     * Counts by level.
     *
     * @param debug {@code debug} rows
     * @param info  {@code info} rows
     * @param warn  {@code warn} rows
     * @param error {@code error} rows
     */
    public record Counts(long debug, long info, long warn, long error) {
        Counts plus(String level, long n) {
            return switch (level == null ? "" : level) {
                case "debug" -> new Counts(debug + n, info, warn, error);
                case "info" -> new Counts(debug, info + n, warn, error);
                case "warn" -> new Counts(debug, info, warn + n, error);
                case "error" -> new Counts(debug, info, warn, error + n);
                default -> this; // a word outside the enum, written by another program
            };
        }
    }

    /**
     * One task run of a summary.
     *
     * @param taskRunId the task run
     * @param name      its name where {@code task_runs} records one ({@code task_name}), else {@code null}
     * @param first     its first row's timestamp (UTC), or {@code null}
     * @param last      its last row's timestamp (UTC), or {@code null}
     * @param counts    its rows by level
     * @param streams   its rows by stream word
     */
    public record TaskSummary(UUID taskRunId, String name, LocalDateTime first, LocalDateTime last, Counts counts,
                              Map<String, Long> streams) {

        TaskSummary named(String taskName) {
            return new TaskSummary(taskRunId, taskName, first, last, counts, streams);
        }
    }

    /**
     * A job run's summary: its span and counts, and each task run's (the run's own rows have no task).
     *
     * @param jobRunId the job run
     * @param first    its first row's timestamp (UTC), or {@code null}
     * @param last     its last row's timestamp (UTC), or {@code null}
     * @param counts   all its rows by level, its tasks' included
     * @param tasks    each task run's summary
     */
    public record Summary(UUID jobRunId, LocalDateTime first, LocalDateTime last, Counts counts, List<TaskSummary> tasks) {
    }

    private static final Counts ZERO = new Counts(0, 0, 0, 0);
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    /** The opt-in job-run index's tables, beside the logs table ({@code db/optional/000005_job-run-index}). */
    private static final String JOB_RUN_INDEX_TABLE = "stratal_job_runs";
    private static final String JOB_RUN_TASKS_TABLE = "stratal_job_run_tasks";

    private final DataSource dataSource;
    private final String table;
    private final String jobRunIndex;
    private final String jobRunTasks;
    private final String taskRuns;

    /**
     * The job runs of {@code table}.
     *
     * @param dataSource where connections come from
     * @param table      the logs table
     */
    public JobRuns(DataSource dataSource, TableName table) {
        this.dataSource = dataSource;
        this.table = table.qualified();
        this.jobRunIndex = table.sibling(JOB_RUN_INDEX_TABLE);
        this.jobRunTasks = table.sibling(JOB_RUN_TASKS_TABLE);
        this.taskRuns = table.sibling("task_runs");
    }

    /**
     * Up to {@code limit} job runs with logs, the most recent last row first, only those whose last row is
     * at or after {@code since} (UTC) when given; after {@code cursor} when given. Counts cover each run's
     * rows, all of them.
     *
     * <p>With the opt-in job-run index ({@code db/optional/000005_job-run-index}) it reads one row per run
     * of the page. Without it, its cost follows the number of job runs in the table and the rows of the
     * page's runs, not the table's size: the distinct runs are found by skipping through the
     * {@code job_run_id} index (one descent per run), each run's last row by one descent of
     * {@code (job_run_id, timestamp)}, and only the page's runs are counted.
     *
     * @param since only runs with a log at or after this time (UTC), or {@code null}
     * @param limit runs a page, at most
     * @param cursor where the previous page ended, or {@code null} for the first page
     * @return the page of runs and the cursor to the next
     * @throws SQLException when the database cannot answer
     */
    public RunPage list(LocalDateTime since, int limit, String cursor) throws SQLException {
        List<Object> values = new ArrayList<>();
        StringBuilder page = new StringBuilder(); // conditions on each run's last row and id
        if (since != null) {
            page.append(" AND last >= ?");
            values.add(since);
        }
        Position after = cursor == null ? null : Position.decode(cursor);
        if (after != null && after.last != null) {
            // runs without any timestamp come after every dated one
            page.append(" AND (last < ? OR (last = ? AND id < ?) OR last IS NULL)");
            values.add(after.last);
            values.add(after.last);
            values.add(after.jobRunId);
        } else if (after != null) {
            page.append(" AND last IS NULL AND id < ?");
            values.add(after.jobRunId);
        }
        page.append(" ORDER BY last DESC NULLS LAST, id DESC LIMIT ?");
        values.add(limit + 1);
        List<Run> runs = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(hasJobRunIndex(connection)
                     ? fromJobRunIndex(page) : fromLogs(page))) {
            for (int i = 0; i < values.size(); i++) {
                statement.setObject(i + 1, values.get(i));
            }
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    runs.add(new Run(rs.getObject("job_run_id", UUID.class), rs.getObject("first", LocalDateTime.class),
                            rs.getObject("last", LocalDateTime.class), rs.getLong("logs"), rs.getLong("errors"),
                            rs.getLong("warnings"), rs.getLong("tasks")));
                }
            }
        }
        boolean hasMore = runs.size() > limit;
        if (hasMore) {
            runs = runs.subList(0, limit);
        }
        Run lastRun = hasMore ? runs.get(runs.size() - 1) : null;
        return new RunPage(List.copyOf(runs), limit, hasMore,
                lastRun == null ? null : new Position(lastRun.last(), lastRun.jobRunId()).encode());
    }

    /**
     * Whether the job-run index exists and its triggers are on this logs table and enabled: an index of
     * another table, or one whose triggers were disabled, is not read.
     */
    private boolean hasJobRunIndex(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL AND EXISTS"
                + " (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(?) AND tgname = 'stratal_job_runs_insert'"
                + " AND tgenabled <> 'D')")) {
            statement.setString(1, jobRunIndex);
            statement.setString(2, table);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** The page read from the job-run index, which triggers keep current. */
    private String fromJobRunIndex(CharSequence page) {
        return "SELECT r.id AS job_run_id, r.first, r.last, r.logs, r.errors, r.warnings,"
                + " (SELECT count(*) FROM " + jobRunTasks + " t WHERE t.job_run_id = r.id) AS tasks"
                + " FROM (SELECT job_run_id AS id, first, last, logs, errors, warnings FROM " + jobRunIndex
                + " WHERE logs > 0) r WHERE true" + page;
    }

    /** The page computed from the logs: the runs by a skip-scan, each run's last row, the page's runs counted. */
    private String fromLogs(CharSequence page) {
        return "WITH RECURSIVE runs (id) AS ("
                + "(SELECT job_run_id FROM " + table + " WHERE job_run_id IS NOT NULL ORDER BY job_run_id LIMIT 1)"
                + " UNION ALL SELECT (SELECT l.job_run_id FROM " + table + " l WHERE l.job_run_id > runs.id"
                + " ORDER BY l.job_run_id LIMIT 1) FROM runs WHERE runs.id IS NOT NULL),"
                + " activity AS (SELECT id, (SELECT max(timestamp) FROM " + table + " l WHERE l.job_run_id = runs.id) AS last"
                + " FROM runs WHERE id IS NOT NULL),"
                + " page AS (SELECT id, last FROM activity WHERE true" + page + ")"
                + " SELECT page.id AS job_run_id, counted.* FROM page CROSS JOIN LATERAL (SELECT min(timestamp) AS first,"
                + " max(timestamp) AS last, count(*) AS logs, count(*) FILTER (WHERE level = 'error') AS errors,"
                + " count(*) FILTER (WHERE level = 'warn') AS warnings, count(DISTINCT task_run_id) AS tasks FROM " + table
                + " l WHERE l.job_run_id = page.id) counted ORDER BY page.last DESC NULLS LAST, page.id DESC";
    }

    /**
     * {@return the summary of {@code jobRunId}; every count 0 and no tasks when it has no logs}
     *
     * @param jobRunId the job run
     * @throws SQLException when the database cannot answer
     */
    public Summary summary(UUID jobRunId) throws SQLException {
        String sql = "SELECT task_run_id, level, stream, count(*) AS n, min(timestamp) AS first, max(timestamp) AS last FROM "
                + table + " WHERE job_run_id = ? GROUP BY task_run_id, level, stream";
        LocalDateTime first = null;
        LocalDateTime last = null;
        Counts counts = ZERO;
        Map<UUID, TaskSummary> tasks = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, jobRunId);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    UUID task = rs.getObject("task_run_id", UUID.class);
                    String level = rs.getString("level");
                    long n = rs.getLong("n");
                    LocalDateTime groupFirst = rs.getObject("first", LocalDateTime.class);
                    LocalDateTime groupLast = rs.getObject("last", LocalDateTime.class);
                    first = earlier(first, groupFirst);
                    last = later(last, groupLast);
                    counts = counts.plus(level, n);
                    if (task != null) {
                        TaskSummary before = tasks.getOrDefault(task, new TaskSummary(task, null, null, null, ZERO, Map.of()));
                        Map<String, Long> streams = new LinkedHashMap<>(before.streams());
                        streams.merge(rs.getString("stream"), n, Long::sum);
                        tasks.put(task, new TaskSummary(task, null, earlier(before.first(), groupFirst), later(before.last(), groupLast),
                                before.counts().plus(level, n), streams));
                    }
                }
            }
            if (!tasks.isEmpty()) {
                taskNames(connection, tasks.keySet()).forEach((task, name) -> tasks.computeIfPresent(task, (k, t) -> t.named(name)));
            }
        }
        List<TaskSummary> ordered = new ArrayList<>(tasks.values());
        ordered.sort((a, b) -> a.first() == null ? (b.first() == null ? 0 : 1) : b.first() == null ? -1 : a.first().compareTo(b.first()));
        return new Summary(jobRunId, first, last, counts, List.copyOf(ordered));
    }

    /**
     * The names {@code task_runs} gives these task runs ({@code task_name}), where that table and column exist
     * beside the logs table: the application's own run tables are optional.
     */
    private Map<UUID, String> taskNames(Connection connection, Set<UUID> taskRunIds) throws SQLException {
        try (PreparedStatement check = connection.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_attribute"
                + " WHERE attrelid = to_regclass(?) AND attname = 'task_name' AND NOT attisdropped)")) {
            check.setString(1, taskRuns);
            try (ResultSet rs = check.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return Map.of();
                }
            }
        }
        Map<UUID, String> names = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT id, task_name::text FROM " + taskRuns + " WHERE id = ANY (?)")) {
            statement.setArray(1, connection.createArrayOf("uuid", taskRunIds.toArray()));
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    names.put(rs.getObject(1, UUID.class), rs.getString(2));
                }
            }
        } catch (SQLException e) {
            if (!INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                throw e;
            }
            return Map.of(); // a reader that may not see the application's run tables gets the ids alone
        }
        return names;
    }

    private static LocalDateTime earlier(LocalDateTime a, LocalDateTime b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    private static LocalDateTime later(LocalDateTime a, LocalDateTime b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }

    /** Where a page of runs ends: its last run's activity and id. Opaque on the wire. */
    private record Position(LocalDateTime last, UUID jobRunId) {
        String encode() {
            String key = (last == null ? "null" : last.toString()) + "|" + jobRunId;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.US_ASCII));
        }

        static Position decode(String text) {
            try {
                String key = new String(Base64.getUrlDecoder().decode(text.trim()), StandardCharsets.US_ASCII);
                int bar = key.indexOf('|');
                String when = key.substring(0, bar);
                return new Position(when.equals("null") ? null : LocalDateTime.parse(when), UUID.fromString(key.substring(bar + 1)));
            } catch (RuntimeException e) {
                throw new InvalidParameterException("cursor", "'" + InvalidParameterException.shorten(text)
                        + "' is not a cursor this server gave out (pass next_cursor of the previous page as it is)");
            }
        }
    }
}
