package io.stratal.logs.query;

import io.stratal.logs.names.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The read queries: a job run's logs (its own and its tasks'), a task run's, the system logs, the
 * logs of one type; in {@code (timestamp, id)} order, by offset or by keyset cursor.
 *
 * <p>Every query keeps to an index of both index sets (the default seven and the lean opt-in set):
 * {@code (job_run_id, timestamp)}, {@code (task_run_id, timestamp)}, and {@code timestamp} or
 * {@code (type, timestamp)}; {@code id} only breaks ties. NULL timestamps sort last, as PostgreSQL sorts
 * them ascending.
 */
public final class LogReader {

    private static final String COLUMNS = StoredLog.COLUMNS;
    private static final String QUALIFIED_COLUMNS = "l.id, l.type, l.job_run_id, l.task_run_id, l.timestamp, l.level,"
            + " l.stream, l.message, l.metadata::text AS metadata";
    /** The default of {@link #LogReader(DataSource, TableName, int)}: 10 to 20 ms of reading (docs/PERFORMANCE.md). */
    public static final int DEFAULT_MAX_ROWS_SCANNED = 10_000;

    private final DataSource dataSource;
    private final String table;
    private final int maxRowsScanned;

    /**
     * A reader of {@code table} that reads at most {@link #DEFAULT_MAX_ROWS_SCANNED} rows for a page.
     *
     * @param dataSource where connections come from
     * @param table      the logs table
     */
    public LogReader(DataSource dataSource, TableName table) {
        this(dataSource, table, DEFAULT_MAX_ROWS_SCANNED);
    }

    /**
     * A reader of {@code table} that reads at most {@code maxRowsScanned} rows of a selection for a page with
     * a text or metadata condition.
     *
     * @param dataSource where connections come from
     * @param table the logs table
     * @param maxRowsScanned how many rows of the selection a page whose conditions test each row ({@code q},
     *                       {@code meta.}) reads at most before it answers; 0 for no bound
     */
    public LogReader(DataSource dataSource, TableName table, int maxRowsScanned) {
        if (maxRowsScanned < 0) {
            throw new IllegalArgumentException("maxRowsScanned must be 0 (no bound) or more, got " + maxRowsScanned);
        }
        this.dataSource = dataSource;
        this.table = table.qualified();
        this.maxRowsScanned = maxRowsScanned;
    }

    /**
     * One page of the rows {@code filter} selects. An id that matches nothing gives an empty page.
     *
     * <p>A page whose conditions test each row ({@code q}, {@code meta.}; no index serves them) reads at
     * most {@code maxRowsScanned} rows of the rest of the selection. When that bound is reached before the
     * page is full, the page holds the matches found so far, perhaps none, with {@code hasMore} and a cursor
     * after the last row read: each page costs a bounded time, however rare the matches (paged by
     * {@code offset}, the bound does not apply).
     *
     * @param filter the selection
     * @param request the page to read
     * @return the page
     * @throws SQLException when the database cannot answer
     */
    public LogPage page(LogFilter filter, PageRequest request) throws SQLException {
        LogConditions conditions = filter.conditions();
        boolean testsRows = conditions.text() != null || !conditions.meta().isEmpty();
        if (testsRows && maxRowsScanned > 0 && request.offset() == 0) {
            return boundedPage(filter, request);
        }
        List<StoredLog> rows = fetch(build(filter, request, request.limit() + 1, COLUMNS, true));
        boolean hasMore = rows.size() > request.limit();
        if (hasMore) {
            rows = rows.subList(0, request.limit());
        }
        Cursor next = hasMore ? Cursor.after(rows.get(rows.size() - 1), request.descending()) : null;
        return new LogPage(rows, request.limit(), request.offset(), hasMore, next, previous(rows, request));
    }

    /** The rows before the page's first, in the other order: none to read when the page starts its selection. */
    private static Cursor previous(List<StoredLog> rows, PageRequest request) {
        if (rows.isEmpty() || (request.cursor() == null && request.offset() == 0)) {
            return null;
        }
        return Cursor.after(rows.get(0), !request.descending());
    }

    /**
     * Where a page starts at the row with id {@code id}: a cursor that puts it first, in either order. The page
     * holds the row when the selection does, and otherwise starts where it would stand. For a link to one
     * line that opens the view around it.
     *
     * @param id         a row's id
     * @param descending whether the page goes newest first
     * @return the cursor, or {@code null} when no row has that id
     * @throws SQLException when the database cannot answer
     */
    public Cursor cursorAt(long id, boolean descending) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT timestamp FROM " + table + " WHERE id = ?")) {
            statement.setLong(1, id);
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                LocalDateTime timestamp = rs.getObject(1, LocalDateTime.class);
                // keyset order is (timestamp, id) with ids whole numbers: just before the row, or just after it
                return descending ? new Cursor(timestamp, id + 1, true) : new Cursor(timestamp, id - 1, false);
            }
        }
    }

    /**
     * The next {@code maxRowsScanned} rows of the selection in page order, by the conditions an index serves;
     * of them, kept narrow (id, timestamp, whether the row tests pass), the first matches (up to limit + 1)
     * and the last row read, with how many rows were read; then the matches' rows by id.
     */
    private LogPage boundedPage(LogFilter filter, PageRequest request) throws SQLException {
        Query query = new Query();
        List<String> tests = new ArrayList<>();
        rowTests(filter.conditions(), tests, query); // their values first: they come first in the SQL
        Query inner = build(filter, request, maxRowsScanned, "id, timestamp, message, metadata", false);
        query.values.addAll(inner.values);
        String order = request.descending() ? "timestamp DESC, id DESC" : "timestamp, id";
        String reverse = request.descending() ? "timestamp, id" : "timestamp DESC, id DESC";
        query.sql = "WITH scanned AS (SELECT id, timestamp, (" + String.join(" AND ", tests) + ") AS hit"
                + " FROM (" + inner.sql + ") selection),"
                + " picked AS ((SELECT id, 0::bigint AS read FROM scanned WHERE hit ORDER BY " + order + " LIMIT ?)"
                + " UNION ALL (SELECT id, (SELECT count(*) FROM scanned) FROM scanned ORDER BY " + reverse + " LIMIT 1))"
                + " SELECT " + QUALIFIED_COLUMNS + ", picked.read FROM picked JOIN " + table + " l ON l.id = picked.id";
        query.values.add(request.limit() + 1);
        List<StoredLog> matches = new ArrayList<>();
        StoredLog lastRead = null;
        long read = 0;
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(query.sql)) {
            query.bind(statement);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    long scanned = rs.getLong("read");
                    if (scanned == 0) {
                        matches.add(StoredLog.read(rs));
                    } else {
                        lastRead = StoredLog.read(rs);
                        read = scanned;
                    }
                }
            }
        }
        Comparator<StoredLog> pageOrder = Comparator.comparing(StoredLog::timestamp, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparingLong(StoredLog::id);
        matches.sort(request.descending() ? pageOrder.reversed() : pageOrder);
        if (matches.size() > request.limit()) {
            List<StoredLog> rows = matches.subList(0, request.limit());
            return new LogPage(rows, request.limit(), 0, true, Cursor.after(rows.get(rows.size() - 1), request.descending()),
                    previous(rows, request));
        }
        boolean more = read >= maxRowsScanned; // the bound was reached: the selection may go on
        return new LogPage(matches, request.limit(), 0, more, more ? Cursor.after(lastRead, request.descending()) : null,
                previous(matches, request));
    }

    /**
     * Up to {@code limit} rows {@code filter} selects whose id is above {@code afterId}, in id order: what a
     * stream client that saw {@code afterId} last has not seen yet.
     *
     * @param filter the selection
     * @param afterId rows with a greater id
     * @param limit rows at most
     * @return the rows, in id order
     * @throws SQLException when the database cannot answer
     */
    public List<StoredLog> after(LogFilter filter, long afterId, int limit) throws SQLException {
        Query query = new Query();
        String where = filter(filter, query, true);
        query.sql = "SELECT " + COLUMNS + " FROM " + table + where + and(where) + "id > ? ORDER BY id LIMIT ?";
        query.values.add(afterId);
        query.values.add(limit);
        return fetch(query);
    }

    /** Receives the rows of {@link #forEach}, one at a time. */
    @FunctionalInterface
    public interface RowConsumer {
        /**
         * Takes one row.
         *
         * @param log the row
         * @throws java.io.IOException when the row cannot be written on
         */
        void accept(StoredLog log) throws java.io.IOException;
    }

    /**
     * Every row {@code filter} selects, in order, handed to {@code consumer} as the database sends it: the
     * driver fetches {@value #STREAM_FETCH_ROWS} rows at a time inside one read-only transaction, so memory
     * stays bounded whatever the selection's size (a download of a whole run).
     *
     * @param filter the selection
     * @param descending newest first
     * @param consumer called with each row, in order
     * @return how many rows were handed over
     * @throws SQLException when the database cannot answer
     * @throws java.io.IOException when {@code consumer} fails
     */
    public long forEach(LogFilter filter, boolean descending, RowConsumer consumer) throws SQLException, java.io.IOException {
        Query query = new Query();
        String where = filter(filter, query, true);
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
                        consumer.accept(StoredLog.read(rs));
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
                    rows.add(StoredLog.read(rs));
                }
            }
        }
        return rows;
    }

    /**
     * The page query: up to {@code fetch} rows of {@code columns} (one more than asked tells whether there is
     * a next page); {@code withRowTests} off leaves out {@code q} and {@code meta.}.
     */
    private Query build(LogFilter filter, PageRequest request, int fetch, String columns, boolean withRowTests) {
        Query query = new Query();
        String where = filter(filter, query, withRowTests);
        if (request.descending()) {
            buildNewestFirst(where, request, fetch, columns, query);
        } else {
            buildOldestFirst(where, request, fetch, columns, query);
        }
        return query;
    }

    private void buildOldestFirst(String where, PageRequest request, int fetch, String columns, Query query) {
        Cursor cursor = request.cursor();
        if (cursor == null) {
            query.sql = "SELECT " + columns + " FROM " + table + where + " ORDER BY timestamp, id LIMIT ? OFFSET ?";
            query.values.add(fetch);
            query.values.add(request.offset());
        } else if (cursor.timestamp() == null) {
            // already among the rows without a timestamp, which come last
            query.sql = "SELECT " + columns + " FROM " + table + where + and(where) + "timestamp IS NULL AND id > ?"
                    + " ORDER BY id LIMIT ?";
            query.values.add(cursor.id());
            query.values.add(fetch);
        } else {
            // A row comparison skips NULL timestamps, so they are fetched by a branch of their own; each branch
            // keeps to the index and the outer sort sees at most 2 x fetch rows.
            List<Object> filterValues = List.copyOf(query.values);
            query.sql = "SELECT * FROM ((SELECT " + columns + " FROM " + table + where + and(where)
                    + "(timestamp, id) > (?, ?) ORDER BY timestamp, id LIMIT ?)"
                    + " UNION ALL (SELECT " + columns + " FROM " + table + where + and(where)
                    + "timestamp IS NULL ORDER BY id LIMIT ?)) page ORDER BY timestamp, id LIMIT ?";
            query.values.add(cursor.timestamp());
            query.values.add(cursor.id());
            query.values.add(fetch);
            query.values.addAll(filterValues);
            query.values.add(fetch);
            query.values.add(fetch);
        }
    }

    /** The exact reverse of the oldest-first order: rows without a timestamp first, then the newest. */
    private void buildNewestFirst(String where, PageRequest request, int fetch, String columns, Query query) {
        Cursor cursor = request.cursor();
        if (cursor == null) {
            query.sql = "SELECT " + columns + " FROM " + table + where + " ORDER BY timestamp DESC, id DESC LIMIT ? OFFSET ?";
            query.values.add(fetch);
            query.values.add(request.offset());
        } else if (cursor.timestamp() == null) {
            // among the rows without a timestamp, which come first: the rest of them, then every dated row
            List<Object> filterValues = List.copyOf(query.values);
            query.sql = "SELECT * FROM ((SELECT " + columns + " FROM " + table + where + and(where)
                    + "timestamp IS NULL AND id < ? ORDER BY id DESC LIMIT ?)"
                    + " UNION ALL (SELECT " + columns + " FROM " + table + where + and(where)
                    + "timestamp IS NOT NULL ORDER BY timestamp DESC, id DESC LIMIT ?)) page"
                    + " ORDER BY timestamp DESC, id DESC LIMIT ?";
            query.values.add(cursor.id());
            query.values.add(fetch);
            query.values.addAll(filterValues);
            query.values.add(fetch);
            query.values.add(fetch);
        } else {
            query.sql = "SELECT " + columns + " FROM " + table + where + and(where)
                    + "(timestamp, id) < (?, ?) ORDER BY timestamp DESC, id DESC LIMIT ?";
            query.values.add(cursor.timestamp());
            query.values.add(cursor.id());
            query.values.add(fetch);
        }
    }

    /**
     * The WHERE clause of {@code filter}, its values added to {@code query}; "" for every row. Without
     * {@code withRowTests}, {@code q} and {@code meta.} are left out (see {@link #rowTests}).
     */
    private static String filter(LogFilter filter, Query query, boolean withRowTests) {
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
        if (withRowTests) {
            rowTests(conditions, clauses, query);
        }
        return clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses);
    }

    /** The conditions no index serves, tested on each row: {@code q} and {@code meta.}. */
    private static void rowTests(LogConditions conditions, List<String> clauses, Query query) {
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
