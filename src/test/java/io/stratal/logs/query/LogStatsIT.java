package io.stratal.logs.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratal.logs.names.TableName;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The monitoring queries, with the window measured in UTC from a fixed clock. */
@Timeout(60)
class LogStatsIT {

    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    @RegisterExtension
    final DatabaseExtension database = new DatabaseExtension();
    private TestDatabase db;
    private LogStats stats;

    @BeforeEach
    void setUp() {
        db = database.get().migrated();
        stats = new LogStats(db.dataSource(), TableName.parseOrNull("logs"), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private void insert(String type, UUID job, String level, Duration ago) {
        LocalDateTime at = LocalDateTime.ofInstant(NOW.minus(ago), ZoneOffset.UTC);
        db.execute("INSERT INTO logs (type, job_run_id, level, timestamp, message) VALUES ('" + type + "', "
                + (job == null ? "NULL" : "'" + job + "'") + ", '" + level + "', '" + at + "', 'm')");
    }

    private UUID jobRun() {
        return (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('j') RETURNING id");
    }

    @Test
    void logVolumeByTypeCountsEveryRow() throws Exception {
        UUID job = jobRun();
        insert("system", null, "info", Duration.ofDays(3));
        insert("job", job, "info", Duration.ofMinutes(1));
        insert("job", job, "error", Duration.ofMinutes(2));

        assertThat(stats.countByType()).containsExactly(Map.entry("job", 2L), Map.entry("system", 1L));
    }

    @Test
    void levelsAndErrorRatesCountOnlyTheWindowMeasuredInUtc() throws Exception {
        UUID noisy = jobRun();
        UUID quiet = jobRun();
        UUID old = jobRun();
        insert("job", noisy, "error", Duration.ofMinutes(10));
        insert("job", noisy, "info", Duration.ofMinutes(20));
        insert("job", quiet, "info", Duration.ofMinutes(5));
        insert("job", quiet, "warn", Duration.ofMinutes(50));
        insert("job", old, "error", Duration.ofMinutes(61));
        insert("system", null, "error", Duration.ofMinutes(1)); // no job run: not in the error rates

        assertThat(stats.countByLevel(Duration.ofHours(1)))
                .containsExactly(Map.entry("error", 2L), Map.entry("info", 2L), Map.entry("warn", 1L));
        assertThat(stats.errorRates(Duration.ofHours(1)))
                .containsExactly(new LogStats.JobRunErrorRate(noisy, 1, 2, 50.0));
        assertThat(stats.errorRates(Duration.ofHours(2))).extracting(LogStats.JobRunErrorRate::jobRunId)
                .containsExactly(old, noisy);
    }

    @Test
    void anEmptyWindowIsRefused() {
        assertThatThrownBy(() -> stats.countByLevel(Duration.ZERO)).isInstanceOf(InvalidParameterException.class)
                .hasMessage("window: must be a positive duration, was PT0S");
    }
}
