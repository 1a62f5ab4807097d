package io.stratal.logs.internal.sink;

import io.stratal.logs.names.TableName;
import io.stratal.logs.pipeline.StatusListener;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

/**
 * Announces each committed batch with {@code pg_notify(channel, table)} inside its transaction, so a log
 * server streams the new rows at once: PostgreSQL delivers the notification when, and only if, the batch
 * commits. When the server's notification queue is full it pauses for a while instead of failing every
 * commit.
 */
final class BatchNotifier {

    /** program_limit_exceeded: what a commit that notifies gets when the server's notification queue is full. */
    private static final String NOTIFY_QUEUE_FULL = "54000";
    private static final long PAUSE_NANOS = TimeUnit.MINUTES.toNanos(5);

    private final String channel;
    private final String table;
    private final StatusListener reporter;
    /** Notifications resume at this nanoTime after the queue was full; in the past when never paused. */
    private long pausedUntil = System.nanoTime();

    /** @param channel the channel, or {@code null} to announce nothing */
    BatchNotifier(String channel, TableName table, StatusListener reporter) {
        this.channel = channel;
        this.table = table.qualified();
        this.reporter = reporter;
    }

    /** Notifies within the open transaction; returns whether it did. */
    boolean announce(Connection connection) throws SQLException {
        if (channel == null || System.nanoTime() - pausedUntil < 0) {
            return false;
        }
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
            statement.setString(1, channel);
            statement.setString(2, table);
            statement.execute();
        }
        return true;
    }

    /**
     * A commit failed: when it had notified and the failure is a full notification queue, notifications
     * pause. The queue stays full until a listener that does not read (a stuck LISTEN session) goes away, and
     * every transaction that notifies fails at commit until then. Logs come first: write without notifying
     * for a while, and say why.
     */
    void commitFailed(boolean announced, SQLException e) {
        if (!announced || !NOTIFY_QUEUE_FULL.equals(e.getSQLState())) {
            return;
        }
        pausedUntil = System.nanoTime() + PAUSE_NANOS;
        reporter.warn("PostgreSQL's notification queue is full (SQLSTATE " + NOTIFY_QUEUE_FULL + "), so a batch that"
                + " notified " + channel + " could not commit; batches are written without NOTIFY for the next "
                + TimeUnit.NANOSECONDS.toMinutes(PAUSE_NANOS) + " minutes (log servers still find them by polling)."
                + " A LISTEN session that does not read holds the queue: see pg_notification_queue_usage()");
    }
}
