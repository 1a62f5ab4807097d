package io.stratal.logs.query;

import io.stratal.logs.names.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
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
        Cursor next = hasMore ? Cursor.after(rows.get(rows.size() - 1), request.descending()) : null;
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

    /** Receives the rows of {@link #forEach}, one at a time. */
    @FunctionalInterface
    public interface RowConsumer {
        void accept(StoredLog log) throws java.io.IOException;
    }

    /**
     * Every row {@code filter} selects, in order, handed to {@code consumer} as the database sends it: the
     * driver fetches {@value #STREAM_FETCH_ROWS} rows at a time inside one read-only transaction, so memory
     * stays bounded whatever the selection's size (a download of a whole run).
     */
    public long forEach(LogFilter filter, boolean descending, RowConsumer consumer) throws SQLException, java.io.IOException {
        Query query = new Query();
        String where = filter(filter, query);
        query.sql = "SELECT " + COLUMNS + " FROM " + table + where
                + (descending ? " ORDER BY timestamp DESC, id DESC" : " ORDER BY timestamp, id");
        long rows = 0;
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false); // pgjdbc streams with a fetch size only inside a transaction
            try (PreparedStatement statement = connection.prepareStatement(query.sql)) {
                statement.setFetchSize(STREAM_FETCH_ROWS);
                query.bind(statement);
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        consumer.accept(read(rs));
                        rows++;
                    }
                }
            } finally {
                connection.rollback(); // read only: nothing to keep
                connection.setAutoCommit(autoCommit);
            }
        }
        return rows;
    }

    private static final int STREAM_FETCH_ROWS = 1000;

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
        return request.descending() ? buildNewestFirst(filter, request) : buildOldestFirst(filter, request);
    }

    private Query buildOldestFirst(LogFilter filter, PageRequest request) {
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

    /** The exact reverse of the oldest-first order: rows without a timestamp first, then the newest. */
    private Query buildNewestFirst(LogFilter filter, PageRequest request) {
        Query query = new Query();
        String where = filter(filter, query);
        int fetch = request.limit() + 1;
        Cursor cursor = request.cursor();
        if (cursor == null) {
            query.sql = "SELECT " + COLUMNS + " FROM " + table + where + " ORDER BY timestamp DESC, id DESC LIMIT ? OFFSET ?";
            query.values.add(fetch);
            query.values.add(request.offset());
        } else if (cursor.timestamp() == null) {
            // among the rows without a timestamp, which come first: the rest of them, then every dated row
            List<Object> filterValues = List.copyOf(query.values);
            query.sql = "SELECT * FROM ((SELECT " + COLUMNS + " FROM " + table + where + and(where)
                    + "timestamp IS NULL AND id < ? ORDER BY id DESC LIMIT ?)"
                    + " UNION ALL (SELECT " + COLUMNS + " FROM " + table + where + and(where)
                    + "timestamp IS NOT NULL ORDER BY timestamp DESC, id DESC LIMIT ?)) page"
                    + " ORDER BY timestamp DESC, id DESC LIMIT ?";
            query.values.add(cursor.id());
            query.values.add(fetch);
            query.values.addAll(filterValues);
            query.values.add(fetch);
            query.values.add(fetch);
        } else {
            query.sql = "SELECT " + COLUMNS + " FROM " + table + where + and(where)
                    + "(timestamp, id) < (?, ?) ORDER BY timestamp DESC, id DESC LIMIT ?";
            query.values.add(cursor.timestamp());
            query.values.add(cursor.id());
            query.values.add(fetch);
        }
        return query;
    }

    /** The WHERE clause of {@code filter}, its values added to {@code query}; "" for every row. */
    private static String filter(LogFilter filter, Query query) {
        List<String> clauses = new ArrayList<>();
        if (filter.jobRunId() != null) {
            clauses.add("job_run_id = ?");
            query.values.add(filter.jobRunId());
        }
        if (filter.taskRunId() != null) {
            clauses.add("task_run_id = ?");
            query.values.add(filter.taskRunId());
        }
        if (filter.type() != null) {
            clauses.add("type = ?");
            query.values.add(filter.type().dbValue());
        }
        LogConditions conditions = filter.conditions();
        in("level", conditions.levels(), clauses, query);
        in("stream", conditions.streams(), clauses, query);
        if (conditions.since() != null) {
            clauses.add("timestamp >= ?");
            query.values.add(conditions.since());
        }
        if (conditions.until() != null) {
            clauses.add("timestamp < ?");
            query.values.add(conditions.until());
        }
        if (conditions.text() != null) {
            clauses.add("message ILIKE ? ESCAPE '\\'");
            query.values.add("%" + literal(conditions.text()) + "%");
        }
        for (Map.Entry<String, String> entry : conditions.meta().entrySet()) {
            // a top-level scalar equal as text; an object or array is not a value to filter by (as for streams)
            clauses.add("jsonb_typeof(metadata -> ?) IN ('string', 'number', 'boolean') AND metadata ->> ? = ?");
            query.values.add(entry.getKey());
            query.values.add(entry.getKey());
            query.values.add(entry.getValue());
        }
        return clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses);
    }

    /**
     * {@code column IN (...)}. The four levels and three streams are written into the SQL as literals, so the
     * planner sees them in every plan, a cached generic one included, and can use a partial index on them
     * ({@code db/optional/000004_problem-index}); any other word is bound as a parameter.
     */
    private static void in(String column, Set<String> words, List<String> clauses, Query query) {
        if (words.isEmpty()) {
            return;
        }
        if (LogConditions.KNOWN_WORDS.containsAll(words)) {
            // the constants themselves are written, never the caller's strings
            clauses.add(column + " IN (" + LogConditions.KNOWN_WORDS.stream().filter(words::contains).sorted()
                    .map(word -> "'" + word + "'").collect(Collectors.joining(", ")) + ")");
        } else {
            clauses.add(column + " IN (" + String.join(", ", Collections.nCopies(words.size(), "?")) + ")");
            query.values.addAll(words);
        }
    }

    /** {@code text} for LIKE, its wildcards and the escape character taken literally. */
    static String literal(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
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
