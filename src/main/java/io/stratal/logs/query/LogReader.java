package io.stratal.logs.query;

import io.stratal.logs.names.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The seed's read queries: a job run's logs (its own and its tasks'), a task run's, the system logs, the
 * logs of one type; in {@code (timestamp, id)} order, by offset or by keyset cursor.
 *
 * <p>Every query keeps to an index of both index sets (the seed's seven and the lean opt-in set):
 * {@code (job_run_id, timestamp)}, {@code (task_run_id, timestamp)}, and {@code timestamp} or
 * {@code (type, timestamp)}; {@code id} only breaks ties. NULL timestamps sort last, as PostgreSQL sorts
 * them ascending.
 */
public final class LogReader {

    static final String COLUMNS =
            "id, type, job_run_id, task_run_id, timestamp, level, stream, message, metadata::text AS metadata";

    private final DataSource dataSource;
    private final String table;

    public LogReader(DataSource dataSource, TableName table) {
        this.dataSource = dataSource;
        this.table = table.qualified();
    }

    /** One page of the rows {@code filter} selects. An id that matches nothing gives an empty page. */
    public LogPage page(LogFilter filter, PageRequest request) throws SQLException {
        List<StoredLog> rows = fetch(build(filter, request));
        boolean hasMore = rows.size() > request.limit();
        if (hasMore) {
            rows = rows.subList(0, request.limit());
        }
        Cursor next = hasMore ? Cursor.after(rows.get(rows.size() - 1)) : null;
        return new LogPage(rows, request.limit(), request.offset(), hasMore, next);
    }

    /**
     * Up to {@code limit} rows {@code filter} selects whose id is above {@code afterId}, in id order: what a
     * stream client that saw {@code afterId} last has not seen yet.
     */
    public List<StoredLog> after(LogFilter filter, long afterId, int limit) throws SQLException {
        Query query = new Query();
        String where = filter(filter, query);
        query.sql = "SELECT " + COLUMNS + " FROM " + table + where + and(where) + "id > ? ORDER BY id LIMIT ?";
        query.values.add(afterId);
        query.values.add(limit);
        return fetch(query);
    }

    private List<StoredLog> fetch(Query query) throws SQLException {
        List<StoredLog> rows = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(query.sql)) {
            query.bind(statement);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    rows.add(read(rs));
                }
            }
        }
        return rows;
    }

    private Query build(LogFilter filter, PageRequest request) {
        Query query = new Query();
        String where = filter(filter, query);
        int fetch = request.limit() + 1; // one more than asked tells whether there is a next page
        Cursor cursor = request.cursor();
        if (cursor == null) {
            query.sql = "SELECT " + COLUMNS + " FROM " + table + where + " ORDER BY timestamp, id LIMIT ? OFFSET ?";
            query.values.add(fetch);
            query.values.add(request.offset());
        } else if (cursor.timestamp() == null) {
            // already among the rows without a timestamp, which come last
            query.sql = "SELECT " + COLUMNS + " FROM " + table + where + and(where) + "timestamp IS NULL AND id > ?"
                    + " ORDER BY id LIMIT ?";
            query.values.add(cursor.id());
            query.values.add(fetch);
        } else {
            // A row comparison skips NULL timestamps, so they are fetched by a branch of their own; each branch
            // keeps to the index and the outer sort sees at most 2 x fetch rows.
            List<Object> filterValues = List.copyOf(query.values);
            query.sql = "SELECT * FROM ((SELECT " + COLUMNS + " FROM " + table + where + and(where)
                    + "(timestamp, id) > (?, ?) ORDER BY timestamp, id LIMIT ?)"
                    + " UNION ALL (SELECT " + COLUMNS + " FROM " + table + where + and(where)
                    + "timestamp IS NULL ORDER BY id LIMIT ?)) page ORDER BY timestamp, id LIMIT ?";
            query.values.add(cursor.timestamp());
            query.values.add(cursor.id());
            query.values.add(fetch);
            query.values.addAll(filterValues);
            query.values.add(fetch);
            query.values.add(fetch);
        }
        return query;
    }

    private static String filter(LogFilter filter, Query query) {
        if (filter.jobRunId() != null) {
            query.values.add(filter.jobRunId());
            return " WHERE job_run_id = ?";
        }
        if (filter.taskRunId() != null) {
            query.values.add(filter.taskRunId());
            return " WHERE task_run_id = ?";
        }
        if (filter.type() != null) {
            query.values.add(filter.type().dbValue());
            return " WHERE type = ?";
        }
        return "";
    }

    private static String and(String where) {
        return where.isEmpty() ? " WHERE " : " AND ";
    }

    static StoredLog read(ResultSet rs) throws SQLException {
        return new StoredLog(rs.getLong("id"), rs.getString("type"), rs.getObject("job_run_id", UUID.class),
                rs.getObject("task_run_id", UUID.class), rs.getObject("timestamp", LocalDateTime.class),
                rs.getString("level"), rs.getString("stream"), rs.getString("message"), rs.getString("metadata"));
    }

    /** SQL and its parameters in order. */
    private static final class Query {
        String sql;
        final List<Object> values = new ArrayList<>();

        void bind(PreparedStatement statement) throws SQLException {
            for (int i = 0; i < values.size(); i++) {
                statement.setObject(i + 1, values.get(i));
            }
        }
    }
}
