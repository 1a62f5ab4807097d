package io.stratal.logs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratal.logs.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
}
