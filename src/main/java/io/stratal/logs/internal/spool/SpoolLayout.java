package io.stratal.logs.internal.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The spools of one spool directory, for a writer count. One writer uses the directory itself; several use
 * {@code writer-1} to {@code writer-N} inside it, each with its share of the bound. Whatever an earlier run
 * with another writer count left in the places this one does not use (the directory itself, or
 * {@code writer-k} past N) is opened too, as the <em>left-over</em> spools: the first writer replays them
 * before any writer writes a newer record, so each run keeps its order across the change.
 *
 * <p>With several writers the directory itself stays open (and locked) while they run, even when it holds
 * nothing, so a second appender cannot take it with another writer count.
 *
 * @param own      one spool per writer, in writer order
 * @param leftOver the spools of an earlier writer count, in the order they are replayed; empty ones included
 *                 (they hold the directory's lock)
 */
public record SpoolLayout(List<Spool> own, List<Spool> leftOver) implements AutoCloseable {

    private static final Pattern WRITER_DIRECTORY = Pattern.compile("writer-(\\d{1,3})");

    public SpoolLayout {
        own = List.copyOf(own);
        leftOver = List.copyOf(leftOver);
    }

    /**
     * Opens the spools of {@code directory} for {@code writers} writers, each bounded by its share of
     * {@code maxBytes}. A left-over directory that cannot be opened is reported through {@code warn} and left
     * alone: its records stay on disk for a later start.
     *
     * @throws IOException when a writer's own spool cannot be opened (nothing stays open then)
     */
    public static SpoolLayout open(Path directory, int writers, long maxBytes, Consumer<String> warn) throws IOException {
        List<Spool> own = new ArrayList<>();
        List<Spool> leftOver = new ArrayList<>();
        try {
            if (writers == 1) {
                own.add(Spool.open(directory, maxBytes, warn));
            } else {
                leftOver.add(Spool.open(directory, maxBytes, warn)); // its own frames, if any, are left over
                for (int k = 1; k <= writers; k++) {
                    own.add(Spool.open(directory.resolve("writer-" + k), Math.max(1, maxBytes / writers), warn));
                }
            }
            for (Path earlier : writerDirectories(directory, writers).values()) {
                try {
                    Spool spool = Spool.open(earlier, maxBytes, warn);
                    if (spool.isEmpty()) {
                        spool.close();
                    } else {
                        leftOver.add(spool);
                    }
                } catch (IOException e) {
                    warn.accept("the spool of an earlier writer count in " + earlier + " cannot be opened (" + e.getMessage()
                            + "); its records stay there until a start that can open it");
                }
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(own);
            closeQuietly(leftOver);
            throw e;
        }
        return new SpoolLayout(own, leftOver);
    }

    /** The {@code writer-k} directories with k past {@code writers}, by k. */
    private static TreeMap<Integer, Path> writerDirectories(Path directory, int writers) throws IOException {
        TreeMap<Integer, Path> found = new TreeMap<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Matcher m = WRITER_DIRECTORY.matcher(file.getFileName().toString());
                if (m.matches() && Files.isDirectory(file)) {
                    int k = Integer.parseInt(m.group(1));
                    if (k > writers || writers == 1) {
                        found.put(k, file);
                    }
                }
            }
        }
        return found;
    }

    /** {@return true when a left-over spool holds records} */
    public boolean hasLeftOvers() {
        for (Spool spool : leftOver) {
            if (!spool.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        closeQuietly(own);
        closeQuietly(leftOver);
    }

    private static void closeQuietly(List<Spool> spools) {
        for (Spool spool : spools) {
            try {
                spool.close();
            } catch (IOException e) {
                // closing what was opened for nothing: no record is in it
            }
        }
    }
}
