package io.stratal.logs.server;

import io.stratal.logs.names.TableName;
import io.stratal.logs.query.StoredLog;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread per server that learns of new rows and hands them to the {@link StreamHub}: it holds a
 * connection of its own (not one of the pool's) that {@code LISTEN}s on the writers' channel, and reads the
 * new rows through a {@link LogTail} when a notification comes, or after {@code pollInterval} without one
 * (for writers that do not notify, and always on a hot standby, which notifications do not reach).
 * However many clients stream, the database sees one reader. It reads
 * a page at a time and, before the next, waits until every client has room for it ({@link StreamHub#awaitRoom}),
 * so a large commit is handed over at the clients' pace rather than all at once.
 *
 * <p>When the database goes away it reconnects with backoff and goes on from the last id it read, so the
 * rows written meanwhile still reach the clients.
 *
 * <p>For {@code GET /metrics} it counts every row it reads into a {@link RowTally}, notes when it last caught up
 * with the table, and reads the table's size on its own connection at most once per {@code sizeInterval}; a
 * scrape reads only these numbers.
 */
final class LogFeed implements AutoCloseable {

    /** Opens the feed's own connection. */
    interface ConnectionOpener {
        Connection open() throws SQLException;
    }

    private static final Logger log = LoggerFactory.getLogger(LogFeed.class);
    static final int MAX_ROWS_PER_POLL = 2000;
    private static final long MAX_RECONNECT_DELAY_MILLIS = 5000;

    private final ConnectionOpener opener;
    private final String channel;
    private final long pollMillis;
    private final int pageRows;
    private final LogTail tail;
    private final StreamHub hub;
    private final Thread thread;
    private final RowTally tally;
    private final TableSize tableSize;
    private volatile long caughtUpNanos = System.nanoTime();
    private final CountDownLatch firstStart = new CountDownLatch(1);
    private final AtomicLong notifications = new AtomicLong();
    private final AtomicLong polls = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean listening;
    private volatile boolean standby;
    private volatile String lastError;
    private volatile long lastId = -1;
    private long holesGivenUp;
    private volatile Connection connection;

    /**
     * @param pageRows     rows read at a time, at most {@link #MAX_ROWS_PER_POLL} (and no more than a client's queue holds)
     * @param tally        where the rows read are counted, or {@code null} for a server without metrics
     * @param sizeInterval how often the table's size is read, with a tally
     */
    LogFeed(ConnectionOpener opener, TableName table, String channel, Duration pollInterval, Duration holeHold,
            int pageRows, StreamHub hub, RowTally tally, Duration sizeInterval) {
        this.opener = opener;
        this.channel = channel;
        this.pollMillis = Math.max(1, pollInterval.toMillis());
        this.pageRows = Math.min(pageRows, MAX_ROWS_PER_POLL);
        this.tail = new LogTail(table, this.pageRows, holeHold.toNanos());
        this.hub = hub;
        this.tally = tally;
        this.tableSize = tally == null ? null : new TableSize(table, sizeInterval.toNanos());
        this.thread = new Thread(this::run, "stratal-log-feed");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Waits until the feed follows the table (so a client connecting now misses nothing); false on timeout. */
    boolean awaitStarted(Duration timeout) throws InterruptedException {
        return firstStart.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        long delay = 100;
        while (running) {
            try (Connection c = opener.open()) {
                connection = c;
                c.setAutoCommit(true);
                standby = inRecovery(c);
                if (channel != null && !standby) {
                    try (Statement statement = c.createStatement()) {
                        statement.execute("LISTEN " + channel); // checked to be a plain lower-case name
                    }
                }
                if (!tail.started()) {
                    tail.startAtEnd(c);
                    lastId = tail.lastId();
                }
                listening = true;
                lastError = null;
                firstStart.countDown();
                delay = 100;
                follow(c);
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    break;
                }
                listening = false;
                lastError = e.getMessage();
                log.warn("Log stream feed cannot follow the table: {}; trying again in {} ms", e.getMessage(), delay);
                sleep(delay);
                delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MILLIS);
            } finally {
                connection = null;
                listening = false;
            }
        }
    }

    /**
     * True on a hot standby: notifications do not reach it (a standby refuses {@code LISTEN}, and the
     * primary's {@code NOTIFY} is not replicated), so there the feed polls every {@code pollInterval}.
     */
    private static boolean inRecovery(Connection c) throws SQLException {
        try (Statement statement = c.createStatement(); ResultSet rs = statement.executeQuery("SELECT pg_is_in_recovery()")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private void follow(Connection c) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        while (running) {
            try {
                hub.awaitRoom(pageRows);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
                return;
            }
            List<StoredLog> rows = poll(c);
            if (tableSize != null) {
                tableSize.readWhenDue(c, System.nanoTime());
            }
            if (!tail.behind(rows)) {
                caughtUpNanos = System.nanoTime();
                PGNotification[] received = pg.getNotifications((int) pollMillis); // waits for one, or times out
                if (received != null) {
                    notifications.addAndGet(received.length);
                }
            }
        }
    }

    private List<StoredLog> poll(Connection c) throws SQLException {
        long now = System.nanoTime();
        List<StoredLog> rows = tail.poll(c, now);
        polls.incrementAndGet();
        if (tally != null) {
            tally.count(rows, now);
        }
        lastId = tail.lastId();
        hub.publish(rows, tail.settledThrough());
        long givenUp = tail.holesGivenUp();
        if (givenUp > holesGivenUp) {
            log.warn("Log stream feed gave up {} gaps in the ids before holeHold ran out, having {} open at most: rows"
                    + " committed into them later do not reach stream clients", givenUp - holesGivenUp, LogTail.MAX_HOLES);
            holesGivenUp = givenUp;
        }
        return rows;
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** {@code notify} when it follows the table by notifications (and polls too), {@code poll} when only by polling. */
    String mode() {
        return channel == null || standby ? "poll" : "notify";
    }

    /** True when the database it follows is a hot standby. */
    boolean standby() {
        return standby;
    }

    long pollMillis() {
        return pollMillis;
    }

    boolean listening() {
        return listening;
    }

    String lastError() {
        return lastError;
    }

    long lastId() {
        return lastId;
    }

    /** {@return the table's bytes with its indexes and TOAST, as last read; -1 before the first read} */
    long tableBytes() {
        return tableSize == null ? -1 : tableSize.bytes();
    }

    /** {@return nanoseconds since the feed last read everything committed (it may still wait for holes)} */
    long nanosSinceCaughtUp() {
        return System.nanoTime() - caughtUpNanos;
    }

    long notifications() {
        return notifications.get();
    }

    long polls() {
        return polls.get();
    }

    String channel() {
        return channel;
    }

    @Override
    public void close() {
        running = false;
        Connection c = connection;
        if (c != null) {
            try {
                c.close(); // ends a wait for notifications at once
            } catch (SQLException e) {
                // closing anyway
            }
        }
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
