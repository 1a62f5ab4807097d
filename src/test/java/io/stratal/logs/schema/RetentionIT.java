package io.stratal.logs.schema;

import io.stratal.logs.names.TableName;
import static org.assertj.core.api.Assertions.assertThat;

import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Deleting old logs in batches, measured against UTC timestamps. */
@Timeout(60)
class RetentionIT {

    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    @RegisterExtension
    final DatabaseExtension database = new DatabaseExtension();
    private TestDatabase db;

    @BeforeEach
    void setUp() {
        db = database.get().migrated();
        // 25 rows a day old or more, 5 from the last hour, and one without a timestamp, which no age reaches
        db.execute("INSERT INTO logs (type, timestamp, message) SELECT 'system', timestamp '2026-11-28 12:00' - g * interval '1 hour', 'old' FROM generate_series(0, 24) g",
                "INSERT INTO logs (type, timestamp, message) SELECT 'system', timestamp '2026-11-29 11:30' + g * interval '1 minute', 'new' FROM generate_series(0, 4) g",
                "INSERT INTO logs (type, timestamp, message) VALUES ('system', NULL, 'no time')");
    }

    @Test
    void rowsOlderThanTheAgeGoInBatchesAndTheRestStay() throws Exception {
        Retention retention = new Retention(TableName.parseOrNull("logs"), 7);
        LocalDateTime cutoff = Retention.cutoff(NOW, Duration.ofHours(23));
        assertThat(cutoff).isEqualTo(LocalDateTime.of(2026, 11, 28, 13, 0));
        try (Connection c = db.connect()) {
            assertThat(retention.countOlderThan(c, cutoff)).isEqualTo(25);
            assertThat(retention.deleteOlderThan(c, cutoff)).isEqualTo(25);
            assertThat(retention.deleteOlderThan(c, cutoff)).isZero();
        }
        assertThat(db.count("SELECT count(*) FROM logs WHERE message = 'old'")).isZero();
        assertThat(db.count("SELECT count(*) FROM logs")).isEqualTo(6);
    }
}
