package io.stratal.logs.bench;

import io.stratal.logs.schema.Migrations;
import io.stratal.logs.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * What an index set costs on writes and buys on reads. For each set: a fresh seed schema, its indexes
 * swapped for the set, {@code rows} rows loaded with COPY (timed), then the seed endpoints' queries and the
 * monitoring queries timed (median of runs, random ids) with whether their plan uses an index.
 */
final class IndexSetBench {

    /** One index set: the statements that turn the seed's indexes into it. */
    record IndexSet(String name, List<String> statements) {
    }

    /** What one set measured. */
    record Result(String set, double loadRowsPerSecond, Map<String, Double> queryMillis, Map<String, Boolean> usesIndex,
                  long indexBytes) {
    }

    static final List<String> SEED_INDEXES = List.of("idx_logs_type", "idx_logs_job_run_id", "idx_logs_task_run_id",
            "idx_logs_timestamp", "idx_logs_level", "idx_logs_job_run_timestamp", "idx_logs_task_run_timestamp");

    static final IndexSet SEED = new IndexSet("seed (7 b-tree)", List.of());
    static final IndexSet COMPOSITES_AND_BRIN = new IndexSet("2 composites + BRIN", List.of(
            "DROP INDEX idx_logs_type, idx_logs_job_run_id, idx_logs_task_run_id, idx_logs_timestamp, idx_logs_level",
            "CREATE INDEX idx_logs_timestamp_brin ON logs USING brin (timestamp)"));
    /** The opt-in migration 000003: the composites, one for type, and a BRIN on time. */
    static final IndexSet LEAN = new IndexSet("lean (000003)", List.of(Migrations.readOptional("000003_lean-log-indexes.up.sql")));

    private static final String[] LEVELS = {"info", "info", "info", "info", "info", "info", "info", "debug", "debug", "warn"};

    private final int rows;
    private final int jobRuns;
    private final int tasksPerJob;
    private final int queryRuns;

    IndexSetBench(int rows, int jobRuns, int tasksPerJob, int queryRuns) {
        this.rows = rows;
        this.jobRuns = jobRuns;
        this.tasksPerJob = tasksPerJob;
        this.queryRuns = queryRuns;
    }

    Result run(IndexSet set) throws Exception {
        try (TestDatabase db = TestDatabase.create().migrated()) {
            db.execute("INSERT INTO job_runs (job_name, status) SELECT 'job-' || g, 'succeeded' FROM generate_series(1, " + jobRuns + ") g",
                    "INSERT INTO task_runs (job_run_id, task_name) SELECT j.id, 'task-' || g FROM job_runs j, generate_series(1, "
                            + tasksPerJob + ") g");
            for (String statement : set.statements()) {
                db.execute(statement);
            }
            List<UUID[]> tasks = new ArrayList<>();
            for (Map<String, Object> row : db.query("SELECT id, job_run_id FROM task_runs")) {
                tasks.add(new UUID[] {(UUID) row.get("job_run_id"), (UUID) row.get("id")});
            }
            double load = load(db, tasks);
            db.execute("VACUUM ANALYZE logs");
            // a page in the middle of the task logs, for offset against keyset paging
            long middle = Math.max(1, db.count("SELECT count(*) FROM logs WHERE type = 'task'") / 2);
            Map<String, Object> position = db.query("SELECT timestamp, id FROM logs WHERE type = 'task' ORDER BY timestamp, id"
                    + " OFFSET " + (middle - 1) + " LIMIT 1").get(0);
            Map<String, Double> millis = new LinkedHashMap<>();
            Map<String, Boolean> indexed = new LinkedHashMap<>();
            Random random = new Random(42);
            for (Map.Entry<String, String> query : queries().entrySet()) {
                double[] times = new double[queryRuns];
                boolean usesIndex = false;
                for (int r = 0; r < queryRuns; r++) {
                    UUID[] task = tasks.get(random.nextInt(tasks.size()));
                    String sql = query.getValue().replace(":job", "'" + task[0] + "'").replace(":task", "'" + task[1] + "'")
                            .replace(":middle", Long.toString(middle)).replace(":cursor_ts", "'" + position.get("timestamp") + "'")
                            .replace(":cursor_id", position.get("id").toString());
                    Object[] plan = explain(db, sql);
                    times[r] = (Double) plan[0];
                    usesIndex = (Boolean) plan[1];
                }
                Arrays.sort(times);
                millis.put(query.getKey(), times[queryRuns / 2]);
                indexed.put(query.getKey(), usesIndex);
            }
            long indexBytes = ((Number) db.scalar("SELECT pg_indexes_size('logs')")).longValue();
            return new Result(set.name(), load, millis, indexed, indexBytes);
        }
    }

    /** The queries behind the seed's endpoints and its monitoring section. */
    static Map<String, String> queries() {
        String columns = "id, type, job_run_id, task_run_id, timestamp, level, stream, message, metadata";
        Map<String, String> q = new LinkedHashMap<>();
        q.put("GET job-runs/{id} (page 1)", "SELECT " + columns + " FROM logs WHERE job_run_id = :job ORDER BY timestamp, id LIMIT 100 OFFSET 0");
        q.put("GET task-runs/{id}", "SELECT " + columns + " FROM logs WHERE task_run_id = :task ORDER BY timestamp, id LIMIT 1000");
        q.put("GET system (page 1)", "SELECT " + columns + " FROM logs WHERE type = 'system' ORDER BY timestamp, id LIMIT 100 OFFSET 0");
        q.put("GET type/task (page 1)", "SELECT " + columns + " FROM logs WHERE type = 'task' ORDER BY timestamp, id LIMIT 100 OFFSET 0");
        q.put("GET type/task, middle page, offset", "SELECT " + columns + " FROM logs WHERE type = 'task' ORDER BY timestamp, id"
                + " LIMIT 101 OFFSET :middle");
        // the keyset form LogReader sends for a cursor (rows without a timestamp in a branch of their own)
        q.put("GET type/task, middle page, cursor", "SELECT * FROM ((SELECT " + columns + " FROM logs WHERE type = 'task'"
                + " AND (timestamp, id) > (:cursor_ts, :cursor_id) ORDER BY timestamp, id LIMIT 101) UNION ALL (SELECT " + columns
                + " FROM logs WHERE type = 'task' AND timestamp IS NULL ORDER BY id LIMIT 101)) page ORDER BY timestamp, id LIMIT 101");
        q.put("stream tail: id > n (one poll)", "SELECT " + columns + " FROM logs WHERE id > (SELECT max(id) - 100 FROM logs)"
                + " ORDER BY id LIMIT 2000");
        q.put("count by level, last hour", "SELECT level, count(*) FROM logs WHERE timestamp > (now() AT TIME ZONE 'UTC') - interval '1 hour' GROUP BY level");
        q.put("error rate by job run, last hour", "SELECT job_run_id, count(CASE WHEN level = 'error' THEN 1 END) AS errors, count(*) "
                + "FROM logs WHERE type IN ('job', 'task') AND timestamp > (now() AT TIME ZONE 'UTC') - interval '1 hour' "
                + "GROUP BY job_run_id HAVING count(CASE WHEN level = 'error' THEN 1 END) > 0");
        q.put("count by type (all rows)", "SELECT type, count(*) FROM logs GROUP BY type");
        q.put("delete a job run (cascade)", "DELETE FROM job_runs WHERE id = :job");
        return q;
    }

    /** Execution time (ms) and whether any index appears in the plan; a delete is rolled back. */
    private static Object[] explain(TestDatabase db, String sql) throws Exception {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            StringBuilder plan = new StringBuilder();
            double executionMillis = 0;
            try (Statement statement = c.createStatement(); ResultSet rs = statement.executeQuery("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql)) {
                while (rs.next()) {
                    String line = rs.getString(1);
                    plan.append(line).append('\n');
                    if (line.startsWith("Execution Time:")) {
                        executionMillis = Double.parseDouble(line.replaceAll("[^0-9.]", ""));
                    }
                }
            }
            c.rollback();
            String text = plan.toString();
            return new Object[] {executionMillis, text.contains("Index Scan") || text.contains("Index Only Scan") || text.contains("Bitmap Index Scan")};
        }
    }

    /**
     * One row of COPY text for {@code (type, job_run_id, task_run_id, timestamp, level, stream, message,
     * metadata)} in {@code task}'s run: type, level and stream drawn from {@code random} (80% task, 10% job,
     * 10% system; 3% errors), as the benchmark's tables hold them.
     */
    static String copyLine(Random random, UUID[] task, LocalDateTime at, long i) {
        int kind = random.nextInt(10);
        String type = kind == 0 ? "system" : kind == 1 ? "job" : "task";
        String level = random.nextInt(100) < 3 ? "error" : LEVELS[random.nextInt(LEVELS.length)];
        String stream = type.equals("task") ? (level.equals("error") || level.equals("warn") ? "stderr" : "stdout") : "system";
        return type + "\t" + (type.equals("system") ? "\\N" : task[0]) + "\t" + (type.equals("task") ? task[1] : "\\N")
                + "\t" + at.toString().replace('T', ' ') + "\t" + level + "\t" + stream
                + "\tProcessed batch " + i + " of the nightly import: 250 records, 3 skipped\t{\"rows\": " + i
                + ", \"log\": {\"logger\": \"com.example.Importer\", \"thread\": \"pool-1-thread-" + (i % 8) + "\"}}\n";
    }

    /** COPY of {@code rows} rows in 5000-row transactions; a second thread encodes ahead so the clock times the server. */
    private double load(TestDatabase db, List<UUID[]> tasks) throws Exception {
        BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(4);
        Thread encoder = new Thread(() -> {
            Random random = new Random(7);
            LocalDateTime start = LocalDateTime.now(ZoneOffset.UTC).minusDays(7);
            long step = 7L * 24 * 3600 * 1_000_000 / rows; // spread over the last week, in microseconds
            ByteArrayOutputStream chunk = new ByteArrayOutputStream(1 << 20);
            try {
                for (int i = 0; i < rows; i++) {
                    UUID[] task = tasks.get(random.nextInt(tasks.size()));
                    String line = copyLine(random, task, start.plusNanos(i * step * 1000), i);
                    chunk.writeBytes(line.getBytes(StandardCharsets.UTF_8));
                    if ((i + 1) % 5000 == 0 || i == rows - 1) {
                        chunks.put(chunk.toByteArray());
                        chunk.reset();
                    }
                }
                chunks.put(new byte[0]);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-encoder");
        encoder.start();
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            long t0 = System.nanoTime();
            byte[] bytes;
            while ((bytes = chunks.take()).length > 0) {
                CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI()
                        .copyIn("COPY logs (type, job_run_id, task_run_id, timestamp, level, stream, message, metadata) FROM STDIN");
                copy.writeToCopy(bytes, 0, bytes.length);
                copy.endCopy();
                c.commit();
            }
            return rows / ((System.nanoTime() - t0) / 1e9);
        } finally {
            encoder.join();
        }
    }

}
