package io.stratal.logs.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratal.logs.schema.Migrations;
import io.stratal.logs.names.TableName;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The opt-in index of {@code db/optional} for the read filters is read by the filters it is for: the reads use them (the
 * index's scan count rises), through the prepared statements' cached plans too, and answer as without them.
 */
@Timeout(120)
class OptionalIndexesIT {

    @RegisterExtension
    final DatabaseExtension database = new DatabaseExtension();
    private TestDatabase db;
    private LogReader reader;
    private UUID job;

    @BeforeEach
    void setUp() {
        db = database.get().migrated();
        reader = new LogReader(db.dataSource(), TableName.parseOrNull("logs"));
        job = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('big') RETURNING id");
        UUID other = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('other') RETURNING id");
        // two runs of 30,000 rows, interleaved: 600 errors and 1,200 warnings in the first, 1,200 warnings in the other
        db.execute("INSERT INTO logs (type, job_run_id, timestamp, level, message) SELECT 'job',"
                + " CASE WHEN g % 2 = 0 THEN '" + job + "'::uuid ELSE '" + other + "'::uuid END,"
                + " timestamp '2026-11-29 08:00' + g * interval '10 ms',"
                + " CASE WHEN g % 100 = 8 THEN 'error' WHEN g % 25 = 4 THEN 'warn' ELSE 'info' END,"
                + " CASE WHEN g % 997 = 0 THEN 'Connection timeout ' || g ELSE 'Processed batch ' || g END"
                + " FROM generate_series(1, 60000) g",
                // system rows as many again: the runs are a part of the table, as in use
                "INSERT INTO logs (type, timestamp, message) SELECT 'system', timestamp '2026-11-29 08:00' + g * interval '10 ms',"
                        + " 'Heartbeat ' || g FROM generate_series(1, 60000) g");
    }

    private void apply(String migration) throws Exception {
        try (Connection connection = db.connect()) {
            Migrations.applyOptional(connection, migration, true);
        }
        db.execute("VACUUM ANALYZE logs");
    }

    private long scans(String index) {
        return db.count("SELECT coalesce(sum(idx_scan), 0) FROM pg_stat_user_indexes WHERE indexrelname = '" + index + "'");
    }

    /** Every page of the selection, by cursor. */
    private List<StoredLog> all(LogFilter filter) throws Exception {
        List<StoredLog> rows = new java.util.ArrayList<>();
        PageRequest request = PageRequest.first(50);
        while (true) {
            LogPage page = reader.page(filter, request);
            rows.addAll(page.logs());
            if (page.nextCursor() == null) {
                return rows;
            }
            request = new PageRequest(50, 0, page.nextCursor());
        }
    }

    @Test
    void theProblemIndexServesARunsErrorsPageAfterPage() throws Exception {
        LogFilter errors = LogFilter.jobRun(job).where(LogConditions.parse(Map.of("level", List.of("error"))));
        List<StoredLog> without = all(errors);
        assertThat(without).hasSize(600);

        apply(Migrations.PROBLEM_INDEX);
        // A plan cached for any parameter values (as PostgreSQL may choose after 5 runs of a prepared statement)
        // can use a partial index only if the levels are in the SQL itself.
        db.execute("ALTER DATABASE " + db.name() + " SET plan_cache_mode = force_generic_plan");
        long before = scans("idx_logs_job_run_problems");
        // 600 errors in pages of 50: 12 pages
        assertThat(all(errors)).isEqualTo(without);
        LogFilter problems = LogFilter.jobRun(job).where(LogConditions.parse(Map.of("level", List.of("warn,error"))));
        assertThat(all(problems)).hasSize(1800).allSatisfy(row -> assertThat(row.level()).isIn("warn", "error"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(scans("idx_logs_job_run_problems") - before).isGreaterThanOrEqualTo(12));
    }
}
