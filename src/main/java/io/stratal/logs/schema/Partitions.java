package io.stratal.logs.schema;

import io.stratal.logs.names.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The partitions of a logs table range-partitioned by timestamp ({@code db/optional/000006_partitioned-logs}):
 * what they are, making the next ones (pg_partman's maintenance when the table is registered with it, else
 * {@code stratal_create_log_partitions}), and dropping the ones wholly older than a cut-off.
 */
public final class Partitions {

    /**
     * One partition, its bounds and its size.
     *
     * @param name          the partition's table name
     * @param from          the first timestamp it holds (UTC), {@code null} for MINVALUE or the default partition
     * @param to            the timestamp its range ends before (UTC), {@code null} for the default partition
     * @param isDefault     whether it is the default partition, holding what no range takes
     * @param estimatedRows its rows, as the planner's statistics estimate them
     * @param totalBytes    its size on disk, indexes included
     */
    public record Partition(String name, LocalDateTime from, LocalDateTime to, boolean isDefault, long estimatedRows,
                            long totalBytes) {

        /**
         * {@return true when every timestamp this partition can hold is before {@code cutoff}}
         *
         * @param cutoff the cut-off, in UTC: rows with an earlier timestamp are old
         */
        public boolean whollyBefore(LocalDateTime cutoff) {
            return !isDefault && to != null && !to.isAfter(cutoff);
        }

        /** {@return its bounds as PostgreSQL shows them, {@code DEFAULT} for the default partition} */
        public String range() {
            return isDefault ? "DEFAULT" : "[" + (from == null ? "MINVALUE" : from.toString()) + ", " + to + ")";
        }
    }

    /** How long a drop waits for the table's lock before it gives up and tries again. */
    private static final String LOCK_TIMEOUT = "5s";
    private static final int LOCK_ATTEMPTS = 5;

    /** The table (the {@code ?} bound to its name) as pg_partman names a parent: {@code schema.table}. */
    private static final String PARENT_NAME = "(SELECT n.nspname || '.' || c.relname FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ?::regclass)";

    private final TableName table;

    /**
     * The partitions of {@code table}.
     *
     * @param table the logs table
     */
    public Partitions(TableName table) {
        this.table = table;
    }

    /**
     * {@return true when the table is partitioned}
     *
     * @param connection a connection to the database
     * @throws SQLException when the database cannot answer
     */
    public boolean isPartitioned(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass(?)")) {
            statement.setString(1, table.qualified());
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /**
     * {@return the table's partitions, oldest first, the default one last}
     *
     * @param connection a connection to the database
     * @throws SQLException when the database cannot answer
     */
    public List<Partition> list(Connection connection) throws SQLException {
        List<Partition> partitions = new ArrayList<>();
        // the bounds are cast back from the text PostgreSQL shows them in, in the session's own date style
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT c.oid::regclass::text, pg_get_expr(c.relpartbound, c.oid), nullif(b[1], 'MINVALUE')::timestamp,"
                        + " b[2]::timestamp, greatest(c.reltuples, 0)::bigint, pg_total_relation_size(c.oid)"
                        + " FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid,"
                        + " regexp_match(pg_get_expr(c.relpartbound, c.oid), '^FOR VALUES FROM \\(''?([^'')]+)''?\\) TO \\(''([^'']+)''\\)$') b"
                        + " WHERE i.inhparent = ?::regclass")) {
            statement.setString(1, table.qualified());
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    boolean isDefault = rs.getString(2).equals("DEFAULT");
                    LocalDateTime to = rs.getObject(4, LocalDateTime.class);
                    if (!isDefault && to == null) {
                        throw new IllegalStateException(table + " has a partition not ranged by one timestamp: "
                                + rs.getString(1) + " " + rs.getString(2));
                    }
                    partitions.add(new Partition(rs.getString(1), rs.getObject(3, LocalDateTime.class), to, isDefault,
                            rs.getLong(5), rs.getLong(6)));
                }
            }
        }
        partitions.sort((a, b) -> a.isDefault() != b.isDefault() ? Boolean.compare(a.isDefault(), b.isDefault())
                : a.to().compareTo(b.to()));
        return partitions;
    }

    /**
     * {@return the schema of pg_partman when the table is registered with it, else {@code null}}
     *
     * @param connection a connection to the database
     * @throws SQLException when the database cannot answer
     */
    public String partmanSchema(Connection connection) throws SQLException {
        String schema;
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n"
                     + " ON n.oid = e.extnamespace WHERE e.extname = 'pg_partman'")) {
            if (!rs.next()) {
                return null;
            }
            schema = rs.getString(1);
        }
        try (PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM " + quote(schema)
                + ".part_config WHERE parent_table = " + PARENT_NAME)) {
            statement.setString(1, table.qualified());
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? schema : null;
            }
        }
    }

    /**
     * Makes the partitions due: when the table is registered with pg_partman, its own: the rows in the default
     * partition moved to partitions of their own ({@code partition_data_time}), then its maintenance, with
     * the premake of {@code part_config} ({@code premake} is not used); else
     * {@code stratal_create_log_partitions} with {@code premake} intervals ahead. Returns the partitions made.
     *
     * @param connection a connection to the database
     * @param premake how many partitions to keep made ahead of now
     * @return the names of the partitions it made
     * @throws SQLException when the database cannot answer
     */
    public List<String> createAhead(Connection connection, int premake) throws SQLException {
        if (!isPartitioned(connection)) {
            throw new IllegalStateException(table + " is not partitioned: apply db/optional/000006_partitioned-logs first"
                    + " (migrate up --partitioned)");
        }
        List<String> before = names(list(connection));
        String partman = partmanSchema(connection);
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(true);
        try {
            if (partman != null) {
                // rows the default partition holds go to partitions of their own first: pg_partman cannot make
                // a partition whose range has rows in the default one
                try (PreparedStatement statement = connection.prepareStatement("SELECT " + quote(partman)
                        + ".partition_data_time(p_parent_table := " + PARENT_NAME + ", p_batch_count := 1000)")) {
                    statement.setString(1, table.qualified());
                    statement.execute();
                }
                try (PreparedStatement statement = connection.prepareStatement("SELECT " + quote(partman)
                        + ".run_maintenance(p_parent_table := " + PARENT_NAME + ")")) {
                    statement.setString(1, table.qualified());
                    statement.execute();
                }
            } else {
                try (PreparedStatement statement = connection.prepareStatement("SELECT count(*) FROM "
                        + table.sibling("stratal_create_log_partitions") + "(?::regclass, ?)")) {
                    statement.setString(1, table.qualified());
                    statement.setInt(2, premake);
                    statement.execute();
                }
            }
        } finally {
            connection.setAutoCommit(autoCommit);
        }
        List<String> made = names(list(connection));
        made.removeAll(before);
        return made;
    }

    /**
     * {@return the partitions that hold only timestamps before {@code cutoff}: retention drops them whole}
     *
     * @param connection a connection to the database
     * @param cutoff the cut-off, in UTC: rows with an earlier timestamp are old
     * @throws SQLException when the database cannot answer
     */
    public List<Partition> whollyBefore(Connection connection, LocalDateTime cutoff) throws SQLException {
        List<Partition> old = new ArrayList<>();
        for (Partition p : list(connection)) {
            if (p.whollyBefore(cutoff)) {
                old.add(p);
            }
        }
        return old;
    }

    /**
     * Drops {@code partition}, returning how many rows it held (counted just before). Dropping needs the table's strongest lock for
     * a moment; it waits at most {@value #LOCK_TIMEOUT} for it (a long read holds it off) and tries again,
     * {@value #LOCK_ATTEMPTS} times, so the writers and readers queued behind it are not held for long.
     *
     * @param connection a connection to the database
     * @param partition the partition
     * @return how many rows the partition held
     * @throws SQLException when the database cannot answer
     */
    public long drop(Connection connection, Partition partition) throws SQLException {
        // counted before the lock: nothing new is dated that far back, as a rule
        return drop(connection, partition, count(connection, partition));
    }

    /** {@link #drop(Connection, Partition)} with its rows counted already. */
    long drop(Connection connection, Partition partition, long rows) throws SQLException {
        dropLocked(connection, partition, null);
        return rows;
    }

    /**
     * Drops {@code partition} only when every row it holds has its id in {@code idTable} (a table, temporary or not,
     * with a {@code bigint} column {@code id}): for a purge that archived those rows first, so that no row is dropped
     * unarchived, whatever was logged into the range late. The check runs while the partition alone is locked
     * against writes (other partitions keep taking rows); the table's strongest lock is taken only for the drop,
     * waited for as {@link #drop(Connection, Partition)} does.
     *
     * @param connection a connection to the database
     * @param partition  the partition
     * @param idTable    the table of the ids that may go, as written in SQL
     * @return whether it was dropped
     * @throws SQLException when the database cannot answer
     */
    public boolean dropIfArchived(Connection connection, Partition partition, String idTable) throws SQLException {
        return dropLocked(connection, partition, "SELECT EXISTS (SELECT 1 FROM " + partition.name() + " p WHERE NOT EXISTS"
                + " (SELECT 1 FROM " + idTable + " a WHERE a.id = p.id))");
    }

    /**
     * Drops under the table's lock, retried on a lock timeout. With {@code refusal}, a query run first under a SHARE
     * lock of the partition: when it answers true, nothing is dropped.
     */
    private boolean dropLocked(Connection connection, Partition partition, String refusal) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            for (int attempt = 1; ; attempt++) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'");
                    if (refusal != null) {
                        statement.execute("LOCK TABLE " + partition.name() + " IN SHARE MODE");
                        try (ResultSet rs = statement.executeQuery(refusal)) {
                            rs.next();
                            if (rs.getBoolean(1)) {
                                connection.rollback();
                                return false;
                            }
                        }
                    }
                    // ONLY: the partitioned table itself, not every partition (each would wait on its own readers)
                    statement.execute("LOCK TABLE ONLY " + table.qualified() + " IN ACCESS EXCLUSIVE MODE");
                    statement.execute("DROP TABLE " + partition.name());
                    connection.commit();
                    return true;
                } catch (SQLException e) {
                    connection.rollback();
                    if (!"55P03".equals(e.getSQLState()) || attempt == LOCK_ATTEMPTS) {
                        throw e;
                    }
                }
            }
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /**
     * {@return how many rows {@code partition} holds}
     *
     * @param connection a connection to the database
     * @param partition the partition
     * @throws SQLException when the database cannot answer
     */
    public long count(Connection connection, Partition partition) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + partition.name())) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> names(List<Partition> partitions) {
        List<String> names = new ArrayList<>();
        partitions.forEach(p -> names.add(p.name()));
        return names;
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
