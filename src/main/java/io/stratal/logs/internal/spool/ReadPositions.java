package io.stratal.logs.internal.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Where reading stood in a spool's segments read partly, kept across a clean close in {@link #FILE}: a line per
 * segment, its number, the position of its next frame and the batch ids of the frames done before it. After a stop
 * reading goes on there, instead of reading those segments again from their first frame (a frame written in parts,
 * some rows waiting for a parent, would be written again whole). The file is deleted as soon as it is read, so after a
 * crash the segments are read from their first frame again, and the ledger recognises what was written.
 */
final class ReadPositions {

    static final String FILE = "read-positions";
    private static final String TEMPORARY = FILE + ".tmp";

    /** Where reading a segment stood: its next frame's position, and the ids of the frames done in it. */
    record State(long segment, long position, List<UUID> doneIds) {
    }

    private ReadPositions() {
    }

    /**
     * Reads and deletes the file: the states {@code valid} accepts, lowest segment first. A file that cannot be read is
     * reported through {@code warn} and ignored.
     */
    static List<State> load(Path directory, Predicate<State> valid, Consumer<String> warn) throws IOException {
        Path file = directory.resolve(FILE);
        if (!Files.exists(file)) {
            return List.of();
        }
        TreeMap<Long, State> states = new TreeMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = line.trim().split(" ");
                if (fields.length < 3) {
                    throw new IllegalArgumentException("a line without a segment, a position and ids: " + line);
                }
                List<UUID> ids = new ArrayList<>();
                for (int i = 2; i < fields.length; i++) {
                    ids.add(UUID.fromString(fields[i]));
                }
                State state = new State(Long.parseLong(fields[0]), Long.parseLong(fields[1]), ids);
                if (valid.test(state)) {
                    states.put(state.segment(), state);
                }
            }
        } catch (IOException | RuntimeException e) {
            warn.accept("Spool file " + file + " cannot be read (" + e + "); its segments are read from their first frame"
                    + " (the ledger recognises what was written)");
            states.clear();
        }
        Files.delete(file);
        syncDirectory(directory);
        return new ArrayList<>(states.values());
    }

    /** Writes the states in which a frame was done (none: no file), under a temporary name, forced and renamed. */
    static void save(Path directory, List<State> states) throws IOException {
        StringBuilder text = new StringBuilder();
        for (State state : states) {
            if (state.doneIds().isEmpty()) {
                continue; // nothing to skip in it
            }
            text.append(state.segment()).append(' ').append(state.position());
            for (UUID id : state.doneIds()) {
                text.append(' ').append(id);
            }
            text.append('\n');
        }
        Path file = directory.resolve(FILE);
        if (text.length() == 0) {
            Files.deleteIfExists(file);
            return;
        }
        Path temporary = directory.resolve(TEMPORARY);
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(false);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(directory);
    }

    /** Makes a new or renamed file's directory entry durable, where the platform allows it. */
    static void syncDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not possible on every platform; the data itself is synced with the file
        }
    }
}
