package io.stratal.logs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratal.logs.testing.CliProcess;
import io.stratal.logs.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MainIT {

    @Test
    void migrateUpAndDownFromTheCommandLine() {
        try (TestDatabase db = TestDatabase.create()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);

            assertThat(Main.run(new String[] {"migrate", "up", "--url", db.url()}, print, print)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("applied [1, 2], now at version 2");
            assertThat(Main.run(new String[] {"migrate", "down", "--url", db.url()}, print, print)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("reverted [2], now at version 1");
            assertThat(db.scalar("SELECT to_regclass('task_logs') IS NOT NULL")).isEqualTo(true);
        }
    }

    @Test
    void migrateUpWithTheLeanIndexSet() {
        try (TestDatabase db = TestDatabase.create()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);

            assertThat(Main.run(new String[] {"migrate", "up", "--lean-indexes", "--url", db.url()}, print, print)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("applied the lean index set");
            assertThat(db.query("SELECT indexname FROM pg_indexes WHERE tablename = 'logs' ORDER BY indexname"))
                    .extracting(row -> row.get("indexname"))
                    .containsExactly("idx_logs_job_run_timestamp", "idx_logs_task_run_timestamp", "idx_logs_timestamp_brin",
                            "idx_logs_type_timestamp", "logs_pkey");
            assertThat(db.scalar("SELECT version FROM schema_migrations")).as("opt-in stays out of the versions").isEqualTo(2L);
        }
    }

    @Test
    void migrateUpWithTheProblemAndJobRunIndexes() {
        try (TestDatabase db = TestDatabase.create()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);

            assertThat(Main.run(new String[] {"migrate", "up", "--problem-index", "--job-run-index", "--url", db.url()},
                    print, print)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .contains("applied the index of each job run's warnings and errors")
                    .contains("applied the job-run index for the job-runs list");
            assertThat(db.scalar("SELECT to_regclass('stratal_job_runs') IS NOT NULL")).isEqualTo(true);
            assertThat(db.query("SELECT indexname FROM pg_indexes WHERE tablename = 'logs' ORDER BY indexname"))
                    .extracting(row -> row.get("indexname"))
                    .contains("idx_logs_job_run_problems", "idx_logs_job_run_id");
            assertThat(db.scalar("SELECT version FROM schema_migrations")).as("opt-in stays out of the versions").isEqualTo(2L);

            out.reset();
            assertThat(Main.run(new String[] {"migrate", "down", "--problem-index", "--url", db.url()}, print, print))
                    .as("the flags go with up only").isEqualTo(2);
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("--problem-index goes with migrate up");
        }
    }

    @Test
    void migrateUpPartitionedThenPartitionsAndRetentionOnIt() {
        try (TestDatabase db = TestDatabase.create()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);

            assertThat(Main.run(new String[] {"migrate", "up", "--partitioned", "--premake", "2", "--lean-indexes",
                    "--url", db.url()}, print, print)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("logs is partitioned by timestamp, 4 partitions")
                    .contains("run the partitions command daily").contains("applied the lean index set");
            assertThat(db.scalar("SELECT relkind FROM pg_class WHERE oid = 'logs'::regclass").toString()).isEqualTo("p");

            out.reset();
            assertThat(Main.run(new String[] {"partitions", "--premake", "4", "--url", db.url()}, print, print)).isZero();
            String listed = out.toString(StandardCharsets.UTF_8);
            assertThat(listed).startsWith("made 2 partition(s)").contains("logs_default").contains("DEFAULT");
            assertThat(listed.lines().filter(l -> l.startsWith("logs_p"))).hasSize(5);

            String yesterday = java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(1).toString();
            db.execute("CREATE TABLE logs_old PARTITION OF logs FOR VALUES FROM ('" + yesterday + "') TO ('"
                            + java.time.LocalDate.parse(yesterday).plusDays(1) + "')",
                    "INSERT INTO logs (message, timestamp) VALUES ('yesterday', '" + yesterday + " 12:00'), ('ancient', '1990-01-01')");
            out.reset();
            assertThat(Main.run(new String[] {"retention", "--older-than", "1s", "--dry-run", "--url", db.url()}, print, print)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("2 log(s) in logs are older than")
                    .contains("1 partition(s) wholly: [logs_old]");
            out.reset();
            assertThat(Main.run(new String[] {"retention", "--older-than", "1s", "--url", db.url()}, print, print)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("deleted 2 log(s) from logs")
                    .contains("dropped 1 partition(s) [logs_old] holding 1, deleted 1 in batches");
            assertThat(db.scalar("SELECT to_regclass('logs_old') IS NULL")).isEqualTo(true);
        }
    }

    @Test
    void partitionsOnAPlainTableSaysHowToPartitionIt() {
        try (TestDatabase db = TestDatabase.create()) {
            db.migrated();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
            assertThat(Main.run(new String[] {"partitions", "--url", db.url()}, print, print)).isEqualTo(1);
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("logs is not partitioned").contains("migrate up --partitioned");
        }
    }

    @Test
    void serveAnswersTheReadApiUntilTheProcessIsStopped() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            db.migrated().execute("INSERT INTO logs (type, message) VALUES ('system', 'served')");
            CliProcess child = CliProcess.start("serve", "--url", db.url(), "--port", "0", "--token", "t0ken");
            try {
                String line = child.awaitLine("Serving ");
                assertThat(child.output().lines().filter(l -> !l.startsWith("Serving ")))
                        .as("without a logback configuration the command logs quietly").noneMatch(l -> l.contains("DEBUG"));
                assertThat(line).as("the start-up line").matches("Serving http://127\\.0\\.0\\.1:\\d+/api/v1/logs \\(token required\\)");
                String api = line.split(" ")[1];
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(api + "/system"))
                        .header("Authorization", "Bearer t0ken").build(), HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.body()).contains("\"message\":\"served\"");
            } finally {
                assertThat(child.stop(20)).as("SIGTERM: the shutdown hook stops the server").isTrue();
            }
        }
    }

    @Test
    void serveExitsWithTheReasonWhenTheTableIsMissing() {
        try (TestDatabase db = TestDatabase.create()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
            assertThat(Main.run(new String[] {"serve", "--url", db.url(), "--port", "0"}, print, print)).isEqualTo(1);
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("there is no table logs in this database")
                    .contains("migrate up");
        }
    }

    @Test
    void serveExitsWithTheReasonWhenTheDatabaseCannotBeReached() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertThat(Main.run(new String[] {"serve", "--url", "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2", "--port", "0"},
                print, print)).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("error: ").contains("SQLSTATE 08001");
    }

    @Test
    void serveSaysWhyTheDatabaseRefusedItNotJustThatThePoolTimedOut() {
        try (TestDatabase db = TestDatabase.create()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
            String url = db.url().replaceFirst("\\?.*", "") + "?user=no_such_role";
            assertThat(Main.run(new String[] {"serve", "--url", url, "--port", "0"}, print, print)).isEqualTo(1);
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("role \"no_such_role\" does not exist")
                    .doesNotContain("Connection is not available");
        }
    }

    @Test
    void retentionCountsWithDryRunThenDeletes() {
        try (TestDatabase db = TestDatabase.create()) {
            db.migrated().execute("INSERT INTO logs (type, timestamp, message) VALUES ('system', timestamp '2000-01-01', 'ancient'),"
                    + " ('system', now() AT TIME ZONE 'UTC', 'fresh')");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);

            assertThat(Main.run(new String[] {"retention", "--older-than", "30d", "--dry-run", "--url", db.url()}, print, print)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("1 log(s) in logs are older than").contains("nothing deleted");
            assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(2);
            assertThat(Main.run(new String[] {"retention", "--older-than", "30d", "--url", db.url()}, print, print)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("deleted 1 log(s) from logs");
            assertThat(db.scalar("SELECT message FROM logs")).isEqualTo("fresh");
        }
    }

    @Test
    void statsPrintsTheMonitoringQueries() {
        try (TestDatabase db = TestDatabase.create()) {
            db.migrated();
            Object job = db.scalar("INSERT INTO job_runs (job_name) VALUES ('j') RETURNING id");
            db.execute("INSERT INTO logs (type, job_run_id, level, timestamp, message) VALUES"
                    + " ('job', '" + job + "', 'error', now() AT TIME ZONE 'UTC', 'failed'),"
                    + " ('job', '" + job + "', 'info', now() AT TIME ZONE 'UTC', 'started'),"
                    + " ('system', NULL, 'info', timestamp '2000-01-01', 'long ago')");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);

            assertThat(Main.run(new String[] {"stats", "--url", db.url()}, print, print)).isZero();
            String text = out.toString(StandardCharsets.UTF_8);
            assertThat(text).contains("Logs by type:\n  job      2\n  system   1")
                    .contains("Logs by level in the last 1h:\n  error    1\n  info     1")
                    .contains(job + "  1 errors of 2 logs  50.0%")
                    .containsPattern("Table logs: .+ in all, .+ of rows, .+ of indexes")
                    .contains("Rows per day (UTC), the last 7 days:\n")
                    .contains("  " + java.time.LocalDate.now(java.time.ZoneOffset.UTC) + " 2");
        }
    }

    @Test
    void theJarNamesItsModule() throws Exception {
        java.io.File cliJar = new java.io.File(System.getProperty("stratal.cliJar", ""));
        org.junit.jupiter.api.Assumptions.assumeTrue(cliJar.isFile(), "runs on the packaged jar (mvn verify)");
        java.io.File jar = new java.io.File(cliJar.getPath().replace("-cli.jar", ".jar"));
        try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar);
             java.io.InputStream descriptor = file.getInputStream(file.getEntry("module-info.class"))) {
            assertThat(java.lang.module.ModuleDescriptor.read(descriptor).name()).isEqualTo("io.stratal.logs");
        }
    }
}
