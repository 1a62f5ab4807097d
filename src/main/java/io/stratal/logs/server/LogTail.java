package io.stratal.logs.server;

import io.stratal.logs.query.StoredLog;
import io.stratal.logs.names.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Follows the rows committed to the logs table, oldest id first, for a stream that must not miss any.
 *
 * <p>Ids come from a sequence when a row is inserted, but rows become visible when their transaction
 * commits. With two writers (two app instances, say) the one holding the lower ids may commit later, so a
 * reader that only asks for ids above the highest it saw would miss those rows for good. So each gap in the
 * ids seen is kept as a hole and asked for again on every poll until it fills or {@code holeHoldNanos}
 * passes (a rolled-back transaction leaves a gap that never fills). A row found in a hole comes out after
 * rows with higher ids: later, but not lost.
 *
 * <p>Not thread-safe: one thread polls.
 */
final class LogTail {

    /** Ids that may yet appear. */
    private record Hole(long from, long to, long sinceNanos) {
    }

    static final int MAX_HOLES = 256;

    private final String table;
    private final int maxRows;
    private final long holeHoldNanos;
    private final List<Hole> holes = new ArrayList<>();
    private long lastId = -1;

    /**
     * @param maxRows       rows read by one poll at most (past the newest id; holes come on top)
     * @param holeHoldNanos how long a gap in the ids is asked for again before it counts as rolled back
     */
    public LogTail(TableName table, int maxRows, long holeHoldNanos) {
        this.table = table.qualified();
        this.maxRows = maxRows;
        this.holeHoldNanos = holeHoldNanos;
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

    /**
     * The lowest id that a later poll may still return: every id at or below it was either returned already
     * or will never be. A subscriber that replays rows from the table itself uses it to tell which of the
     * rows it replays may still come through the stream.
     */
    public long settledThrough() {
        long settled = lastId;
        for (Hole hole : holes) {
            settled = Math.min(settled, hole.from - 1);
        }
        return settled;
    }

    /**
     * Rows committed since the last poll, at most {@code maxRows}, in id order; rows that filled a hole come
     * first.
     */
    public List<StoredLog> poll(Connection connection, long nowNanos) throws SQLException {
        if (!started()) {
            throw new IllegalStateException("startAtEnd first");
        }
        holes.removeIf(hole -> nowNanos - hole.sinceNanos >= holeHoldNanos);
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

    private List<StoredLog> readHoles(Connection connection) throws SQLException {
        StringBuilder where = new StringBuilder();
        for (int i = 0; i < holes.size(); i++) {
            where.append(i == 0 ? "" : " OR ").append("id BETWEEN ? AND ?");
        }
        List<StoredLog> filled = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT " + StoredLog.COLUMNS + " FROM " + table + " WHERE " + where + " ORDER BY id LIMIT ?")) {
            int p = 1;
            for (Hole hole : holes) {
                statement.setLong(p++, hole.from);
                statement.setLong(p++, hole.to);
            }
            statement.setInt(p, maxRows);
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
        for (int i = 0; i < holes.size(); i++) {
            Hole hole = holes.get(i);
            if (id < hole.from || id > hole.to) {
                continue;
            }
            long since = renew ? nowNanos : hole.sinceNanos;
            holes.remove(i);
            if (id < hole.to) {
                holes.add(i, new Hole(id + 1, hole.to, since));
            }
            if (id > hole.from) {
                holes.add(i, new Hole(hole.from, id - 1, since));
            }
            return;
        }
    }

    private void addHole(long from, long to, long nowNanos) {
        holes.add(new Hole(from, to, nowNanos));
        if (holes.size() > MAX_HOLES) {
            Iterator<Hole> oldest = holes.iterator();
            oldest.next();
            oldest.remove(); // a flood of gaps (many rollbacks): give up on the oldest rather than grow the query
        }
    }
}
