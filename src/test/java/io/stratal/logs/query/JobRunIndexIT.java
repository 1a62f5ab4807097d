package io.stratal.logs.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratal.logs.schema.Migrations;
import java.io.StringReader;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * The opt-in job-run index ({@code db/optional/000005_job-run-index}): every test of {@link JobRunsIT} again
 * with it in place before the rows are written, and its triggers checked against the logs after every kind
 * of write.
 */
class JobRunIndexIT extends JobRunsIT {

    private static final String FROM_LOGS = "SELECT job_run_id, min(timestamp) AS first, max(timestamp) AS last,"
            + " count(*) AS logs, count(*) FILTER (WHERE level = 'error') AS errors,"
            + " count(*) FILTER (WHERE level = 'warn') AS warnings FROM logs WHERE job_run_id IS NOT NULL"
            + " GROUP BY job_run_id ORDER BY job_run_id";
    private static final String FROM_INDEX = "SELECT job_run_id, first, last, logs, errors, warnings FROM stratal_job_runs"
            + " ORDER BY job_run_id";

    @Override
    boolean withJobRunIndex() {
        return true;
    }

    private void assertTheIndexMatchesTheLogs(String after) {
        assertThat(db.query(FROM_INDEX)).as("the runs after " + after).isEqualTo(db.query(FROM_LOGS));
        assertThat(db.query("SELECT job_run_id, task_run_id FROM stratal_job_run_tasks ORDER BY 1, 2"))
                .as("the tasks after " + after)
                .isEqualTo(db.query("SELECT DISTINCT job_run_id, task_run_id FROM logs WHERE job_run_id IS NOT NULL"
                        + " AND task_run_id IS NOT NULL ORDER BY 1, 2"));
    }

    @Test
    void theListIsReadFromTheIndex() throws Exception {
        db.execute("UPDATE stratal_job_runs SET errors = 99 WHERE job_run_id = '" + late + "'");
        assertThat(jobRuns.list(null, 10, null).runs().get(0).errors()).isEqualTo(99);
    }

    @Test
    void anIndexWhoseTriggersAreDisabledIsNotRead() throws Exception {
        db.execute("UPDATE stratal_job_runs SET errors = 99 WHERE job_run_id = '" + late + "'",
                "ALTER TABLE logs DISABLE TRIGGER stratal_job_runs_insert");
        assertThat(jobRuns.list(null, 10, null).runs().get(0).errors()).as("counted from the logs").isEqualTo(3);
    }

    @Test
    void deletesAndInsertsThatShareRunsNeitherDeadlockNorMiscount() throws Exception {
        List<UUID> runs = List.of(early, late, (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('third') RETURNING id"));
        ExecutorService writers = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int writer = w;
                done.add(writers.submit(() -> {
                    try (Connection connection = db.connect(); var statement = connection.createStatement()) {
                        for (int round = 0; round < 40; round++) {
                            UUID a = runs.get((writer + round) % 3);
                            UUID b = runs.get((writer + round + 1) % 3);
                            if (writer == 0) {
                                // retention-like: the oldest rows of two runs in one statement, in either order
                                statement.execute("DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE job_run_id IN ('" + b
                                        + "', '" + a + "') ORDER BY timestamp NULLS LAST LIMIT 7)");
                            } else {
                                statement.execute("INSERT INTO logs (type, job_run_id, timestamp, level, message) VALUES"
                                        + " ('job', '" + a + "', timestamp '2026-11-29 07:00' + random() * interval '3 hours', 'warn', 'w'),"
                                        + " ('job', '" + b + "', NULL, 'error', 'w'),"
                                        + " ('job', '" + a + "', timestamp '2026-11-29 07:00' + random() * interval '3 hours', 'info', 'w')");
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(); // a deadlock (40P01) would fail here
            }
        } finally {
            writers.shutdownNow();
        }
        assertTheIndexMatchesTheLogs("inserts and deletes sharing 3 runs");
    }

    @Test
    void triggersKeepTheIndexThroughEveryKindOfWrite() throws Exception {
        assertTheIndexMatchesTheLogs("single-row inserts");
        UUID fresh = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('fresh') RETURNING id");
        try (Connection connection = db.connect()) {
            StringBuilder copy = new StringBuilder();
            for (int i = 0; i < 300; i++) {
                UUID job = i % 2 == 0 ? fresh : late;
                copy.append("task\t").append(job).append('\t').append(task1 == null || job == fresh ? "\\N" : task1)
                        .append("\t2026-11-29 09:").append(String.format("%02d", i % 60)).append(":00\t")
                        .append(i % 10 == 0 ? "error" : i % 7 == 0 ? "warn" : "info").append("\tstdout\tcopied ").append(i)
                        .append('\n');
            }
            connection.unwrap(PGConnection.class).getCopyAPI().copyIn(
                    "COPY logs (type, job_run_id, task_run_id, timestamp, level, stream, message) FROM STDIN",
                    new StringReader(copy.toString()));
        }
        assertTheIndexMatchesTheLogs("a COPY");
        db.execute("UPDATE logs SET level = 'error' WHERE message LIKE 'copied 1%'");
        db.execute("UPDATE logs SET job_run_id = '" + fresh + "', task_run_id = NULL WHERE job_run_id = '" + early + "'");
        assertTheIndexMatchesTheLogs("updates of levels and of runs");
        db.execute("DELETE FROM logs WHERE timestamp < timestamp '2026-11-29 09:30'"); // the first rows of two runs
        assertTheIndexMatchesTheLogs("a delete by age");
        db.execute("DELETE FROM job_runs WHERE id = '" + late + "'");
        assertTheIndexMatchesTheLogs("a cascade from job_runs");
        assertThat(db.count("SELECT count(*) FROM stratal_job_runs WHERE job_run_id = '" + late + "'"))
                .as("a run without rows leaves the index").isZero();
        db.execute("TRUNCATE logs");
        assertTheIndexMatchesTheLogs("TRUNCATE");
        assertThat(db.count("SELECT count(*) FROM stratal_job_runs")).isZero();
    }

    @Test
    void appliedAgainItStartsOverFromTheRowsThatAreThere() throws Exception {
        db.execute("UPDATE stratal_job_runs SET logs = 1000", "DELETE FROM stratal_job_run_tasks");
        try (Connection connection = db.connect()) {
            Migrations.applyOptional(connection, Migrations.JOB_RUN_INDEX, true);
        }
        assertTheIndexMatchesTheLogs("a second application");
        try (Connection connection = db.connect()) {
            Migrations.applyOptional(connection, Migrations.JOB_RUN_INDEX, false);
        }
        assertThat(db.count("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'stratal_job_runs%'")).isZero();
        assertThat(jobRuns.list(null, 10, null).runs()).as("without it, from the logs").hasSize(3);
    }

    @Test
    void writersThatShareRunsNeitherDeadlockNorMiscount() throws Exception {
        List<UUID> runs = List.of(early, late, (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('third') RETURNING id"));
        ExecutorService writers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                done.add(writers.submit(() -> {
                    try (Connection connection = db.connect()) {
                        connection.setAutoCommit(false);
                        for (int batch = 0; batch < 40; batch++) {
                            StringBuilder values = new StringBuilder();
                            for (int i = 0; i < 30; i++) {
                                // each writer touches the runs in its own order
                                UUID job = runs.get((writer + batch + i) % runs.size());
                                values.append(values.length() == 0 ? "" : ", ").append("('job', '").append(job)
                                        .append("', now(), '").append(i % 5 == 0 ? "error" : "info").append("', 'w")
                                        .append(writer).append("')");
                            }
                            try (var statement = connection.createStatement()) {
                                statement.execute("INSERT INTO logs (type, job_run_id, timestamp, level, message) VALUES " + values);
                            }
                            connection.commit();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            writers.shutdownNow();
        }
        assertTheIndexMatchesTheLogs("4 writers sharing 3 runs");
    }
}
