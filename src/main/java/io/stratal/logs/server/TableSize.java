package io.stratal.logs.server;

import io.stratal.logs.names.TableName;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logs table's size for {@code stratal_logs_table_bytes}: the table with its indexes and TOAST, and on a
 * partitioned table every partition's (the parent itself holds nothing). The feed reads it on its own connection
 * at most once per interval, so a scrape never does. A read that fails is reported once and keeps the last value:
 * the size is not worth breaking the feed for.
 *
 * <p>Not thread-safe for reading the size: the feed's thread reads it; any thread takes {@link #bytes()}.
 */
final class TableSize {

    private static final Logger log = LoggerFactory.getLogger(TableSize.class);

    private final TableName table;
    private final String query;
    private final long intervalNanos;
    private volatile long bytes = -1;
    private long readNanos;
    private boolean read;
    private boolean failing;

    TableSize(TableName table, long intervalNanos) {
        this.table = table;
        this.intervalNanos = intervalNanos;
        // a checked identifier (TableName), so safe to splice; pg_partition_tree has no rows for a plain table
        String relation = "'" + table.qualified() + "'::regclass";
        this.query = "SELECT pg_total_relation_size(" + relation + ") + coalesce((SELECT sum(pg_total_relation_size(relid))"
                + " FROM pg_partition_tree(" + relation + ") WHERE relid <> " + relation + "), 0)";
    }

    /** Reads the size when the last read is {@code intervalNanos} old, or there was none. */
    void readWhenDue(Connection connection, long nowNanos) {
        if (read && nowNanos - readNanos < intervalNanos) {
            return;
        }
        read = true;
        readNanos = nowNanos;
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(query)) {
            rs.next();
            bytes = rs.getLong(1);
            failing = false;
        } catch (SQLException e) {
            if (!failing) {
                log.warn("Cannot read the size of {} for /metrics: {}; stratal_logs_table_bytes keeps its last value",
                        table, e.getMessage());
            }
            failing = true;
        }
    }

    /** {@return the bytes as last read; -1 before the first read that succeeded} */
    long bytes() {
        return bytes;
    }
}
