package io.stratal.logs.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.stratal.logs.names.TableName;
import io.stratal.logs.query.LogStats;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.TestDatabase;
import java.sql.Connection;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;

/**
 * The opt-in partitioned logs table ({@code db/optional/000006_partitioned-logs}): made on an empty table and
 * converted from one with rows, reverted, its partitions made ahead (by us, or by pg_partman where it is
 * installed), the appender writing into it, and retention dropping whole partitions.
 */
@Timeout(120)
class PartitionedLogsIT {

    private static final TableName LOGS = TableName.parseOrNull("logs");
    private TestDatabase db;

    @BeforeEach
    void createDatabase() {
        db = TestDatabase.create().migrated();
    }

    @AfterEach
    void dropDatabase() {
        MDC.clear();
        db.close();
    }

    private void partition(Map<String, String> settings) throws Exception {
        try (Connection c = db.connect()) {
            Migrations.applyOptional(c, Migrations.PARTITIONED, true, settings);
        }
    }

    private void unpartition() throws Exception {
        try (Connection c = db.connect()) {
            Migrations.applyOptional(c, Migrations.PARTITIONED, false);
        }
    }

    private List<Partitions.Partition> partitions() throws Exception {
        try (Connection c = db.connect()) {
            return new Partitions(LOGS).list(c);
        }
    }

    private static LocalDate todayUtc() {
        return LocalDate.now(ZoneOffset.UTC);
    }

    /** The table as the catalog describes it: columns, constraints and indexes, by name. */
    private List<Map<String, Object>> shape() {
        List<Map<String, Object>> shape = new ArrayList<>(db.query("SELECT attname, format_type(atttypid, atttypmod) AS type,"
                + " attnotnull, pg_get_expr(d.adbin, d.adrelid) AS default_value FROM pg_attribute a"
                + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + " WHERE a.attrelid = 'logs'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"));
        shape.addAll(db.query("SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint"
                + " WHERE conrelid = 'logs'::regclass ORDER BY conname"));
        shape.addAll(db.query("SELECT indexname, replace(indexdef, ' ON ONLY ', ' ON ') AS def FROM pg_indexes"
                + " WHERE tablename = 'logs' ORDER BY indexname"));
        return shape;
    }

    @Test
    void anEmptyTableGetsTodayTheNextSevenDaysAndADefaultPartitionAndGoesBackToThePlainTable() throws Exception {
        List<Map<String, Object>> plain = shape();
        partition(Map.of());

        assertThat(db.scalar("SELECT relkind FROM pg_class WHERE oid = 'logs'::regclass").toString()).isEqualTo("p");
        assertThat(db.scalar("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'logs_pkey'"))
                .isEqualTo("PRIMARY KEY (id, \"timestamp\")");
        List<Partitions.Partition> partitions = partitions();
        assertThat(partitions).hasSize(9);
        LocalDate today = todayUtc();
        for (int day = 0; day < 8; day++) {
            Partitions.Partition p = partitions.get(day);
            assertThat(p.from()).isEqualTo(today.plusDays(day).atStartOfDay());
            assertThat(p.to()).isEqualTo(today.plusDays(day + 1).atStartOfDay());
            assertThat(p.name()).isEqualTo("logs_p" + today.plusDays(day).toString().replace('-', '_'));
        }
        assertThat(partitions.get(8).isDefault()).isTrue();
        assertThat(partitions.get(8).name()).isEqualTo("logs_default");
        assertThat(db.count("SELECT count(*) FROM pg_indexes WHERE tablename = 'logs'")).as("the default seven and the key")
                .isEqualTo(8);

        partition(Map.of()); // a partitioned table stays as it is
        assertThat(partitions()).hasSize(9);

        unpartition();
        assertThat(shape()).isEqualTo(plain);
        assertThat(db.count("SELECT count(*) FROM pg_proc WHERE proname = 'stratal_create_log_partitions'")).isZero();
    }

    @Test
    void aTableWithRowsIsConvertedAndRevertedKeepingEveryRowAndItsId() throws Exception {
        UUID job = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('nightly') RETURNING id");
        db.execute("INSERT INTO logs (type, job_run_id, timestamp, message) SELECT 'job', '" + job + "',"
                        + " (now() AT TIME ZONE 'UTC') - g * interval '30 minutes', 'old ' || g FROM generate_series(1, 100) g",
                "INSERT INTO logs (message, timestamp, created_at) VALUES ('no timestamp', NULL, '2026-01-02 03:04:05+00')",
                "INSERT INTO logs (message, timestamp) VALUES ('in three days', (now() AT TIME ZONE 'UTC') + interval '3 days')",
                "INSERT INTO logs (message, timestamp) VALUES ('far ahead', '2045-06-01')");
        List<Map<String, Object>> before = db.query("SELECT id, message, job_run_id FROM logs ORDER BY id");

        partition(Map.of());

        assertThat(db.query("SELECT id, message, job_run_id FROM logs ORDER BY id")).isEqualTo(before);
        String converted = "logs_p" + todayUtc().toString().replace('-', '_');
        assertThat(db.count("SELECT count(*) FROM " + converted)).as("the old table, now the partition up to tomorrow")
                .isEqualTo(101);
        assertThat(partitions().get(0).from()).as("from MINVALUE").isNull();
        assertThat(db.scalar("SELECT timestamp::text FROM logs WHERE message = 'no timestamp'")).isEqualTo("2026-01-02 03:04:05");
        assertThat(db.scalar("SELECT tableoid::regclass::text FROM logs WHERE message = 'in three days'"))
                .isEqualTo("logs_p" + todayUtc().plusDays(3).toString().replace('-', '_'));
        assertThat(db.scalar("SELECT tableoid::regclass::text FROM logs WHERE message = 'far ahead'")).isEqualTo("logs_default");
        long newId = db.count("INSERT INTO logs (message) VALUES ('after') RETURNING id");
        assertThat(newId).as("the id sequence goes on").isGreaterThan(((Number) before.get(before.size() - 1).get("id")).longValue());
        assertThat(db.count("SELECT count(*) FROM logs WHERE job_run_id = '" + job + "'")).isEqualTo(100);
        db.execute("DELETE FROM job_runs WHERE id = '" + job + "'");
        assertThat(db.count("SELECT count(*) FROM logs WHERE job_run_id IS NOT NULL")).as("the foreign key cascades").isZero();

        unpartition();
        assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(4);
        assertThat(db.scalar("SELECT relkind FROM pg_class WHERE oid = 'logs'::regclass").toString()).isEqualTo("r");
    }

    @Test
    void theOwnerAndTheGrantsOfTheTableStayThroughTheConversionAndBack() throws Exception {
        String role = "stratal_reader_" + db.name();
        db.execute("CREATE ROLE " + role, "GRANT SELECT, INSERT ON logs TO " + role,
                "INSERT INTO logs (message) VALUES ('granted')");
        try {
            partition(Map.of("stratal.partition_premake", "0"));
            assertThat(db.scalar("SELECT has_table_privilege('" + role + "', 'logs', 'INSERT')")).isEqualTo(true);
            assertThat(db.scalar("SELECT has_table_privilege('" + role + "', 'logs', 'DELETE')")).isEqualTo(false);
            assertThat(partitions()).as("premake 0 with rows: the converted partition, the next one, the default one")
                    .hasSize(3);
            unpartition();
            assertThat(db.scalar("SELECT has_table_privilege('" + role + "', 'logs', 'SELECT')")).isEqualTo(true);
        } finally {
            db.execute("DROP TABLE logs", "DROP ROLE " + role);
        }
    }

    @Test
    void theIntervalAndHowManyPartitionsAheadAreSettings() throws Exception {
        partition(Map.of("stratal.partition_interval", "week", "stratal.partition_premake", "2"));
        List<Partitions.Partition> weeks = partitions();
        LocalDate monday = todayUtc().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        assertThat(weeks).hasSize(4);
        assertThat(weeks.get(0).from()).isEqualTo(monday.atStartOfDay());
        assertThat(weeks.get(2).to()).isEqualTo(monday.plusWeeks(3).atStartOfDay());
        unpartition();

        partition(Map.of("stratal.partition_interval", "month", "stratal.partition_premake", "1"));
        List<Partitions.Partition> months = partitions();
        assertThat(months).hasSize(3);
        assertThat(months.get(0).from()).isEqualTo(todayUtc().withDayOfMonth(1).atStartOfDay());
        assertThat(months.get(1).to()).isEqualTo(todayUtc().withDayOfMonth(1).plusMonths(2).atStartOfDay());
        assertThat(months.get(0).name()).isEqualTo("logs_p" + todayUtc().toString().substring(0, 7).replace('-', '_'));
        unpartition();

        assertThatThrownBy(() -> partition(Map.of("stratal.partition_interval", "fortnight")))
                .hasMessageContaining("stratal.partition_interval: 'fortnight' is not hour, day, week or month");
        assertThatThrownBy(() -> partition(Map.of("stratal.partition_premake", "-1")))
                .hasMessageContaining("stratal.partition_premake: '-1' is not a number");
        assertThat(db.scalar("SELECT relkind FROM pg_class WHERE oid = 'logs'::regclass").toString()).isEqualTo("r");
    }

    @Test
    void theNextPartitionsAreMadeAndTakeWhatTheDefaultPartitionHeldForThem() throws Exception {
        partition(Map.of("stratal.partition_premake", "1"));
        assertThat(partitions()).hasSize(3);
        db.execute("INSERT INTO logs (message, timestamp) VALUES ('early', (now() AT TIME ZONE 'UTC') + interval '5 days')");
        assertThat(db.scalar("SELECT tableoid::regclass::text FROM logs")).isEqualTo("logs_default");

        List<String> made;
        try (Connection c = db.connect()) {
            made = new Partitions(LOGS).createAhead(c, 7);
        }
        assertThat(made).hasSize(6);
        assertThat(db.scalar("SELECT tableoid::regclass::text FROM logs"))
                .isEqualTo("logs_p" + todayUtc().plusDays(5).toString().replace('-', '_'));
        assertThat(db.count("SELECT count(*) FROM logs_default")).isZero();
        try (Connection c = db.connect()) {
            assertThat(new Partitions(LOGS).createAhead(c, 7)).as("nothing due twice").isEmpty();
        }
    }

    @Test
    void theAppenderWritesAcrossADayBoundaryIntoTheDefaultPartitionAndParksRowsForALateJobRun() throws Exception {
        partition(Map.of());
        LoggerContext context = LogbackContexts.fromResource("config/unified.xml", Map.of("url", db.url()));
        Logger log = context.getLogger("com.example.Worker");
        Instant midnight = todayUtc().plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        UUID lateRun = UUID.randomUUID();
        try {
            append(log, midnight.minusMillis(1), "the last of today");
            append(log, midnight, "the first of tomorrow");
            append(log, Instant.parse("2045-01-01T00:00:00Z"), "far ahead");
            append(log, Instant.parse("1999-12-31T23:59:59Z"), "long ago");
            MDC.put("job_run_id", lateRun.toString());
            append(log, midnight.minusSeconds(60), "before its run was stored");
            MDC.clear();
            await().atMost(Duration.ofSeconds(20)).until(() -> db.count("SELECT count(*) FROM logs") == 4);
            db.execute("INSERT INTO job_runs (id, job_name) VALUES ('" + lateRun + "', 'late')");
            await().atMost(Duration.ofSeconds(30)).until(() -> db.count("SELECT count(*) FROM logs") == 5);
        } finally {
            context.stop();
        }
        Map<String, String> where = new java.util.HashMap<>();
        db.query("SELECT message, tableoid::regclass::text AS partition FROM logs")
                .forEach(row -> where.put((String) row.get("message"), (String) row.get("partition")));
        String today = "logs_p" + todayUtc().toString().replace('-', '_');
        assertThat(where).containsEntry("the last of today", today)
                .containsEntry("the first of tomorrow", "logs_p" + todayUtc().plusDays(1).toString().replace('-', '_'))
                .containsEntry("far ahead", "logs_default")
                .containsEntry("long ago", "logs_default")
                .containsEntry("before its run was stored", today)
                .hasSize(5);
    }

    private static void append(Logger log, Instant at, String message) {
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), log, Level.INFO, message, null, null);
        event.setInstant(at);
        log.callAppenders(event);
    }

    @Test
    void retentionDropsThePartitionsWhollyBeforeTheCutOffAndDeletesInsideTheOneAcrossIt() throws Exception {
        partition(Map.of("stratal.partition_premake", "0"));
        LocalDate today = todayUtc();
        for (int day = 1; day <= 30; day++) {
            LocalDate d = today.minusDays(day);
            db.execute("CREATE TABLE logs_p" + d.toString().replace('-', '_') + " PARTITION OF logs FOR VALUES FROM ('"
                    + d + "') TO ('" + d.plusDays(1) + "')");
        }
        db.execute("INSERT INTO logs (message, timestamp) SELECT 'hourly', date_trunc('hour', now() AT TIME ZONE 'UTC')"
                        + " - g * interval '1 hour' FROM generate_series(0, 30 * 24 - 1) g",
                "INSERT INTO logs (message, timestamp) VALUES ('long ago', '1990-01-01'), ('ahead', '2045-01-01')");
        Instant now = Instant.now();
        LocalDateTime cutoff = Retention.cutoff(now, Duration.ofDays(10));
        long keep = db.count("SELECT count(*) FROM logs WHERE timestamp >= '" + cutoff + "'");
        long old = db.count("SELECT count(*) FROM logs WHERE timestamp < '" + cutoff + "'");
        LocalDate cutoffDay = cutoff.toLocalDate();
        long inWholeDays = db.count("SELECT count(*) FROM logs WHERE timestamp >= '" + today.minusDays(30)
                + "' AND timestamp < '" + cutoffDay + "'");

        Retention.Result result;
        try (Connection c = db.connect()) {
            result = new Retention(LOGS, 7).purge(c, cutoff);
        }

        long whole = ChronoUnit.DAYS.between(today.minusDays(30), cutoffDay);
        assertThat(result.droppedPartitions()).hasSize((int) whole)
                .contains("logs_p" + today.minusDays(30).toString().replace('-', '_'))
                .doesNotContain("logs_p" + cutoffDay.toString().replace('-', '_'));
        assertThat(result.droppedRows()).isEqualTo(inWholeDays);
        assertThat(result.total()).isEqualTo(old);
        assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(keep);
        assertThat(db.count("SELECT count(*) FROM logs WHERE timestamp < '" + cutoff + "'")).isZero();
        assertThat(db.count("SELECT count(*) FROM logs WHERE message = 'ahead'")).isEqualTo(1);
        try (Connection c = db.connect()) {
            assertThat(new Retention(LOGS, 7).purge(c, cutoff).total()).isZero();
        }
    }

    @Test
    void statsCountTheSizeOfEveryPartition() throws Exception {
        partition(Map.of());
        db.execute("INSERT INTO logs (message) SELECT 'row ' || g FROM generate_series(1, 2000) g");
        LogStats.TableSize size = new LogStats(db.dataSource(), LOGS).size();
        assertThat(size.tableBytes()).isGreaterThan(100_000);
        assertThat(size.indexBytes()).isGreaterThan(0);
    }

    @Test
    void theJobRunIndexAndAPartitionedTableRefuseEachOther() throws Exception {
        try (Connection c = db.connect()) {
            Migrations.applyOptional(c, Migrations.JOB_RUN_INDEX, true);
        }
        assertThatThrownBy(() -> partition(Map.of())).hasMessageContaining("revert it");
        try (Connection c = db.connect()) {
            Migrations.applyOptional(c, Migrations.JOB_RUN_INDEX, false);
        }
        partition(Map.of());
        assertThatThrownBy(() -> {
            try (Connection c = db.connect()) {
                Migrations.applyOptional(c, Migrations.JOB_RUN_INDEX, true);
            }
        }).hasMessageContaining("logs is partitioned");
    }

    @Test
    void theLeanIndexSetAndTheProblemIndexGoOnAPartitionedTable() throws Exception {
        partition(Map.of());
        try (Connection c = db.connect()) {
            Migrations.applyOptional(c, Migrations.LEAN_INDEXES, true);
            Migrations.applyOptional(c, Migrations.PROBLEM_INDEX, true);
        }
        assertThat(db.query("SELECT indexname FROM pg_indexes WHERE tablename = 'logs' ORDER BY 1"))
                .extracting(row -> row.get("indexname"))
                .containsExactly("idx_logs_job_run_problems", "idx_logs_job_run_timestamp", "idx_logs_task_run_timestamp",
                        "idx_logs_timestamp_brin", "idx_logs_type_timestamp", "logs_pkey");
        unpartition();
        assertThat(db.count("SELECT count(*) FROM pg_indexes WHERE tablename = 'logs'")).as("the same set, on the plain table")
                .isEqualTo(6);
    }

    @Test
    void pgPartmanTakesOverMakingPartitionsWhereItIsInstalled() throws Exception {
        boolean available = db.count("SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_partman'") == 1;
        if ("true".equals(System.getenv("STRATAL_REQUIRE_PARTMAN"))) { // CI installs it, so there it must run
            assertThat(available).as("pg_partman on the test server (STRATAL_REQUIRE_PARTMAN=true)").isTrue();
        }
        assumeThat(available).as("pg_partman is not installed on this server (Debian: postgresql-15-partman)").isTrue();
        db.execute("CREATE SCHEMA partman", "CREATE EXTENSION pg_partman SCHEMA partman");
        db.execute("INSERT INTO logs (message, timestamp) SELECT 'old ' || g, (now() AT TIME ZONE 'UTC') - g * interval '1 hour'"
                + " FROM generate_series(1, 50) g");
        partition(Map.of("stratal.partition_premake", "3"));

        assertThat(db.scalar("SELECT partition_interval FROM partman.part_config WHERE parent_table = 'public.logs'"))
                .isEqualTo("1 day");
        assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(50);
        String tomorrow = "logs_p" + todayUtc().plusDays(1).toString().replace('-', '_');
        assertThat(partitions()).extracting(Partitions.Partition::name).contains(tomorrow, "logs_default");

        db.execute("UPDATE partman.part_config SET premake = 5 WHERE parent_table = 'public.logs'");
        try (Connection c = db.connect()) {
            Partitions partitions = new Partitions(LOGS);
            assertThat(partitions.partmanSchema(c)).isEqualTo("partman");
            assertThat(partitions.createAhead(c, 0)).as("pg_partman's maintenance makes more days")
                    .contains("logs_p" + todayUtc().plusDays(5).toString().replace('-', '_'));
        }
        db.execute("CALL partman.run_maintenance_proc()"); // with the converted partition among its own
        // rows the default partition holds where pg_partman will make partitions: moved out first
        db.execute("INSERT INTO logs (message, timestamp) VALUES ('a month ahead', (now() AT TIME ZONE 'UTC') + interval '30 days'),"
                + " ('far ahead', '2045-01-01')");
        db.execute("UPDATE partman.part_config SET premake = 40 WHERE parent_table = 'public.logs'");
        try (Connection c = db.connect()) {
            assertThat(new Partitions(LOGS).createAhead(c, 0)).isNotEmpty();
        }
        assertThat(db.count("SELECT count(*) FROM logs_default")).isZero();
        assertThat(db.count("SELECT count(*) FROM logs WHERE message IN ('a month ahead', 'far ahead')")).isEqualTo(2);
        db.execute("INSERT INTO logs (message) VALUES ('now')");
        assertThat(db.scalar("SELECT tableoid::regclass::text FROM logs WHERE message = 'now'"))
                .isEqualTo("logs_p" + todayUtc().toString().replace('-', '_'));

        unpartition();
        assertThat(db.count("SELECT count(*) FROM partman.part_config")).isZero();
        assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(53);
    }
}
