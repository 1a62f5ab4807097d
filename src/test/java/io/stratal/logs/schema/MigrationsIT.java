package io.stratal.logs.schema;

import io.stratal.logs.names.TableName;
import static org.assertj.core.api.Assertions.assertThat;

import io.stratal.logs.testing.TestDatabase;
import java.sql.Connection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MigrationsIT {

    private TestDatabase db;

    @BeforeEach
    void createDatabase() {
        db = TestDatabase.create();
    }

    @AfterEach
    void dropDatabase() {
        db.close();
    }

    private boolean exists(String table) {
        return (Boolean) db.scalar("SELECT to_regclass('" + table + "') IS NOT NULL");
    }

    private long foreignKeysOfLogs() {
        return db.count("SELECT count(*) FROM pg_constraint WHERE conrelid = 'logs'::regclass AND contype = 'f'");
    }

    private long indexesOfLogs() {
        return db.count("SELECT count(*) FROM pg_indexes WHERE tablename = 'logs'");
    }

    @Test
    void upDownAndUpAgainOnAnEmptyDatabase() throws Exception {
        try (Connection c = db.connect()) {
            assertThat(Migrations.up(c)).containsExactly(1L, 2L);
            assertThat(Migrations.currentVersion(c)).isEqualTo(2L);
            assertThat(exists("logs")).isTrue();
            assertThat(exists("task_logs")).isFalse();
            assertThat(foreignKeysOfLogs()).isEqualTo(2);
            assertThat(indexesOfLogs()).isEqualTo(8); // the primary key and the default seven

            assertThat(Migrations.up(c)).isEmpty();

            assertThat(Migrations.down(c, 1)).containsExactly(2L);
            assertThat(Migrations.currentVersion(c)).isEqualTo(1L);
            assertThat(exists("logs")).isFalse();
            assertThat(exists("task_logs")).isTrue();

            assertThat(Migrations.down(c, 5)).containsExactly(1L);
            assertThat(Migrations.currentVersion(c)).isNull();
            assertThat(exists("job_runs")).isFalse();

            assertThat(Migrations.up(c)).containsExactly(1L, 2L);
            assertThat(exists("logs")).isTrue();
        }
        // golang-migrate's own bookkeeping: one row, not dirty
        assertThat(db.query("SELECT version, dirty FROM schema_migrations"))
                .containsExactly(java.util.Map.of("version", 2L, "dirty", false));
    }

    @Test
    void theLeanIndexSetGoesOnAndComesOffAgain() throws Exception {
        try (Connection c = db.connect()) {
            Migrations.up(c);
            Migrations.applyOptional(c, Migrations.LEAN_INDEXES, true);
            assertThat(indexesOfLogs()).isEqualTo(5);
            Migrations.applyOptional(c, Migrations.LEAN_INDEXES, true); // idempotent
            assertThat(indexesOfLogs()).isEqualTo(5);
            Migrations.applyOptional(c, Migrations.LEAN_INDEXES, false);
            assertThat(indexesOfLogs()).isEqualTo(8);
            assertThat(foreignKeysOfLogs()).isEqualTo(2);
        }
    }

    @Test
    void aDatabaseLeftDirtyByGolangMigrateIsNotTouched() throws Exception {
        db.execute("CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)",
                "INSERT INTO schema_migrations VALUES (1, true)");
        try (Connection c = db.connect()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Migrations.up(c))
                    .hasMessageContaining("version 1, marked dirty");
        }
        assertThat(exists("job_runs")).isFalse();
    }

    @Test
    void createSchemaOnAnEmptyDatabaseCreatesTheTableAndIndexesWithoutForeignKeys() throws Exception {
        try (Connection c = db.connect()) {
            assertThat(LogsSchema.createIfMissing(c, TableName.parseOrNull("logs"))).isTrue();
        }
        assertThat(exists("logs")).isTrue();
        assertThat(indexesOfLogs()).isEqualTo(8);
        assertThat(foreignKeysOfLogs()).isZero();
    }

    @Test
    void createSchemaLeavesAnExistingTableAsItIs() throws Exception {
        try (Connection c = db.connect()) {
            Migrations.up(c);
            db.execute("INSERT INTO logs (message) VALUES ('kept')");
            assertThat(LogsSchema.createIfMissing(c, TableName.parseOrNull("logs"))).isFalse();
        }
        assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(1);
        assertThat(indexesOfLogs()).isEqualTo(8);
        assertThat(foreignKeysOfLogs()).isEqualTo(2);
    }

    @Test
    void createSchemaReferencesOnlyTheRunTablesThatExist() throws Exception {
        db.execute("CREATE TABLE job_runs (id uuid PRIMARY KEY)");
        try (Connection c = db.connect()) {
            LogsSchema.createIfMissing(c, TableName.parseOrNull("logs"));
        }
        assertThat(db.scalar("SELECT string_agg(confrelid::regclass::text, ',') FROM pg_constraint "
                + "WHERE conrelid = 'logs'::regclass AND contype = 'f'")).isEqualTo("job_runs");
    }

    @Test
    void createSchemaWorksInAnotherSchema() throws Exception {
        db.execute("CREATE SCHEMA app", "CREATE TABLE app.job_runs (id uuid PRIMARY KEY)");
        try (Connection c = db.connect()) {
            LogsSchema.createIfMissing(c, TableName.parseOrNull("app.logs"));
        }
        assertThat(exists("app.logs")).isTrue();
        assertThat(db.count("SELECT count(*) FROM pg_constraint WHERE conrelid = 'app.logs'::regclass AND contype = 'f'"))
                .isEqualTo(1);
    }
}
