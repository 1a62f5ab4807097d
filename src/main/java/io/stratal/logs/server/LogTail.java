package io.stratal.logs.server;

import io.stratal.logs.query.StoredLog;
import io.stratal.logs.names.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Follows the rows committed to the logs table, oldest id first, for a stream that must not miss any.
 *
 * <p>Ids come from a sequence when a row is inserted, but rows become visible when their transaction
 * commits. With two writers (two app instances, or one appender with several {@code writers}) the one holding
 * the lower ids may commit later, so a reader that only asks for ids above the highest it saw would miss those
 * rows for good. So each gap in the ids seen is kept as a hole and asked for again on every poll until it fills
 * or {@code holeHoldNanos} passes (a rolled-back transaction leaves a gap that never fills). A row found in a
 * hole comes out after rows with higher ids: later, but not lost.
 *
 * <p>Concurrent COPYs draw their ids from the sequence row by row, so their rows interleave: two writers
 * committing 5,000-row batches leave a few hundred holes per batch, up to one per row. The holes are kept by
 * their first id, up to {@link #MAX_HOLES}, and read with one statement that looks each of them up in the
 * primary key, so their number costs an index probe each rather than a longer query text.
 *
 * <p>Not thread-safe: one thread polls.
 */
final class LogTail {

    /** Ids that may yet appear. */
    private record Hole(long from, long to, long sinceNanos) {
    }

    /**
     * Holes kept at most: every row of twelve uncommitted 5,000-row batches interleaved one by one with
     * committed rows. Past it the lowest holes are given up (a flood of rollbacks), and counted.
     */
    static final int MAX_HOLES = 65_536;

    private final String table;
    private final int maxRows;
    private final long holeHoldNanos;
    private final int maxHoles;
    private final NavigableMap<Long, Hole> holes = new TreeMap<>();
    private long lastId = -1;
    private long holesGivenUp;

    /**
     * @param maxRows       rows read by one poll at most (past the newest id; holes come on top)
     * @param holeHoldNanos how long a gap in the ids is asked for again before it counts as rolled back
     */
    public LogTail(TableName table, int maxRows, long holeHoldNanos) {
        this(table, maxRows, holeHoldNanos, MAX_HOLES);
    }

    LogTail(TableName table, int maxRows, long holeHoldNanos, int maxHoles) {
        this.table = table.qualified();
        this.maxRows = maxRows;
        this.holeHoldNanos = holeHoldNanos;
        this.maxHoles = maxHoles;
    }

    /** Starts after the newest row now in the table: what the stream sends is what is written from now on. */
    public void startAtEnd(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT coalesce(max(id), 0) FROM " + table)) {
            rs.next();
            lastId = rs.getLong(1);
        }
        holes.clear();
    }

    public boolean started() {
        return lastId >= 0;
    }

    /** The highest id read so far. */
    public long lastId() {
        return lastId;
    }

    /** Gaps in the ids waited for now. */
    int holes() {
        return holes.size();
    }

    /** Gaps given up before their hold ran out, because more than the bound were open: rows may be missed. */
    public long holesGivenUp() {
        return holesGivenUp;
    }

    /**
     * The lowest id that a later poll may still return: every id at or below it was either returned already
     * or will never be. A subscriber that replays rows from the table itself uses it to tell which of the
     * rows it replays may still come through the stream.
     */
    public long settledThrough() {
        return holes.isEmpty() ? lastId : Math.min(lastId, holes.firstKey() - 1);
    }

    /**
     * Rows committed since the last poll, at most {@code maxRows}, in id order; rows that filled a hole come
     * first.
     */
    public List<StoredLog> poll(Connection connection, long nowNanos) throws SQLException {
        if (!started()) {
            throw new IllegalStateException("startAtEnd first");
        }
        holes.values().removeIf(hole -> nowNanos - hole.sinceNanos >= holeHoldNanos);
        // Both reads first, then the state: a read that fails (the connection lost between the two) leaves the
        // holes and the last id as they were, so the next poll, on a new connection, asks for the same rows.
        List<StoredLog> found = new ArrayList<>();
        if (!holes.isEmpty()) {
            found.addAll(readHoles(connection));
        }
        List<StoredLog> fresh = new ArrayList<>();
        if (found.size() < maxRows) {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT " + StoredLog.COLUMNS + " FROM " + table + " WHERE id > ? ORDER BY id LIMIT ?")) {
                statement.setLong(1, lastId);
                statement.setInt(2, maxRows - found.size());
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        fresh.add(StoredLog.read(rs));
                    }
                }
            }
        }
        // Cut short at maxRows, the rest of a late transaction comes with the next polls: its holes are waited
        // for afresh, so a slow read of a large late commit does not outlast holeHold.
        boolean cutShort = found.size() >= maxRows;
        for (StoredLog log : found) {
            splitHoleAt(log.id(), cutShort, nowNanos);
        }
        for (StoredLog log : fresh) {
            if (log.id() > lastId + 1) {
                addHole(lastId + 1, log.id() - 1, nowNanos);
            }
            lastId = log.id();
        }
        found.addAll(fresh);
        return found;
    }

    /** True when the last poll stopped at {@code maxRows}: poll again at once. */
    public boolean behind(List<StoredLog> lastPoll) {
        return lastPoll.size() >= maxRows;
    }

    /**
     * The rows now in the holes, lowest first, at most {@code maxRows}. Each hole is a range scan of the primary
     * key of its own (the lateral join): a plain join of the ranges with the table, ordered by id, lets the
     * planner walk the whole index instead.
     */
    private List<StoredLog> readHoles(Connection connection) throws SQLException {
        long[] from = new long[holes.size()];
        long[] to = new long[holes.size()];
        int i = 0;
        for (Hole hole : holes.values()) {
            from[i] = hole.from;
            to[i++] = hole.to;
        }
        List<StoredLog> filled = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT l.* FROM unnest(?::int8[], ?::int8[]) AS h (lo, hi)"
                + " CROSS JOIN LATERAL (SELECT " + StoredLog.COLUMNS + " FROM " + table
                + " WHERE id BETWEEN h.lo AND h.hi ORDER BY id LIMIT ?) l ORDER BY l.id LIMIT ?")) {
            statement.setObject(1, from); // pgjdbc sends a long[] as int8[]
            statement.setObject(2, to);
            statement.setInt(3, maxRows);
            statement.setInt(4, maxRows);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    filled.add(StoredLog.read(rs));
                }
            }
        }
        return filled;
    }

    /** Takes {@code id} out of its hole; the pieces left keep the hole's age, or start again at {@code nowNanos}. */
    private void splitHoleAt(long id, boolean renew, long nowNanos) {
        Map.Entry<Long, Hole> entry = holes.floorEntry(id);
        if (entry == null || id > entry.getValue().to) {
            return;
        }
        Hole hole = holes.remove(entry.getKey());
        long since = renew ? nowNanos : hole.sinceNanos;
        if (id > hole.from) {
            holes.put(hole.from, new Hole(hole.from, id - 1, since));
        }
        if (id < hole.to) {
            holes.put(id + 1, new Hole(id + 1, hole.to, since));
        }
    }

    private void addHole(long from, long to, long nowNanos) {
        holes.put(from, new Hole(from, to, nowNanos));
        if (holes.size() > maxHoles) {
            holes.pollFirstEntry(); // a flood of gaps (many rollbacks): give up on the lowest rather than grow without end
            holesGivenUp++;
        }
    }
}
