package io.stratal.logs.internal.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratal.logs.LogLevel;
import io.stratal.logs.LogRecord;
import io.stratal.logs.LogStream;
import io.stratal.logs.LogType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

    @TempDir
    Path dir;
    private final List<String> warnings = new ArrayList<>();

    private Spool open() throws IOException {
        return Spool.open(dir, Long.MAX_VALUE, warnings::add);
    }

    private static LogRecord record(String message) {
        Map<String, Object> metadata = Map.of("i", 1, "l", 2L, "d", 0.5, "f", 1.5f, "big", new BigDecimal("1.10"),
                "bigint", new BigInteger("123456789012345678901234567890"), "s", "text é \uD83D\uDE00",
                "list", List.of(true, false), "log", Map.of("logger", "x"));
        return new LogRecord(LogType.TASK, UUID.randomUUID(), UUID.randomUUID(), Instant.parse("2026-11-28T10:00:00.123456789Z"),
                LogLevel.WARN, LogStream.STDERR, message, metadata);
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".spool")).sorted().collect(Collectors.toList());
        }
    }

    private static List<String> readAll(Spool spool) throws IOException {
        List<String> messages = new ArrayList<>();
        Spool.Frame frame;
        while ((frame = spool.peek()) != null) {
            frame.records().forEach(r -> messages.add(r.message()));
            spool.done(frame);
        }
        return messages;
    }

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

    private static Spool.Frame frame(String... messages) {
        List<LogRecord> records = new ArrayList<>();
        for (String message : messages) {
            records.add(record(message));
        }
        return new Spool.Frame(UUID.randomUUID(), records);
    }

    @Test
    void framesPutFirstAreReadNextAndThenReadingGoesOnWhereItWas() throws IOException {
        UUID aId = UUID.randomUUID();
        try (Spool spool = open()) {
            spool.append(aId, List.of(record("a")));
            spool.append(UUID.randomUUID(), List.of(record("b")));
            spool.append(UUID.randomUUID(), List.of(record("c")));
            spool.done(spool.peek()); // "a" is written
            spool.peek(); // "b" is being written
            long pending = spool.pendingBytes();
            Spool.Frame first = frame("first 1", "first 2");
            assertThat(spool.putFirst(List.of(first, frame("first 3")), Long.MAX_VALUE)).isTrue();
            assertThat(segments()).hasSize(2);
            assertThat(spool.pendingBytes()).as("the new segment's frames, and what was read not counted again")
                    .isEqualTo(pending + Files.size(segments().get(0)) - Spool.MAGIC.length);
            Spool.Frame next = spool.peek();
            assertThat(next.id()).isEqualTo(first.id());
            spool.done(next);
            Spool.Frame third = spool.peek();
            assertThat(spool.done(third)).as("the new segment's batch ids, when it is done").hasSize(2).contains(first.id());
            Spool.Frame b = spool.peek();
            assertThat(b.records()).extracting(LogRecord::message).containsExactly("b");
            spool.done(b);
            assertThat(spool.done(spool.peek())).as("the interrupted segment's ids, \"a\" included").hasSize(3).contains(aId);
            assertThat(spool.isEmpty()).isTrue();
            assertThat(segments()).isEmpty();
        }
    }

    @Test
    void framesPutFirstComeFirstAfterARestartThenThePartlyReadSegmentWhereItStood() throws IOException {
        try (Spool spool = open()) {
            spool.append(UUID.randomUUID(), List.of(record("a")));
            spool.append(UUID.randomUUID(), List.of(record("b")));
            spool.done(spool.peek());
            spool.putFirst(List.of(frame("first")), Long.MAX_VALUE);
            assertThat(spool.putFirst(List.of(frame("before first")), Long.MAX_VALUE)).as("again, below it").isTrue();
        }
        try (Spool spool = open()) {
            assertThat(readAll(spool)).containsExactly("before first", "first", "b");
        }
        assertThat(segments()).isEmpty();
    }

    @Test
    void framesPutFirstAreDatedNoLaterThanTheOldestSegmentNorThanAskedSoAHandoverTakesThemFirst() throws IOException {
        try (Spool spool = open()) {
            spool.append(UUID.randomUUID(), List.of(record("old")));
        }
        java.nio.file.attribute.FileTime longAgo = java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(segments().get(0), longAgo);
        try (Spool spool = open()) {
            spool.putFirst(List.of(frame("older")), Long.MAX_VALUE);
            assertThat(spool.nextEarlierFrameTime()).isEqualTo(longAgo.toMillis());
        }
        assertThat(Files.getLastModifiedTime(segments().get(0))).isEqualTo(longAgo);
        try (Spool spool = open()) {
            spool.putFirst(List.of(frame("oldest")), longAgo.toMillis() - 5_000);
        }
        assertThat(Files.getLastModifiedTime(segments().get(0)).toMillis()).isEqualTo(longAgo.toMillis() - 5_000);
        try (Spool spool = open()) {
            assertThat(readAll(spool)).containsExactly("oldest", "older", "old");
        }
    }

    @Test
    void aPutFirstCutShortByACrashLeavesNoSegmentAndItsLeftoverIsRemoved() throws IOException {
        try (Spool spool = open()) {
            spool.append(UUID.randomUUID(), List.of(record("kept")));
        }
        Path left = dir.resolve(segments().get(0).getFileName().toString().replace("1000000", "0999999") + ".tmp");
        Files.write(left, new byte[] {1, 2, 3});
        try (Spool spool = open()) {
            assertThat(readAll(spool)).containsExactly("kept");
        }
        assertThat(Files.exists(left)).isFalse();
    }

    @Test
    void aSpoolWithNoNumberLeftBelowItsOldestSegmentSaysSoAndWritesNothing() throws IOException {
        try (Spool spool = open()) {
            spool.append(UUID.randomUUID(), List.of(record("a")));
        }
        Path only = segments().get(0);
        Files.move(only, only.resolveSibling(String.format("segment-%020d.spool", 0)));
        try (Spool spool = open()) {
            assertThat(spool.putFirst(List.of(frame("first")), Long.MAX_VALUE)).isFalse();
            assertThat(readAll(spool)).containsExactly("a");
        }
    }

    @Test
    void framesPutFirstIntoAnEmptySpoolAreSimplyItsFrames() throws IOException {
        try (Spool spool = open()) {
            assertThat(spool.putFirst(List.of(frame("only")), Long.MAX_VALUE)).isTrue();
            spool.append(UUID.randomUUID(), List.of(record("then")));
            assertThat(readAll(spool)).containsExactly("only", "then");
        }
    }

    @Test
    void framesPutFirstKeepTheSizeBound() throws IOException {
        try (Spool spool = Spool.open(dir, 2_000, warnings::add)) {
            spool.append(UUID.randomUUID(), List.of(record("fits")));
            List<LogRecord> many = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                many.add(record("more " + i));
            }
            assertThatThrownBy(() -> spool.putFirst(List.of(new Spool.Frame(UUID.randomUUID(), many)), Long.MAX_VALUE))
                    .isInstanceOf(Spool.SpoolFullException.class);
            assertThat(readAll(spool)).containsExactly("fits");
        }
    }

    @Test
    void afterACleanCloseReadingGoesOnWhereItStoodAndAfterACrashFromTheFirstFrame() throws IOException {
        UUID aId = UUID.randomUUID();
        try (Spool spool = open()) {
            spool.append(aId, List.of(record("a")));
            spool.append(UUID.randomUUID(), List.of(record("b")));
            spool.append(UUID.randomUUID(), List.of(record("c")));
            spool.done(spool.peek());
            spool.peek(); // "b" peeked, not done
        }
        assertThat(Files.exists(dir.resolve(Spool.READ_POSITIONS))).isTrue();
        try (Spool spool = open()) {
            assertThat(Files.exists(dir.resolve(Spool.READ_POSITIONS))).as("gone while open: a crash reads from the first frame")
                    .isFalse();
        } // closed without reading: where it stood is kept
        try (Spool spool = open()) {
            Spool.Frame b = spool.peek();
            assertThat(b.records()).extracting(LogRecord::message).containsExactly("b");
            spool.done(b);
            assertThat(spool.done(spool.peek())).as("the segment's ids, the one done before the stop included").contains(aId);
        }
        assertThat(segments()).isEmpty();
        assertThat(Files.exists(dir.resolve(Spool.READ_POSITIONS))).isFalse();

        try (Spool spool = open()) {
            spool.append(UUID.randomUUID(), List.of(record("d")));
            spool.append(UUID.randomUUID(), List.of(record("e")));
            spool.done(spool.peek());
        }
        Files.delete(dir.resolve(Spool.READ_POSITIONS)); // as if it had crashed instead of closing
        try (Spool spool = open()) {
            assertThat(readAll(spool)).containsExactly("d", "e");
        }
    }

    @Test
    void aFramePeekedAndPutFirstInPartIsDoneOnlyOnceItsRestIsOnDisk() throws IOException {
        try (Spool spool = open()) {
            spool.append(UUID.randomUUID(), List.of(record("a1"), record("a2")));
            spool.append(UUID.randomUUID(), List.of(record("b")));
            Spool.Frame a = spool.peek();
            assertThat(spool.putFirst(List.of(frame("a2 and a parked row")), Long.MAX_VALUE, a)).isTrue();
            assertThat(readAll(spool)).containsExactly("a2 and a parked row", "b");
        }
        try (Spool spool = Spool.open(dir, 1_000, warnings::add)) {
            spool.append(UUID.randomUUID(), List.of(record("c")));
            Spool.Frame c = spool.peek();
            List<LogRecord> many = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                many.add(record("more " + i));
            }
            assertThatThrownBy(() -> spool.putFirst(List.of(new Spool.Frame(UUID.randomUUID(), many)), Long.MAX_VALUE, c))
                    .isInstanceOf(Spool.SpoolFullException.class);
            assertThat(spool.peek()).as("not put away: the frame stays").isSameAs(c);
        }
        try (Spool spool = open()) {
            assertThat(readAll(spool)).containsExactly("c");
        }
    }

    @Test
    void aReadPositionsFileThatIsDamagedOrMeansAnotherSegmentIsIgnoredAndTheSegmentReadFromItsStart() throws IOException {
        try (Spool spool = open()) {
            spool.append(UUID.randomUUID(), List.of(record("a")));
            spool.append(UUID.randomUUID(), List.of(record("b")));
            spool.done(spool.peek());
        }
        Path positions = dir.resolve(Spool.READ_POSITIONS);
        String saved = Files.readString(positions);
        Files.write(positions, new byte[] {(byte) 0xC3, 0x28, '\n'});
        try (Spool spool = open()) {
            assertThat(warnings).singleElement().satisfies(w -> assertThat(w).contains("cannot be read"));
            assertThat(readAll(spool)).containsExactly("a", "b");
        }
        for (Path segment : segments()) {
            Files.delete(segment);
        }
        try (Spool spool = open()) { // the same segment number, other frames
            spool.append(UUID.randomUUID(), List.of(record("x")));
            spool.append(UUID.randomUUID(), List.of(record("y")));
        }
        Files.writeString(positions, saved);
        try (Spool spool = open()) {
            assertThat(readAll(spool)).as("the saved position was for the segment's earlier frames").containsExactly("x", "y");
        }
    }
}
