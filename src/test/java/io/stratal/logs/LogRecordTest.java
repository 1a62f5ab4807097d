package io.stratal.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A record that keeps its logger and thread names apart answers the same row as one that holds them in its map. */
class LogRecordTest {

    private static final Instant AT = Instant.parse("2026-11-29T10:00:00.123456789Z");
    private static final UUID JOB = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");

    private static LogRecord apart(Map<String, Object> held) {
        return new LogRecord(LogType.JOB, JOB, null, AT, LogLevel.INFO, LogStream.SYSTEM, "m", "com.example.Importer",
                "worker-1", held);
    }

    @Test
    void theNamesKeptApartAppearUnderLogAndTheRecordEqualsItsWholeForm() {
        LogRecord record = apart(Map.of("rows", 3, "log", Map.of("markers", List.of("AUDIT"))));
        Map<String, Object> whole = Map.of("rows", 3, "log",
                Map.of("logger", "com.example.Importer", "thread", "worker-1", "markers", List.of("AUDIT")));
        assertThat(record.metadata()).isEqualTo(whole);
        assertThat(record.metadataWithoutOrigin()).doesNotContainKey("logger");

        LogRecord held = new LogRecord(LogType.JOB, JOB, null, AT, LogLevel.INFO, LogStream.SYSTEM, "m", whole);
        assertThat(record).isEqualTo(held).hasSameHashCodeAs(held);
        assertThat(record.timestamp()).isEqualTo(AT);
        assertThat(record.withJobRunId(null).logger()).isEqualTo("com.example.Importer");
        assertThat(apart(null).metadata()).isEqualTo(Map.of("log", Map.of("logger", "com.example.Importer", "thread", "worker-1")));
    }

    @Test
    void aLogEntryThatIsNotAMapIsRefusedWhenTheNamesAreKeptApart() {
        Map<String, Object> nullLog = new HashMap<>();
        nullLog.put("log", null);
        assertThatThrownBy(() -> apart(nullLog)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("metadata.log");
        assertThatThrownBy(() -> apart(Map.of("log", "text"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theEstimateLeavesOutTheSharedNamesAndCountsWhatTheRecordHolds() {
        LogRecord bare = apart(null);
        LogRecord longerNames = new LogRecord(LogType.JOB, JOB, null, AT, LogLevel.INFO, LogStream.SYSTEM, "m",
                "com.example.a.much.longer.logger.Name", "a-thread-with-a-long-name", null);
        assertThat(longerNames.estimatedBytes()).isEqualTo(bare.estimatedBytes());
        LogRecord inMap = new LogRecord(LogType.JOB, JOB, null, AT, LogLevel.INFO, LogStream.SYSTEM, "m", bare.metadata());
        assertThat(inMap.estimatedBytes()).as("names held in the map are the record's own").isGreaterThan(bare.estimatedBytes());
        assertThat(apart(Map.of("source", "x".repeat(1000))).estimatedBytes()).isGreaterThan(bare.estimatedBytes() + 1000);
    }

    @Test
    void aMapInOneArrayIsCountedAsOneArrayAndAnyOtherAsAHashMap() {
        Map<String, Object> values = new java.util.LinkedHashMap<>();
        values.put("a", 1);
        values.put("b", 2);
        LogRecord compact = apart(io.stratal.logs.internal.CompactMap.copyOf(values));
        LogRecord wrapped = apart(java.util.Collections.unmodifiableMap(values));
        LogRecord none = apart(null);
        // one object and its array of two keys and two values; a hash map's header, table and two nodes
        assertThat(compact.estimatedBytes() - none.estimatedBytes()).isEqualTo(32 + 2 * 16 + 2 * 24);
        assertThat(wrapped.estimatedBytes() - none.estimatedBytes()).isEqualTo(64 + 2 * 48 + 2 * 24);
    }
}
