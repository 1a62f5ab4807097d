package io.stratal.logs.bench;

import io.stratal.logs.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** A fresh database with the seed schema (migrations 1 and 2) and some job and task runs to log against. */
final class BenchSchema implements AutoCloseable {

    final TestDatabase db;
    final List<UUID> jobRuns = new ArrayList<>();
    final List<UUID> taskRuns = new ArrayList<>();

    BenchSchema(int jobs, int tasksPerJob) {
        db = TestDatabase.create().migrated();
        for (int j = 0; j < jobs; j++) {
            UUID job = (UUID) db.scalar("INSERT INTO job_runs (job_name, status) VALUES ('bench-" + j + "', 'running') RETURNING id");
            jobRuns.add(job);
            for (int t = 0; t < tasksPerJob; t++) {
                taskRuns.add((UUID) db.scalar("INSERT INTO task_runs (job_run_id, task_name) VALUES ('" + job + "', 'task-" + t
                        + "') RETURNING id"));
            }
        }
    }

    UUID jobOfTask(int taskIndex) {
        return jobRuns.get(taskIndex / (taskRuns.size() / jobRuns.size()));
    }

    /** Empties the logs table and settles the server between measured runs. */
    void reset() {
        db.execute("TRUNCATE logs", "VACUUM ANALYZE logs", "CHECKPOINT");
    }

    @Override
    public void close() {
        db.close();
    }
}
