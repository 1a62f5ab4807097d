package io.stratal.logs.faults;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.TcpProxy;
import io.stratal.logs.testing.TestDatabase;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connection dies after the server committed a batch but before the appender heard so. The appender
 * must retry (it cannot know) and must not store the batch twice.
 */
@Timeout(60)
class AmbiguousCommitIT {

    private TestDatabase db;
    private TcpProxy proxy;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabase.create().migrated();
        proxy = TcpProxy.inFrontOf(db.url());
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        db.close();
    }

    private long logAcrossACommitCut(Map<String, String> extra) throws Exception {
        Map<String, String> properties = new java.util.HashMap<>(Map.of("url", proxy.url(db.url()), "batchSize", "10",
                "flushInterval", "1 hour"));
        properties.putAll(extra);
        LoggerContext context = LogbackContexts.fromResource("config/unified.xml", properties);
        Logger log = context.getLogger("com.example.Ambiguous");
        log.info("warm-up"); // the first batch creates the schema and the ledger through the proxy
        for (int i = 0; i < 9; i++) {
            log.info("warm-up {}", i);
        }
        org.awaitility.Awaitility.await().until(() -> tableHasRows());

        CountDownLatch cutDone = proxy.cutAtNextCommit();
        for (int i = 0; i < 10; i++) {
            log.info("in the cut batch {}", i);
        }
        assertThat(cutDone.await(20, TimeUnit.SECONDS)).as("the proxy saw the COMMIT confirmation").isTrue();
        for (int i = 0; i < 5; i++) {
            log.info("after {}", i);
        }
        context.stop();
        return db.count("SELECT count(*) FROM logs");
    }

    private boolean tableHasRows() {
        return (Boolean) db.scalar("SELECT to_regclass('logs') IS NOT NULL") && db.count("SELECT count(*) FROM logs") >= 10;
    }

    @Test
    void aBatchWhoseCommitConfirmationWasLostIsStoredOnce() throws Exception {
        assertThat(logAcrossACommitCut(Map.of())).isEqualTo(25);
        assertThat(db.count("SELECT count(*) FROM (SELECT message FROM logs GROUP BY message HAVING count(*) > 1) d")).isZero();
        assertThat(db.count("SELECT count(*) FROM logs WHERE message LIKE 'in the cut batch%'")).isEqualTo(10);
    }

    @Test
    void withoutTheLedgerTheSameCutStoresTheBatchTwice() throws Exception {
        // The control: with no ledger table (createSchema off, the migrations made the logs table) the same
        // cut duplicates the batch, which proves the cut above really fell after the commit.
        long rows = logAcrossACommitCut(Map.of("createSchema", "false"));
        assertThat(rows).isEqualTo(35);
        assertThat(db.count("SELECT count(*) FROM logs WHERE message LIKE 'in the cut batch%'")).isEqualTo(20);
    }
}
