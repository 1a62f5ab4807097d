package example;

import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.LogLevel;
import io.stratal.logs.context.JobRunLogger;
import io.stratal.logs.context.LogContext;
import io.stratal.logs.context.TaskProcess;
import io.stratal.logs.context.UnifiedLogger;
import io.stratal.logs.schema.Migrations;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job run with three tasks on a pool: one fetches (plain SLF4J inside a task scope), one runs a shell
 * command whose output becomes task logs, one fails. Job-level lines use UnifiedLogger's job and task API.
 * Database: STRATAL_DB_URL / STRATAL_DB_USERNAME / STRATAL_DB_PASSWORD, as in logback.xml.
 */
public final class JobRunner {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    public static void main(String[] args) throws Exception {
        String url = env("STRATAL_DB_URL", "jdbc:postgresql://localhost:5432/postgres");
        try (Connection db = DriverManager.getConnection(url, env("STRATAL_DB_USERNAME", "postgres"), env("STRATAL_DB_PASSWORD", ""))) {
            Migrations.up(db); // job_runs, task_runs and logs, as golang-migrate would create them
            UUID jobRunId = insert(db, "INSERT INTO job_runs (job_name, status, started_at) VALUES (?, 'running', now()) RETURNING id",
                    "example-nightly", null);
            List<String> tasks = List.of("fetch-prices", "compress-archive", "publish-report");
            List<UUID> taskRunIds = new ArrayList<>();
            for (String task : tasks) {
                taskRunIds.add(insert(db, "INSERT INTO task_runs (job_run_id, task_name) VALUES (?, ?) RETURNING id", task, jobRunId));
            }

            UnifiedLogger logger = UnifiedLogger.getLogger(JobRunner.class);
            logger.logSystem(LogLevel.INFO, "Job runner started", Map.of("pid", ProcessHandle.current().pid()));
            int failed = 0;
            try (JobRunLogger jobLogger = logger.getJobRunLogger(jobRunId); LogContext.Scope job = LogContext.job(jobRunId)) {
                jobLogger.logJob(LogLevel.INFO, "Job started", Map.of("job_name", "example-nightly", "total_tasks", tasks.size()));
                ExecutorService pool = LogContext.wrap(Executors.newFixedThreadPool(3));
                List<Future<Boolean>> results = new ArrayList<>();
                for (int i = 0; i < tasks.size(); i++) {
                    int index = i;
                    results.add(pool.submit(() -> runTask(tasks.get(index), taskRunIds.get(index))));
                }
                for (Future<Boolean> result : results) {
                    if (!result.get()) {
                        failed++;
                    }
                }
                pool.shutdown();
                jobLogger.logJob(failed == 0 ? LogLevel.INFO : LogLevel.ERROR, failed == 0 ? "Job succeeded" : "Job failed",
                        Map.of("failed_tasks", failed));
            }

            ((LoggerContext) LoggerFactory.getILoggerFactory()).stop(); // drains the appender
            try (PreparedStatement count = db.prepareStatement("SELECT type, count(*) FROM logs WHERE job_run_id = ? GROUP BY type ORDER BY type")) {
                count.setObject(1, jobRunId);
                try (ResultSet rs = count.executeQuery()) {
                    System.out.println("Stored for job run " + jobRunId + ":");
                    while (rs.next()) {
                        System.out.println("  " + rs.getString(1) + ": " + rs.getLong(2));
                    }
                }
            }
        }
    }

    private static boolean runTask(String name, UUID taskRunId) throws Exception {
        try (LogContext.Scope task = LogContext.task(taskRunId)) {
            log.atInfo().setMessage("Task started").addKeyValue("task_name", name).log();
            switch (name) {
                case "fetch-prices":
                    log.atInfo().setMessage("Fetched {} prices").addArgument(1280).addKeyValue("status_code", 200).log();
                    return true;
                case "compress-archive":
                    return TaskProcess.of(new ProcessBuilder("sh", "-c", "echo compressing; ls / | head -3; echo 'almost full' >&2"))
                            .logger(log).timeout(Duration.ofMinutes(1)).run().exitCode() == 0;
                default:
                    try {
                        throw new IllegalStateException("report template missing");
                    } catch (IllegalStateException e) {
                        log.error("Task failed", e);
                        return false;
                    }
            }
        }
    }

    private static UUID insert(Connection db, String sql, String name, UUID parent) throws Exception {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
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

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
