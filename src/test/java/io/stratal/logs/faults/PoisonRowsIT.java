package io.stratal.logs.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.logback.UnifiedLogAppender;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;

/** Rows the database refuses at first: late parents and values it cannot store. None costs its batch. */
@Timeout(60)
class PoisonRowsIT {

    private TestDatabase db;
    private LoggerContext context;
    private UnifiedLogAppender appender;

    @BeforeEach
    void migrate() throws Exception {
        db = TestDatabase.create().migrated();
    }

    @AfterEach
    void tearDown() {
        MDC.clear();
        if (context != null) {
            context.stop();
        }
        db.close();
    }

    private Logger start(String grace) {
        context = LogbackContexts.fromResource("config/unified.xml", Map.of("url", db.url(), "batchSize", "20",
                "flushInterval", "50 milliseconds", "foreignKeyGracePeriod", grace));
        appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED");
        return context.getLogger("com.example.Job");
    }

    @Test
    void aJobThatLogsBeforeItsRunIsCommittedKeepsAllItsLinesInOrder() throws Exception {
        Logger log = start("30 seconds");
        UUID otherJob = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('other') RETURNING id");
        UUID lateJob = UUID.randomUUID();
        try (Connection jobTransaction = db.connect()) {
            jobTransaction.setAutoCommit(false);
            try (Statement statement = jobTransaction.createStatement()) {
                statement.execute("INSERT INTO job_runs (id, job_name) VALUES ('" + lateJob + "', 'late')");
            }
            MDC.put("job_run_id", lateJob.toString());
            for (int i = 0; i < 50; i++) {
                log.info("late n{}", i);
            }
            MDC.put("job_run_id", otherJob.toString());
            for (int i = 0; i < 30; i++) {
                log.info("other n{}", i);
            }
            MDC.clear();
            await().atMost(Duration.ofSeconds(10)).until(() -> db.count("SELECT count(*) FROM logs WHERE job_run_id = '" + otherJob + "'") == 30);
            assertThat(db.count("SELECT count(*) FROM logs WHERE message LIKE 'late%'")).isZero();
            jobTransaction.commit();
        }
        MDC.put("job_run_id", lateJob.toString());
        log.info("late n50");
        context.stop();

        assertThat(db.count("SELECT count(*) FROM logs WHERE job_run_id = '" + lateJob + "'")).isEqualTo(51);
        List<Map<String, Object>> ordered = db.query("SELECT message FROM logs WHERE job_run_id = '" + lateJob + "' ORDER BY id");
        for (int i = 0; i < ordered.size(); i++) {
            assertThat(ordered.get(i).get("message")).isEqualTo("late n" + i);
        }
        assertThat(appender.getStats().droppedTotal()).isZero();
    }

    @Test
    void aParentThatNeverAppearsIsNotedInMetadataAfterTheGracePeriod() {
        Logger log = start("500 milliseconds");
        UUID neverCommitted = UUID.randomUUID();
        UUID realJob = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('real') RETURNING id");
        UUID missingTask = UUID.randomUUID();
        MDC.put("job_run_id", neverCommitted.toString());
        log.info("job line of a run that was rolled back");
        MDC.put("job_run_id", realJob.toString());
        MDC.put("task_run_id", missingTask.toString());
        log.info("task line of a task run that never existed");
        MDC.clear();

        await().atMost(Duration.ofSeconds(10)).until(() -> db.count("SELECT count(*) FROM logs") == 2);
        Map<String, Object> job = db.query("SELECT type, job_run_id, metadata->'log'->'missing_parents' AS missing FROM logs "
                + "WHERE message LIKE 'job line%'").get(0);
        assertThat(job.get("type")).isEqualTo("job");
        assertThat(job.get("job_run_id")).isNull();
        assertThat(job.get("missing")).isEqualTo(Map.of("job_run_id", neverCommitted.toString()));
        Map<String, Object> task = db.query("SELECT type, job_run_id, task_run_id, metadata->'log'->'missing_parents' AS missing "
                + "FROM logs WHERE message LIKE 'task line%'").get(0);
        assertThat(task.get("type")).isEqualTo("task");
        assertThat(task.get("job_run_id")).as("the job run exists and stays").isEqualTo(realJob);
        assertThat(task.get("task_run_id")).isNull();
        assertThat(task.get("missing")).isEqualTo(Map.of("task_run_id", missingTask.toString()));
    }

    @Test
    void anEventTimeOutsidePostgresRangeIsStoredAtTheRepairTimeWithTheOriginalNoted() {
        Logger log = start("30 seconds");
        ch.qos.logback.classic.spi.LoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent(
                Logger.class.getName(), log, ch.qos.logback.classic.Level.INFO, "from a replayed remote event", null, null);
        event.setInstant(java.time.Instant.parse("+300000-01-01T00:00:00Z"));
        appender.doAppend(event);
        log.info("a normal line");
        context.stop();

        assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(2);
        Map<String, Object> row = db.query("SELECT timestamp > now() - interval '1 day' AS recent, "
                + "metadata->'log'->'rejected_original'->>'original_timestamp' AS original FROM logs "
                + "WHERE message LIKE 'from a replayed%'").get(0);
        assertThat(row.get("recent")).isEqualTo(true);
        assertThat((String) row.get("original")).startsWith("+300000-01-01");
    }

    @Test
    void aValueJsonbCannotHoldIsRepairedAndItsBatchIsUntouched() {
        Logger log = start("30 seconds");
        for (int i = 0; i < 10; i++) {
            if (i == 6) {
                log.atInfo().setMessage("too big a number, \u00e9").addKeyValue("huge", new BigDecimal("1e200000")).log();
            } else {
                log.atInfo().setMessage("fine {}").addArgument(i).addKeyValue("n", i).log();
            }
        }
        context.stop();

        assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(10);
        assertThat(db.count("SELECT count(*) FROM logs WHERE message LIKE 'fine%' AND metadata ? 'n'")).isEqualTo(9);
        Map<String, Object> repaired = db.query("SELECT message, metadata->'log'->'rejected_original'->>'sqlstate' AS state, "
                + "metadata->'log'->>'logger' AS logger FROM logs WHERE message LIKE 'too big%'").get(0);
        assertThat(repaired.get("message")).isEqualTo("too big a number, \\u00e9");
        assertThat((String) repaired.get("state")).startsWith("22");
        assertThat(repaired.get("logger")).isEqualTo("com.example.Job");
        assertThat(appender.getStats().repaired()).isEqualTo(1);
    }
}
