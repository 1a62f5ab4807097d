package io.stratal.logs.internal.sink;

import io.stratal.logs.writer.EngineSettings;
import io.stratal.logs.schema.Migrations;
import io.stratal.logs.names.TableName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratal.logs.LogLevel;
import io.stratal.logs.LogRecord;
import io.stratal.logs.LogStream;
import io.stratal.logs.LogType;
import io.stratal.logs.pipeline.Batch;
import io.stratal.logs.pipeline.DropReason;
import io.stratal.logs.internal.pipeline.Pipeline;
import io.stratal.logs.writer.LogWriterConfig;
import io.stratal.logs.pipeline.StatusListener;
import io.stratal.logs.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The COPY writer against the migrated schema, foreign keys included. */
@Timeout(60)
class CopyBatchWriterIT {

    private TestDatabase db;
    private UUID jobRunId;
    private UUID taskRunId;
    private final StatusListener quiet = new StatusListener() {
        @Override
        public void info(String message) {
        }

        @Override
        public void warn(String message) {
        }

        @Override
        public void error(String message, Throwable cause) {
        }
    };

    @BeforeEach
    void migrate() throws Exception {
        db = TestDatabase.create().migrated();
        jobRunId = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('j') RETURNING id");
        taskRunId = (UUID) db.scalar("INSERT INTO task_runs (job_run_id, task_name) VALUES ('" + jobRunId + "', 't') RETURNING id");
    }

    @AfterEach
    void drop() {
        db.close();
    }

    private CopyBatchWriter writer() {
        return new CopyBatchWriter(ConnectionFactory.forUrl(db.url(), null, null, 1, "it"), TableName.parseOrNull("logs"), true, quiet, null);
    }

    private static LogRecord task(UUID job, UUID task, String message) {
        return new LogRecord(LogType.TASK, job, task, Instant.now(), LogLevel.INFO, LogStream.STDOUT, message, Map.of("n", 1));
    }

    @Test
    void aTaskLogWithoutAJobRunIdGetsTheJobRunOfItsTaskRun() throws Exception {
        try (CopyBatchWriter writer = writer()) {
            writer.write(Batch.of(List.of(task(null, taskRunId, "no job id given"))));
        }
        assertThat(db.query("SELECT type, job_run_id, task_run_id FROM logs"))
                .containsExactly(Map.of("type", "task", "job_run_id", jobRunId, "task_run_id", taskRunId));
    }

    @Test
    void oneRowWithAMissingParentDoesNotCostTheOthersInItsBatchAndIsKeptWithItsIdInMetadata() {
        Pipeline pipeline = new Pipeline(EngineSettings.of(LogWriterConfig.builder("it").batchSize(100).flushInterval(Duration.ofHours(1)).build(),
                false), writer(), null, quiet);
        pipeline.start();
        for (int i = 0; i < 50; i++) {
            pipeline.offer(task(jobRunId, i == 17 ? UUID.randomUUID() : taskRunId, "m" + i));
        }
        pipeline.stop();

        assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(50);
        assertThat(db.count("SELECT count(*) FROM logs WHERE message = 'm17' AND task_run_id IS NULL "
                + "AND metadata->'log'->'missing_parents' ? 'task_run_id'")).isEqualTo(1);
        assertThat(pipeline.stats().droppedTotal()).isZero();
    }

    @Test
    void aMissingTableIsWaitedForNotBlamedOnTheRows() {
        db.execute("DROP TABLE logs");
        CopyBatchWriter writer = new CopyBatchWriter(ConnectionFactory.forUrl(db.url(), null, null, 1, "it"),
                TableName.parseOrNull("logs"), false, quiet, null);
        Pipeline pipeline = new Pipeline(EngineSettings.of(LogWriterConfig.builder("it").batchSize(10).flushInterval(Duration.ofMillis(10))
                .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(50)).build(), false), writer, null, quiet);
        pipeline.start();
        for (int i = 0; i < 10; i++) {
            pipeline.offer(task(jobRunId, taskRunId, "m" + i));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> pipeline.stats().retries() >= 2);
        assertThat(pipeline.stats().dropped(DropReason.REJECTED)).isZero();

        try (Connection c = db.connect()) {
            Migrations.down(c, 1);
            Migrations.up(c);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> pipeline.stats().written() == 10);
        pipeline.stop();
        assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(10);
    }

    @Test
    void aSpoolFrameWrittenTwiceStaysKnownUntilItsFileIsGoneThoughOtherBatchesCommitInBetween() throws Exception {
        Batch frame = new Batch(UUID.randomUUID(), List.of(task(jobRunId, taskRunId, "from the spool")), true);
        try (CopyBatchWriter writer = writer()) {
            writer.write(frame);
            writer.write(frame); // read again (a crash before its segment was finished): recognised
            writer.write(Batch.of(List.of(task(jobRunId, taskRunId, "a newer batch")))); // forgets what may be forgotten
            writer.write(frame); // and again, after another crash
            assertThat(db.scalar("SELECT count(*) FROM logs WHERE message = 'from the spool'")).isEqualTo(1L);
            writer.forget(List.of(frame.id())); // its file is gone
            writer.write(Batch.of(List.of(task(jobRunId, taskRunId, "the next batch"))));
        }
        assertThat(db.scalar("SELECT count(*) FROM stratal_batches WHERE id = '" + frame.id() + "'")).isEqualTo(0L);
    }
}
