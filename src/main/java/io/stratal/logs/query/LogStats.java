package io.stratal.logs.query;

import io.stratal.logs.names.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The monitoring queries: log volume by type, by level over a recent window, and the error rate of
 * each job run that had errors in it.
 *
 * <p>The window is usually written {@code timestamp > NOW() - INTERVAL '1 hour'}. The column has no time
 * zone and holds UTC, while {@code NOW()} is compared in the session's time zone, so that form is off by
 * the session's UTC offset. Here the window's start is computed in UTC and passed in.
 */
public final class LogStats {

    /**
     * A job run's errors among its logs in the window.
     *
     * @param jobRunId  the job run
     * @param errors    its {@code error} rows in the window
     * @param totalLogs all its rows in the window
     * @param errorRate errors as a percentage of all its rows
     */
    public record JobRunErrorRate(UUID jobRunId, long errors, long totalLogs, double errorRate) {
    }

    private final DataSource dataSource;
    private final String table;
    private final Clock clock;

    /**
     * The monitoring queries on {@code table}.
     *
     * @param dataSource where connections come from
     * @param table      the logs table
     */
    public LogStats(DataSource dataSource, TableName table) {
        this(dataSource, table, Clock.systemUTC());
    }

    LogStats(DataSource dataSource, TableName table, Clock clock) {
        this.dataSource = dataSource;
        this.table = table.qualified();
        this.clock = clock;
    }

    /**
     * {@code SELECT type, COUNT(*) FROM logs GROUP BY type}, types in name order.
     *
     * @return logs per type, types in name order
     * @throws SQLException when the database cannot answer
     */
    public Map<String, Long> countByType() throws SQLException {
        return counts("SELECT type, count(*) FROM " + table + " GROUP BY type ORDER BY type", null);
    }

    /**
     * {@return logs per level whose timestamp falls in the last {@code window}, levels in name order}
     *
     * @param window how far back from now, measured in UTC
     * @throws SQLException when the database cannot answer
     */
    public Map<String, Long> countByLevel(Duration window) throws SQLException {
        return counts("SELECT level, count(*) FROM " + table + " WHERE timestamp > ? GROUP BY level ORDER BY level",
                windowStart(window));
    }

    /**
     * {@return job runs with at least one error in the last {@code window}, the highest error rate first}
     *
     * @param window how far back from now, measured in UTC
     * @throws SQLException when the database cannot answer
     */
    public List<JobRunErrorRate> errorRates(Duration window) throws SQLException {
        String sql = "SELECT job_run_id, count(*) FILTER (WHERE level = 'error') AS errors, count(*) AS total_logs"
                + " FROM " + table + " WHERE type IN ('job', 'task') AND timestamp > ?"
                + " GROUP BY job_run_id HAVING count(*) FILTER (WHERE level = 'error') > 0"
                + " ORDER BY count(*) FILTER (WHERE level = 'error')::float8 / count(*) DESC, job_run_id";
        List<JobRunErrorRate> rates = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, windowStart(window));
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    long errors = rs.getLong("errors");
                    long total = rs.getLong("total_logs");
                    rates.add(new JobRunErrorRate(rs.getObject("job_run_id", UUID.class), errors, total,
                            100.0 * errors / total));
                }
            }
        }
        return rates;
    }

    /**
     * The table's size on disk.
     *
     * @param totalBytes all of it
     * @param tableBytes the rows alone, with TOAST
     * @param indexBytes the indexes
     */
    public record TableSize(long totalBytes, long tableBytes, long indexBytes) {
    }

    /**
     * {@return how big the logs table and its indexes are now, all partitions together}
     *
     * @throws SQLException when the database cannot answer
     */
    public TableSize size() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             // summed over the partitions when the table is partitioned (the partitioned table itself has no storage)
             PreparedStatement statement = connection.prepareStatement("SELECT coalesce(sum(pg_total_relation_size(relid)), 0),"
                     + " coalesce(sum(pg_table_size(relid)), 0), coalesce(sum(pg_indexes_size(relid)), 0)"
                     + " FROM (SELECT relid FROM pg_partition_tree(?::regclass) WHERE isleaf UNION SELECT ?::regclass) t")) {
            statement.setString(1, table);
            statement.setString(2, table);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return new TableSize(rs.getLong(1), rs.getLong(2), rs.getLong(3));
            }
        }
    }

    /**
     * Rows per UTC day for the last {@code days} days, today included, oldest first, a day without rows
     * counted as 0: the table's growth.
     *
     * @param days how many days, today included
     * @return rows per UTC day, oldest first, days without rows as 0
     * @throws SQLException when the database cannot answer
     */
    public Map<java.time.LocalDate, Long> rowsPerDay(int days) throws SQLException {
        java.time.LocalDate today = LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC).toLocalDate();
        java.time.LocalDate first = today.minusDays(days - 1L);
        Map<java.time.LocalDate, Long> perDay = new LinkedHashMap<>();
        for (java.time.LocalDate day = first; !day.isAfter(today); day = day.plusDays(1)) {
            perDay.put(day, 0L);
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT timestamp::date AS day, count(*) FROM " + table
                     + " WHERE timestamp >= ? GROUP BY 1")) {
            statement.setObject(1, first.atStartOfDay());
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    java.time.LocalDate day = rs.getObject(1, java.time.LocalDate.class);
                    if (perDay.containsKey(day)) {
                        perDay.put(day, rs.getLong(2));
                    }
                }
            }
        }
        return perDay;
    }

    /**
     * {@return the start of the last {@code window}, in UTC}
     *
     * @param window how far back from now, measured in UTC
     */
    public LocalDateTime since(Duration window) {
        return windowStart(window);
    }

    private LocalDateTime windowStart(Duration window) {
        if (window == null || window.isNegative() || window.isZero()) {
            throw new InvalidParameterException("window", "must be a positive duration, was " + window);
        }
        return LocalDateTime.ofInstant(clock.instant().minus(window), ZoneOffset.UTC);
    }

    private Map<String, Long> counts(String sql, LocalDateTime since) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            if (since != null) {
                statement.setObject(1, since);
            }
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return counts;
    }
}
