package io.stratal.logs.internal.spool;

import io.stratal.logs.LogLevel;
import io.stratal.logs.LogRecord;
import io.stratal.logs.LogStream;
import io.stratal.logs.LogType;
import java.io.IOException;
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
import org.junit.jupiter.api.io.TempDir;

/** What the spool tests share: a directory, records with every kind of metadata, and reading everything back. */
abstract class SpoolFixture {

    @TempDir
    Path dir;
    final List<String> warnings = new ArrayList<>();

    Spool open() throws IOException {
        return Spool.open(dir, Long.MAX_VALUE, warnings::add);
    }

    static LogRecord record(String message) {
        Map<String, Object> metadata = Map.of("i", 1, "l", 2L, "d", 0.5, "f", 1.5f, "big", new BigDecimal("1.10"),
                "bigint", new BigInteger("123456789012345678901234567890"), "s", "text é \uD83D\uDE00",
                "list", List.of(true, false), "log", Map.of("logger", "x"));
        return new LogRecord(LogType.TASK, UUID.randomUUID(), UUID.randomUUID(), Instant.parse("2026-11-28T10:00:00.123456789Z"),
                LogLevel.WARN, LogStream.STDERR, message, metadata);
    }

    /**
     * The spool's files as a {@code kill -9} would leave them: a copy of the directory taken while the spool is open
     * (its lock not held there), so the test can go on with the original.
     */
    Path crashCopy() throws IOException {
        Path copy = Files.createDirectories(dir.resolve("crashed-" + UUID.randomUUID()));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(file)) {
                    Files.copy(file, copy.resolve(file.getFileName()));
                }
            }
        }
        return copy;
    }

    List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".spool")).sorted().collect(Collectors.toList());
        }
    }

    static List<String> readAll(Spool spool) throws IOException {
        List<String> messages = new ArrayList<>();
        Spool.Frame frame;
        while ((frame = spool.peek()) != null) {
            frame.records().forEach(r -> messages.add(r.message()));
            spool.done(frame);
        }
        return messages;
    }

    static Spool.Frame frame(String... messages) {
        List<LogRecord> records = new ArrayList<>();
        for (String message : messages) {
            records.add(record(message));
        }
        return new Spool.Frame(UUID.randomUUID(), records);
    }
}
