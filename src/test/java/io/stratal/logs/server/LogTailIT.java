package io.stratal.logs.server;

import io.stratal.logs.query.StoredLog;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratal.logs.names.TableName;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Following the table by id, with the gaps that concurrent and rolled-back writers leave. */
@Timeout(60)
class LogTailIT {

    private static final long HOLD = 1_000_000_000L;

    @RegisterExtension
    final DatabaseExtension database = new DatabaseExtension();
    private TestDatabase db;
    private LogTail tail;

    @BeforeEach
    void setUp() throws Exception {
        db = database.get().migrated();
        db.execute("INSERT INTO logs (type, message) VALUES ('system', 'old')");
        tail = new LogTail(TableName.parseOrNull("logs"), 3, HOLD);
        try (Connection c = db.connect()) {
            tail.startAtEnd(c);
        }
    }

    private List<String> poll(long nowNanos) throws Exception {
        try (Connection c = db.connect()) {
            return tail.poll(c, nowNanos).stream().map(StoredLog::message).toList();
        }
    }

    private void insert(String... messages) {
        for (String message : messages) {
            db.execute("INSERT INTO logs (type, message) VALUES ('system', '" + message + "')");
        }
    }

    @Test
    void itStartsAfterWhatIsThereAndReadsAtMostItsLimitPerPoll() throws Exception {
        insert("a", "b", "c", "d");
        List<String> first = poll(0);
        assertThat(first).containsExactly("a", "b", "c");
        try (Connection c = db.connect()) {
            assertThat(tail.behind(tail.poll(c, 0))).isFalse();
        }
        assertThat(poll(0)).isEmpty();
    }

    @Test
    void aLateRowFoundJustBeforeTheConnectionFailsIsAskedForAgain() throws Exception {
        try (Connection late = db.connect()) {
            late.setAutoCommit(false);
            try (Statement statement = late.createStatement()) {
                statement.execute("INSERT INTO logs (type, message) VALUES ('system', 'late')");
            }
            insert("newer");
            assertThat(poll(0)).containsExactly("newer");
            late.commit();
        }
        try (Connection c = db.connect()) {
            // the holes are read, then the connection fails before the read of the new rows
            Connection failingSecond = failingFromStatement(c, 2);
            assertThatThrownBy(() -> tail.poll(failingSecond, 1)).isInstanceOf(SQLException.class);
        }
        assertThat(poll(2)).as("found, then lost with the connection: asked for again").containsExactly("late");
        assertThat(poll(3)).isEmpty();
    }

    /** {@code connection}, whose {@code n}th prepared statement fails as a lost connection would. */
    private static Connection failingFromStatement(Connection connection, int n) {
        java.util.concurrent.atomic.AtomicInteger prepared = new java.util.concurrent.atomic.AtomicInteger();
        return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("prepareStatement") && prepared.incrementAndGet() >= n) {
                        throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void aGapLeftByARollbackIsWaitedForThenGivenUp() throws Exception {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (Statement statement = c.createStatement()) {
                statement.execute("INSERT INTO logs (type, message) VALUES ('system', 'rolled back')");
            }
            c.rollback();
        }
        insert("after");
        assertThat(poll(0)).containsExactly("after");
        assertThat(tail.settledThrough()).as("one gap, the rolled-back id, is waited for").isEqualTo(tail.lastId() - 2);
        long settled = tail.settledThrough();
        assertThat(settled).isLessThan(tail.lastId());

        assertThat(poll(HOLD / 2)).isEmpty();
        assertThat(tail.settledThrough()).as("one gap, the rolled-back id, is waited for").isEqualTo(tail.lastId() - 2);
        assertThat(poll(HOLD)).isEmpty();
        assertThat(tail.settledThrough()).as("no gap is waited for").isEqualTo(tail.lastId());
        assertThat(tail.settledThrough()).isEqualTo(tail.lastId());
    }

    @Test
    void aGapFilledByALateCommitComesOutOnceAndCloses() throws Exception {
        try (Connection slow = db.connect()) {
            slow.setAutoCommit(false);
            try (Statement statement = slow.createStatement()) {
                statement.execute("INSERT INTO logs (type, message) VALUES ('system', 'late')");
            }
            insert("early");
            assertThat(poll(0)).containsExactly("early");
            slow.commit();
        }
        insert("next");
        assertThat(poll(1)).containsExactly("late", "next");
        assertThat(tail.settledThrough()).as("no gap is waited for").isEqualTo(tail.lastId());
        assertThat(poll(2)).isEmpty();
    }

    @Test
    void aLargeLateCommitComesOutAPageAtATimeEvenPastTheHold() throws Exception {
        try (Connection slow = db.connect()) {
            slow.setAutoCommit(false);
            try (Statement statement = slow.createStatement()) {
                statement.execute("INSERT INTO logs (type, message) SELECT 'system', 'late ' || g FROM generate_series(1, 7) g");
            }
            insert("early");
            assertThat(poll(0)).containsExactly("early");
            slow.commit();
        }
        insert("next");
        // at most 3 rows a poll, holes included; the rest of the hole is waited for afresh, so reading the
        // late rows slowly (a stream client's pace) does not give them up
        assertThat(poll(HOLD - 1)).containsExactly("late 1", "late 2", "late 3");
        assertThat(poll(HOLD + HOLD / 2)).containsExactly("late 4", "late 5", "late 6");
        assertThat(poll(2 * HOLD)).containsExactly("late 7", "next");
        assertThat(tail.settledThrough()).as("no gap is waited for").isEqualTo(tail.lastId());
    }

    @Test
    void twoTransactionsInterleavedRowByRowComeOutOnceEachWhicheverCommitsFirst() throws Exception {
        // two writers' COPYs draw ids from the sequence row by row: the first to commit leaves a hole per row of the other
        LogTail wide = new LogTail(TableName.parseOrNull("logs"), LogFeed.MAX_ROWS_PER_POLL, HOLD);
        List<Long> seen = new ArrayList<>();
        try (Connection reader = db.connect(); Connection first = db.connect(); Connection second = db.connect()) {
            wide.startAtEnd(reader);
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            try (PreparedStatement a = first.prepareStatement("INSERT INTO logs (type, message) VALUES ('system', 'a')");
                 PreparedStatement b = second.prepareStatement("INSERT INTO logs (type, message) VALUES ('system', 'b')")) {
                for (int i = 0; i < 1_000; i++) {
                    a.executeUpdate();
                    b.executeUpdate();
                }
            }
            second.commit();
            wide.poll(reader, 0).forEach(log -> seen.add(log.id()));
            assertThat(seen).hasSize(1_000);
            assertThat(wide.holes()).as("a hole per row of the open transaction, past the old bound of 256").isEqualTo(1_000);
            first.commit();
            for (List<StoredLog> page = wide.poll(reader, 1); !page.isEmpty(); page = wide.poll(reader, 2)) {
                page.forEach(log -> seen.add(log.id()));
            }
        }
        List<Long> stored = db.query("SELECT id FROM logs WHERE message IN ('a', 'b') ORDER BY id").stream()
                .map(row -> ((Number) row.get("id")).longValue()).toList();
        assertThat(seen).hasSize(2_000).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(stored);
        assertThat(wide.holes()).isZero();
        assertThat(wide.holesGivenUp()).isZero();
    }

    @Test
    void pastItsBoundTheLowestHolesAreGivenUpAndCounted() throws Exception {
        LogTail bounded = new LogTail(TableName.parseOrNull("logs"), 100, HOLD, 4);
        try (Connection reader = db.connect(); Connection open = db.connect()) {
            bounded.startAtEnd(reader);
            open.setAutoCommit(false);
            try (Statement late = open.createStatement()) {
                for (int i = 0; i < 6; i++) {
                    late.execute("INSERT INTO logs (type, message) VALUES ('system', 'late " + i + "')");
                    insert("committed " + i);
                }
            }
            assertThat(bounded.poll(reader, 0)).hasSize(6);
            assertThat(bounded.holes()).isEqualTo(4);
            assertThat(bounded.holesGivenUp()).isEqualTo(2);
            open.commit();
            assertThat(bounded.poll(reader, 1)).extracting(StoredLog::message)
                    .as("the two lowest were given up").containsExactly("late 2", "late 3", "late 4", "late 5");
        }
    }
}
