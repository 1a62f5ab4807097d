package io.stratal.logs.logback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** Each committed batch is announced on the notify channel, unless notify is off. */
@Timeout(60)
class NotifyIT {

    @RegisterExtension
    final DatabaseExtension database = new DatabaseExtension();

    /** What the listener receives: until {@code expected} arrived, or for half a second when none should. */
    private static List<String> received(Connection listener, int expected) throws Exception {
        List<String> payloads = new ArrayList<>();
        long deadline = System.nanoTime() + (expected == 0 ? 500_000_000L : 5_000_000_000L);
        while (payloads.size() < Math.max(expected, 1) && System.nanoTime() < deadline) {
            PGNotification[] received = listener.unwrap(PGConnection.class).getNotifications(100);
            if (received != null) {
                for (PGNotification notification : received) {
                    payloads.add(notification.getName() + ":" + notification.getParameter());
                }
            }
        }
        return payloads;
    }

    private List<String> notificationsWhileLogging(Map<String, String> settings, String channel, int expected) throws Exception {
        TestDatabase db = database.get();
        try (Connection listener = db.connect()) {
            try (Statement statement = listener.createStatement()) {
                statement.execute("LISTEN " + channel);
            }
            Map<String, String> properties = new java.util.HashMap<>(settings);
            properties.put("url", db.url());
            LoggerContext context = LogbackContexts.fromXml(
                    "<configuration><appender name=\"U\" class=\"io.stratal.logs.logback.UnifiedLogAppender\">"
                            + "<url>${url}</url><notify>${notify:-true}</notify><notifyChannel>${channel:-stratal_logs}</notifyChannel>"
                            + "<flushInterval>50 milliseconds</flushInterval><registerShutdownHook>false</registerShutdownHook>"
                            + "</appender><root level=\"INFO\"><appender-ref ref=\"U\"/></root></configuration>", properties);
            UnifiedLogAppender appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("U");
            context.getLogger("x").info("one");
            await().until(() -> appender.getStats().written() == 1);
            context.getLogger("x").info("two");
            await().until(() -> appender.getStats().written() == 2);
            context.stop();
            return received(listener, expected);
        }
    }

    @Test
    void eachBatchIsAnnouncedWithTheTableItWentTo() throws Exception {
        assertThat(notificationsWhileLogging(Map.of(), "stratal_logs", 2)).containsExactly("stratal_logs:logs", "stratal_logs:logs");
    }

    @Test
    void anotherChannelCanBeNamed() throws Exception {
        assertThat(notificationsWhileLogging(Map.of("channel", "ops_logs"), "ops_logs", 2)).containsExactly("ops_logs:logs", "ops_logs:logs");
    }

    @Test
    void withNotifyOffNothingIsAnnounced() throws Exception {
        assertThat(notificationsWhileLogging(Map.of("notify", "false"), "stratal_logs", 0)).isEmpty();
    }

    @Test
    void aFullNotificationQueueCostsTheNotificationsNotTheLogs() throws Exception {
        TestDatabase db = database.get().migrated();
        // The first commit fails as a full NOTIFY queue makes it fail (a sequence survives the rollback)
        db.execute("CREATE SEQUENCE fail_once",
                "CREATE FUNCTION fail_first_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        + " IF nextval('fail_once') = 1 THEN RAISE EXCEPTION 'too many notifications in the NOTIFY queue'"
                        + " USING ERRCODE = '54000'; END IF; RETURN NULL; END $$",
                "CREATE CONSTRAINT TRIGGER fail_first AFTER INSERT ON logs DEFERRABLE INITIALLY DEFERRED"
                        + " FOR EACH ROW EXECUTE FUNCTION fail_first_commit()");
        try (Connection listener = db.connect()) {
            try (Statement statement = listener.createStatement()) {
                statement.execute("LISTEN stratal_logs");
            }
            LoggerContext context = LogbackContexts.fromXml(
                    "<configuration><appender name=\"U\" class=\"io.stratal.logs.logback.UnifiedLogAppender\">"
                            + "<url>${url}</url><flushInterval>50 milliseconds</flushInterval>"
                            + "<registerShutdownHook>false</registerShutdownHook>"
                            + "</appender><root level=\"INFO\"><appender-ref ref=\"U\"/></root></configuration>", Map.of("url", db.url()));
            UnifiedLogAppender appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("U");
            context.getLogger("x").info("one");
            await().atMost(java.time.Duration.ofSeconds(30)).until(() -> appender.getStats().written() == 1);
            context.getLogger("x").info("two");
            await().until(() -> appender.getStats().written() == 2);
            List<String> warnings = LogbackContexts.statusMessages(context, ch.qos.logback.core.status.Status.WARN);
            context.stop();

            assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(2);
            assertThat(appender.getStats().droppedTotal()).isZero();
            assertThat(warnings).anySatisfy(w -> assertThat(w).contains("notification queue is full")
                    .contains("without NOTIFY for the next 5 minutes"));
            assertThat(received(listener, 0)).as("paused after the failure").isEmpty();
        }
    }
}
