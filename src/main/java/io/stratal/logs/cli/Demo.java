package io.stratal.logs.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.context.LogContext;
import io.stratal.logs.context.TaskProcess;
import io.stratal.logs.schema.Migrations;
import io.stratal.logs.server.LogServer;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code demo}: starts an embedded PostgreSQL, applies the migrations, runs a sample job whose tasks log
 * through SLF4J with the run ids in the MDC, and prints what the appender stored.
 */
final class Demo {

    private static final String[] TASKS = {"extract-orders", "transform-orders", "load-warehouse", "notify-team", "check-runtime"};

    private final PrintStream out;

    Demo(PrintStream out) {
        this.out = out;
    }

    int run(boolean exitAfterSummary) {
        out.println("Starting an embedded PostgreSQL...");
        quietLogger("io.zonky");
        try (EmbeddedDatabase postgres = EmbeddedDatabase.start()) {
            String url = postgres.jdbcUrl("postgres", "postgres");
            UUID jobRunId;
            try (Connection connection = postgres.postgresDatabase().getConnection()) {
                out.println("Migrations applied: " + Migrations.up(connection));
                LoggerContext logging = configureLogging(url);
                jobRunId = runSampleJob(connection);
                logging.stop(); // drains the appender's queue into the database
                printSummary(connection, jobRunId);
            }
            out.println();
            out.println("Connect with: psql -h localhost -p " + postgres.port() + " -U postgres postgres");
            if (exitAfterSummary) {
                showTheReadApi(postgres.postgresDatabase(), jobRunId);
            } else {
                serveUntilStopped(postgres.postgresDatabase(), url, jobRunId);
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("demo failed: " + e.getMessage(), e);
        }
    }

    /** With --exit: one request to the read API, to show it answers (and so CI keeps the path working). */
    private void showTheReadApi(DataSource dataSource, UUID jobRunId) throws IOException, InterruptedException {
        try (LogServer server = LogServer.builder(dataSource).port(0).start()) {
            String path = "/api/v1/logs/job-runs/" + jobRunId + "?limit=5";
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
            int logs = 0;
            boolean hasMore = false;
            try (JsonParser json = new JsonFactory().createParser(answer.body())) {
                while (json.nextToken() != null) {
                    if (json.currentToken() == JsonToken.FIELD_NAME && json.getParsingContext().getParent().inRoot()) {
                        String field = json.currentName();
                        json.nextToken();
                        if (field.equals("logs")) {
                            while (json.nextToken() == JsonToken.START_OBJECT) {
                                logs++;
                                json.skipChildren();
                            }
                        } else if (field.equals("has_more")) {
                            hasMore = json.getBooleanValue();
                        }
                    }
                }
            }
            out.println();
            out.println("The read API answered GET " + path + ": HTTP " + answer.statusCode() + ", " + logs + " logs, has_more="
                    + hasMore);
        }
    }

    /**
     * Without --exit: the read API and the viewer on port 8080 (or a free one), and a ticker job that logs a
     * line a second, so the viewer's live view has something to show. Runs until Ctrl-C.
     */
    private void serveUntilStopped(DataSource dataSource, String url, UUID jobRunId) throws SQLException, InterruptedException {
        LogServer server;
        try {
            server = LogServer.builder(dataSource).port(8080).metrics(true).start();
        } catch (RuntimeException portTaken) {
            server = LogServer.builder(dataSource).port(0).metrics(true).start();
        }
        String base = "http://127.0.0.1:" + server.port();
        LoggerContext logging = configureLogging(url);
        UUID ticker;
        try (Connection connection = dataSource.getConnection()) {
            ticker = insertReturningId(connection,
                    "INSERT INTO job_runs (job_name, status, started_at) VALUES (?, 'running', now()) RETURNING id", "ticker", null);
        }
        Thread tick = new Thread(() -> tick(ticker), "demo-ticker");
        tick.setDaemon(true);
        tick.start();
        out.println();
        out.println("Log viewer, the sample job:  " + base + "/?job_run_id=" + jobRunId);
        out.println("Log viewer, live:            " + base + "/?job_run_id=" + ticker + "   (a line a second)");
        out.println("Read API:                    " + base + "/api/v1/logs/system");
        if (server.servesMetrics()) {
            out.println("Prometheus metrics:          " + base + "/metrics   (the server's and the appender's)");
        }
        out.println("Server, viewer and database stay up until you press Ctrl-C.");
        LogServer running = server;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.close();
            logging.stop();
        }, "demo-stop"));
        new CountDownLatch(1).await();
    }

    private static void tick(UUID ticker) {
        Logger log = LoggerFactory.getLogger("io.stratal.demo.Ticker");
        try (LogContext.Scope job = LogContext.job(ticker)) {
            for (long n = 1; ; n++) {
                if (n % 10 == 0) {
                    log.atWarn().setMessage("tick {} is a multiple of ten").addArgument(n).addKeyValue("n", n).log();
                } else {
                    log.atInfo().setMessage("tick {}").addArgument(n).addKeyValue("n", n).log();
                }
                Thread.sleep(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The embedded server's own start-up chatter is not what the demo is about. */
    private static void quietLogger(String name) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext) {
            ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(name).setLevel(Level.WARN);
        }
    }

    private static LoggerContext configureLogging(String url) {
        return CliLogging.configure(Demo.class.getResource("demo-logback.xml"), Map.of("demo.url", url));
    }

    private UUID runSampleJob(Connection connection) throws SQLException {
        Logger system = LoggerFactory.getLogger("io.stratal.demo.Scheduler");
        system.atInfo().setMessage("Scheduler started").addKeyValue("port", 8080).addKeyValue("version", "1.0.0").log();

        UUID jobRunId = insertReturningId(connection, "INSERT INTO job_runs (job_name, status, started_at) VALUES (?, 'running', now()) RETURNING id", "nightly-orders", null);
        List<UUID> taskRunIds = new ArrayList<>();
        for (String task : TASKS) {
            taskRunIds.add(insertReturningId(connection, "INSERT INTO task_runs (job_run_id, task_name, status) VALUES (?, ?, 'running') RETURNING id", task, jobRunId));
        }

        Logger job = LoggerFactory.getLogger("io.stratal.demo.Job");
        LogContext.Scope jobScope = LogContext.job(jobRunId);
        job.atInfo().setMessage("Job execution started").addKeyValue("total_tasks", TASKS.length).addKeyValue("estimated_duration", "2m").log();

        // a wrapped pool: each task runs under the job scope of the thread that submitted it
        ExecutorService pool = LogContext.wrap(Executors.newFixedThreadPool(2));
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < TASKS.length; i++) {
            String taskName = TASKS[i];
            UUID taskRunId = taskRunIds.get(i);
            int index = i;
            results.add(pool.submit(() -> runTask(taskRunId, taskName, index)));
        }
        int failed = 0;
        for (int i = 0; i < results.size(); i++) {
            boolean ok = join(results.get(i));
            if (!ok) {
                failed++;
            }
            update(connection, "UPDATE task_runs SET status = ?, finished_at = now() WHERE id = ?", ok ? "succeeded" : "failed", taskRunIds.get(i));
        }
        pool.shutdown();
        String status = failed == 0 ? "succeeded" : "failed";
        update(connection, "UPDATE job_runs SET status = ?, finished_at = now() WHERE id = ?", status, jobRunId);
        if (failed == 0) {
            job.info("Job completed");
        } else {
            job.atError().setMessage("Job failed").addKeyValue("failed_tasks", failed).log();
        }
        jobScope.close();
        return jobRunId;
    }

    /**
     * One task, logging as the task inside its scope: the third fails at once, the fourth after retries,
     * the fifth runs a subprocess (this JVM's {@code java -version}) whose output becomes task logs.
     */
    private static boolean runTask(UUID taskRunId, String name, int index) {
        Logger log = LoggerFactory.getLogger("io.stratal.demo.tasks." + name);
        try (LogContext.Scope task = LogContext.task(taskRunId)) {
            log.atInfo().setMessage("Task started").addKeyValue("task_name", name).log();
            if (index == 4) {
                String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                return TaskProcess.of(new ProcessBuilder(java, "-version")).logger(log).timeout(Duration.ofMinutes(1)).run().exitCode() == 0;
            }
            for (int step = 1; step <= 3; step++) {
                log.atDebug().setMessage("step {} of 3").addArgument(step).addKeyValue("rows", step * 1000 + index).log();
            }
            if (index == 2) {
                throw new IllegalStateException("warehouse connection refused");
            }
            if (index == 3) {
                for (int attempt = 1; attempt <= 2; attempt++) {
                    log.atWarn().setMessage("Webhook timed out, retrying").addKeyValue("attempt", attempt).log();
                }
                throw new IllegalStateException("webhook timed out after 3 attempts");
            }
            log.atInfo().setMessage("HTTP request completed").addKeyValue("status_code", 200).addKeyValue("response_time", "150ms").log();
            return true;
        } catch (RuntimeException e) {
            try (LogContext.Scope task = LogContext.task(taskRunId)) {
                log.atError().setMessage("Task failed").addKeyValue("retry_count", 3).setCause(e).log();
            }
            return false;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void printSummary(Connection connection, UUID jobRunId) throws SQLException {
        out.println();
        out.println("Rows written to the logs table, by type and level:");
        query(connection, "SELECT type, level, count(*) AS rows FROM logs GROUP BY type, level ORDER BY type, level");
        out.println();
        out.println("Job run " + jobRunId + ", in order:");
        query(connection, "SELECT to_char(timestamp, 'HH24:MI:SS.US') AS utc, type, level, stream, "
                + "left(coalesce(t.task_name, ''), 16) AS task, left(message, 60) AS message FROM logs l LEFT JOIN task_runs t ON t.id = l.task_run_id "
                + "WHERE l.job_run_id = '" + jobRunId + "' ORDER BY l.timestamp, l.id");
        out.println();
        out.println("Error rate by job run (the monitoring query):");
        query(connection, "SELECT job_run_id, COUNT(CASE WHEN level = 'error' THEN 1 END) AS errors, COUNT(*) AS total_logs, "
                + "round((COUNT(CASE WHEN level = 'error' THEN 1 END)::numeric / COUNT(*)) * 100, 1) AS error_rate "
                + "FROM logs WHERE type IN ('job', 'task') AND timestamp > (now() AT TIME ZONE 'UTC') - INTERVAL '1 hour' "
                + "GROUP BY job_run_id HAVING COUNT(CASE WHEN level = 'error' THEN 1 END) > 0");
    }

    private void query(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            StringBuilder header = new StringBuilder("  ");
            for (int i = 1; i <= columns; i++) {
                header.append(String.format("%-" + width(rs.getMetaData().getColumnLabel(i)) + "s ", rs.getMetaData().getColumnLabel(i)));
            }
            out.println(header);
            while (rs.next()) {
                StringBuilder line = new StringBuilder("  ");
                for (int i = 1; i <= columns; i++) {
                    line.append(String.format("%-" + width(rs.getMetaData().getColumnLabel(i)) + "s ", rs.getString(i)));
                }
                out.println(line);
            }
        }
    }

    private static int width(String column) {
        switch (column) {
            case "job_run_id":
                return 36;
            case "utc":
                return 15;
            case "task":
                return 16;
            case "message":
                return 1;
            default:
                return Math.max(6, column.length());
        }
    }

    private static UUID insertReturningId(Connection connection, String sql, String name, UUID parent) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            if (parent == null) {
                statement.setString(1, name);
            } else {
                statement.setObject(1, parent);
                statement.setString(2, name);
            }
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getObject(1, UUID.class);
            }
        }
    }

    private static void update(Connection connection, String sql, String status, UUID id) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, status);
            statement.setObject(2, id);
            statement.executeUpdate();
        }
    }

    private static boolean join(Future<Boolean> result) {
        try {
            return result.get();
        } catch (Exception e) {
            return false;
        }
    }
}
