package io.stratal.logs.internal.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratal.logs.LogLevel;
import io.stratal.logs.LogRecord;
import io.stratal.logs.LogStream;
import io.stratal.logs.LogType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Frames appended and read back: order, exact values, segments, damage, the lock and the bound. */
class SpoolTest extends SpoolFixture {

    @Test
    void framesComeBackExactlyAndInOrderAfterAReopen() throws IOException {
        LogRecord first = record("one");
        UUID id = UUID.randomUUID();
        try (Spool spool = open()) {
            spool.append(id, List.of(first, record("two")));
            spool.append(UUID.randomUUID(), List.of(record("three")));
            assertThat(spool.isEmpty()).isFalse();
        }
        try (Spool spool = open()) {
            Spool.Frame frame = spool.peek();
            assertThat(frame.id()).isEqualTo(id);
            assertThat(frame.records().get(0)).isEqualTo(first);
            assertThat(frame.records().get(0).metadata().get("i")).isInstanceOf(Integer.class);
            assertThat(frame.records().get(0).metadata().get("f")).isInstanceOf(Float.class);
            assertThat(spool.done(frame)).isEmpty();
            Spool.Frame second = spool.peek();
            assertThat(second.records()).extracting(LogRecord::message).containsExactly("three");
            assertThat(spool.done(second)).as("the finished segment's batch ids").hasSize(2).contains(id);
            assertThat(spool.isEmpty()).isTrue();
            assertThat(segments()).isEmpty();
        }
    }

    @Test
    void aRecordThatKeepsItsLoggerAndThreadApartComesBackWithTheWholeMetadata() throws IOException {
        Instant at = Instant.parse("2026-11-28T10:00:00.123456789Z");
        LogRecord apart = new LogRecord(LogType.TASK, UUID.randomUUID(), UUID.randomUUID(), at, LogLevel.INFO, LogStream.STDOUT,
                "m", "com.example.Importer", "worker-1", Map.of("rows", 3, "log", Map.of("markers", List.of("AUDIT"))));
        LogRecord bare = new LogRecord(LogType.SYSTEM, null, null, at, LogLevel.INFO, LogStream.SYSTEM, "n",
                "com.example.Importer", "worker-1", null);
        try (Spool spool = open()) {
            spool.append(UUID.randomUUID(), List.of(apart, bare));
            List<LogRecord> back = spool.peek().records();
            assertThat(back).containsExactly(apart, bare);
            assertThat(back.get(0).metadata()).isEqualTo(Map.of("rows", 3, "log",
                    Map.of("logger", "com.example.Importer", "thread", "worker-1", "markers", List.of("AUDIT"))));
            assertThat(back.get(1).metadata()).isEqualTo(Map.of("log", Map.of("logger", "com.example.Importer", "thread", "worker-1")));
            assertThat(back.get(0).timestamp()).isEqualTo(at);
        }
    }

    @Test
    void appendingWhileReadingKeepsOrderAndEmptiesCleanly() throws IOException {
        try (Spool spool = open()) {
            spool.append(UUID.randomUUID(), List.of(record("a")));
            Spool.Frame a = spool.peek();
            spool.append(UUID.randomUUID(), List.of(record("b")));
            spool.done(a);
            spool.append(UUID.randomUUID(), List.of(record("c")));
            assertThat(readAll(spool)).containsExactly("b", "c");
            assertThat(spool.isEmpty()).isTrue();
            spool.append(UUID.randomUUID(), List.of(record("d")));
            assertThat(readAll(spool)).containsExactly("d");
        }
    }

    @Test
    void largeAmountsRollOverToNewSegments() throws IOException {
        String big = "x".repeat(3 * 1024 * 1024);
        try (Spool spool = open()) {
            for (int i = 0; i < 4; i++) {
                spool.append(UUID.randomUUID(), List.of(record(i + big)));
            }
            assertThat(segments()).hasSizeGreaterThan(1);
            assertThat(readAll(spool)).hasSize(4).allSatisfy(m -> assertThat(m).endsWith(big));
        }
        assertThat(segments()).isEmpty();
    }

    @Test
    void aFrameCutShortByACrashIsMovedAsideAndTheRestIsRead() throws IOException {
        try (Spool spool = open()) {
            spool.append(UUID.randomUUID(), List.of(record("kept 1")));
            spool.append(UUID.randomUUID(), List.of(record("kept 2")));
            spool.append(UUID.randomUUID(), List.of(record("cut")));
        }
        Path segment = segments().get(0);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.setLength(file.length() - 10);
        }
        try (Spool spool = open()) {
            assertThat(readAll(spool)).containsExactly("kept 1", "kept 2");
            spool.append(UUID.randomUUID(), List.of(record("after")));
            assertThat(readAll(spool)).containsExactly("after");
        }
        assertThat(warnings).singleElement().satisfies(w -> assertThat(w).contains("damaged").contains("cut short"));
        try (Stream<Path> damaged = Files.list(dir.resolve("damaged"))) {
            assertThat(damaged.count()).isEqualTo(1);
        }
    }

    @Test
    void aCorruptFrameEndsItsSegmentButLaterSegmentsAreRead() throws IOException {
        String big = "y".repeat(5 * 1024 * 1024);
        try (Spool spool = open()) {
            spool.append(UUID.randomUUID(), List.of(record("first")));
            spool.append(UUID.randomUUID(), List.of(record("corrupt" + big)));
            spool.append(UUID.randomUUID(), List.of(record("lost with the rest of its segment" + big)));
            spool.append(UUID.randomUUID(), List.of(record("next segment")));
        }
        List<Path> files = segments();
        assertThat(files).hasSize(2);
        try (RandomAccessFile file = new RandomAccessFile(files.get(0).toFile(), "rw")) {
            long inSecondFrame = 8 + 400 + 1000;
            file.seek(inSecondFrame);
            int b = file.read();
            file.seek(inSecondFrame);
            file.write(b ^ 0xFF);
        }
        try (Spool spool = open()) {
            assertThat(readAll(spool)).containsExactly("first", "next segment");
        }
        assertThat(warnings).singleElement().satisfies(w -> assertThat(w).contains("checksum"));
    }

    @Test
    void oneDirectoryServesOneAppender() throws IOException {
        try (Spool spool = open()) {
            assertThatThrownBy(this::open).hasMessageContaining("in use");
        }
        open().close();
    }

    @Test
    void theSizeBoundIsKept() throws IOException {
        try (Spool spool = Spool.open(dir, 2_000, warnings::add)) {
            spool.append(UUID.randomUUID(), List.of(record("fits")));
            assertThatThrownBy(() -> {
                for (int i = 0; i < 100; i++) {
                    spool.append(UUID.randomUUID(), List.of(record("more " + i)));
                }
            }).isInstanceOf(Spool.SpoolFullException.class);
            assertThat(spool.pendingBytes()).isLessThanOrEqualTo(2_000);
        }
    }
}
