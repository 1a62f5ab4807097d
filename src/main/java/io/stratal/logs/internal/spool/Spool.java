package io.stratal.logs.internal.spool;

import io.stratal.logs.LogRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Records that could not be written yet, on disk, in the order they were logged.
 *
 * <p>Segment files {@code segment-<n>.spool} hold frames, one per batch: {@code [length][crc32][payload]},
 * the payload being the batch id and its records ({@link FrameCodec}). Frames are appended to the newest
 * segment and read back from the oldest (lowest number); {@link #putFirst} puts frames ahead of all others in a
 * segment numbered below them; a segment is deleted once every frame in it was written to the
 * database (or kept until {@link #releaseKept} while rows read back wait in memory), and the ids of its batches are
 * handed back so the database's ledger can forget them. Files left
 * by an earlier run are read first. A frame that is cut short or fails its checksum ends its segment: the
 * bytes from there on are moved to {@code damaged/} and reported, and reading goes on with the next file.
 *
 * <p>Thread-safe: in an outage one thread appends while another reads back (every method holds this
 * object's lock; a frame is read or written within it). {@link #append} hands each frame to the operating
 * system at once, so a killed process loses none of it; {@link #sync} makes it survive a power loss too.
 */
public final class Spool implements AutoCloseable {

    /** One batch read back from disk. */
    public record Frame(UUID id, List<LogRecord> records) {
    }

    /** The spool holds {@code maxBytes} already. */
    public static final class SpoolFullException extends IOException {
        SpoolFullException(String message) {
            super(message);
        }
    }

    static final byte[] MAGIC = SegmentFiles.MAGIC;
    static final long SEGMENT_BYTES = 8L * 1024 * 1024;
    /** Where reading stood, kept across a clean close ({@link ReadPositions}). */
    static final String READ_POSITIONS = ReadPositions.FILE;
    private static final Pattern SEGMENT = Pattern.compile("segment-(\\d{20})\\.spool");
    /** A new spool's first segment: the numbers below it are room for {@link #putFirst}. */
    static final long FIRST_SEGMENT = 1_000_000;

    private final Path directory;
    private final long maxBytes;
    private final Consumer<String> warn;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final TreeMap<Long, Long> segmentSizes = new TreeMap<>();
    /** The newest segment an earlier run left, or 0: the segments up to it hold the earlier run's frames. */
    private final long lastSegmentAtOpen;
    /** When each segment an earlier run left was last written, in milliseconds since the epoch. */
    private final TreeMap<Long, Long> earlierSegmentTimes = new TreeMap<>();

    private long writeSegment = -1;
    private FileChannel writeChannel;
    private boolean dirty;

    private long readSegment = -1;
    private FileChannel readChannel;
    private long readPosition;
    private Frame head;
    private long headEnd;
    private final List<UUID> idsInReadSegment = new ArrayList<>();
    /**
     * Segments read to their end whose files stay until {@link #releaseKept}, with the ids of their frames: rows read
     * back wait in memory, and a crash meanwhile reads them again from the first frame.
     */
    private final TreeMap<Long, List<UUID>> kept = new TreeMap<>();
    /** Segments whose reading {@link #putFirst} interrupted, the one to go on with on top. */
    private final Deque<ReadPositions.State> suspended = new ArrayDeque<>();


    private Spool(Path directory, long maxBytes, Consumer<String> warn, FileChannel lockChannel, FileLock lock) throws IOException {
        this.directory = directory;
        this.maxBytes = maxBytes;
        this.warn = warn;
        this.lockChannel = lockChannel;
        this.lock = lock;
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Matcher m = SEGMENT.matcher(file.getFileName().toString());
                if (file.getFileName().toString().endsWith(SegmentFiles.TEMPORARY_SUFFIX)) {
                    Files.deleteIfExists(file); // cut short by a crash: a putFirst's records were only in memory
                } else if (m.matches()) {
                    long segment = Long.parseLong(m.group(1));
                    segmentSizes.put(segment, Files.size(file));
                    earlierSegmentTimes.put(segment, Files.getLastModifiedTime(file).toMillis());
                }
            }
        }
        this.lastSegmentAtOpen = segmentSizes.isEmpty() ? 0 : segmentSizes.lastKey();
        loadReadPositions();
    }

    /**
     * Where a clean stop left reading ({@link ReadPositions}): each segment read partly goes on from there, if it is
     * the segment the file meant (its first frame is the first one done there).
     */
    private void loadReadPositions() throws IOException {
        suspended.addAll(ReadPositions.load(directory, state -> { // the lowest segment on top: it is read first
            Long size = segmentSizes.get(state.segment());
            return size != null && state.position() > MAGIC.length && state.position() <= size
                    && state.doneIds().get(0).equals(SegmentFiles.firstFrameId(segmentPath(state.segment())));
        }, warn));
    }

    /** Writes where reading stands in segments read partly, for the next open. */
    private void saveReadPositions() throws IOException {
        List<ReadPositions.State> states = new ArrayList<>();
        if (readChannel != null && readSegment >= 0) {
            states.add(new ReadPositions.State(readSegment, readPosition, idsInReadSegment));
        }
        states.addAll(suspended);
        ReadPositions.save(directory, states);
    }

    /**
     * Opens (creating) the spool in {@code directory}, taking its lock: one appender, one directory.
     *
     * @throws IOException when the directory cannot be used or another appender holds it
     */
    public static Spool open(Path directory, long maxBytes, Consumer<String> warn) throws IOException {
        Files.createDirectories(directory);
        FileChannel lockChannel = FileChannel.open(directory.resolve("spool.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("spool directory " + directory + " is in use by another appender or process");
        }
        try {
            return new Spool(directory, maxBytes, warn, lockChannel, lock);
        } catch (IOException | RuntimeException e) {
            lock.release();
            lockChannel.close();
            throw e;
        }
    }

    /** True when every frame ever appended has been read back and marked done. */
    public synchronized boolean isEmpty() {
        return pendingBytes() == 0 && head == null;
    }

    /** True while frames that an earlier run left (they were on disk when this spool was opened) are not all done. */
    public synchronized boolean holdsEarlierFrames() {
        return !segmentSizes.isEmpty() && segmentSizes.firstKey() <= lastSegmentAtOpen;
    }

    /**
     * When the segment of the next frame an earlier run left was last written (milliseconds since the epoch), or
     * {@link Long#MAX_VALUE} when none is left. Segments are only appended to by the run that created them, so
     * across spools an older time means an older run, and within one run different spools hold different runs'
     * records: replaying the spools' earlier segments oldest first keeps every key in order.
     */
    public synchronized long nextEarlierFrameTime() {
        if (!holdsEarlierFrames()) {
            return Long.MAX_VALUE;
        }
        return earlierSegmentTimes.getOrDefault(segmentSizes.firstKey(), 0L);
    }

    /** Bytes on disk not yet written to the database. */
    public synchronized long pendingBytes() {
        long total = 0;
        for (Map.Entry<Long, Long> segment : segmentSizes.entrySet()) {
            total += segment.getValue() - MAGIC.length;
            if (segment.getKey() == readSegment) {
                total -= Math.max(0, readPosition - MAGIC.length);
            }
            for (ReadPositions.State interrupted : suspended) {
                if (interrupted.segment() == segment.getKey()) {
                    total -= Math.max(0, interrupted.position() - MAGIC.length);
                }
            }
        }
        return Math.max(0, total);
    }

    /** Appends one batch as a frame and hands it to the operating system. */
    public void append(UUID batchId, List<LogRecord> records) throws IOException {
        ByteBuffer frame = FrameCodec.encode(batchId, records); // outside the lock: a reader need not wait for it
        appendFrame(frame);
    }

    private synchronized void appendFrame(ByteBuffer frame) throws IOException {
        if (pendingBytes() + frame.remaining() - FrameCodec.HEADER_BYTES > maxBytes) {
            throw new SpoolFullException("the spool holds " + pendingBytes() + " bytes, its bound is " + maxBytes);
        }
        if (writeChannel == null || segmentSizes.getOrDefault(writeSegment, 0L) >= SEGMENT_BYTES) {
            rollWriter();
        }
        while (frame.hasRemaining()) {
            writeChannel.write(frame);
        }
        segmentSizes.merge(writeSegment, (long) frame.limit(), Long::sum);
        dirty = true;
    }

    /**
     * Writes {@code frames} ahead of every frame not yet done, in order, in a segment of their own numbered below
     * the oldest one, forced to disk, and read next: then reading goes on where it was (a frame peeked and not
     * done is peeked again). For records that must come before what the spool holds, such as rows that waited in
     * memory for a parent run while newer rows of it went to disk. The segment is dated no later than the oldest
     * one nor than {@code notAfterMillis}, so a handover across several spools (which takes the least recently
     * written segment first, {@link #nextEarlierFrameTime}) takes it first too. It is written under a temporary
     * name and renamed, so a crash leaves it whole or not at all.
     *
     * @param notAfterMillis the latest date the segment may have (milliseconds since the epoch), or
     *                       {@link Long#MAX_VALUE}
     * @param doneHead       the frame {@link #peek} gave, whose rest is among {@code frames}, or {@code null}: done once
     *                       they are on disk, so a failure or a crash loses none of it; reading goes on after it
     * @return false, writing nothing, when no lower segment number is left (a spool of an earlier version)
     * @throws SpoolFullException when they would take the spool past its bound
     */
    public synchronized boolean putFirst(List<Frame> frames, long notAfterMillis, Frame doneHead) throws IOException {
        if (doneHead != null && doneHead != head) {
            throw new IllegalStateException("the frame to be done must be the one peek() gave");
        }
        if (frames.isEmpty()) {
            if (doneHead != null) {
                done(doneHead);
            }
            return true;
        }
        List<ByteBuffer> encoded = new ArrayList<>(frames.size());
        long bytes = 0;
        for (Frame frame : frames) {
            ByteBuffer buffer = FrameCodec.encode(frame.id(), frame.records());
            encoded.add(buffer);
            bytes += buffer.remaining() - FrameCodec.HEADER_BYTES;
        }
        if (pendingBytes() + bytes > maxBytes) {
            throw new SpoolFullException("the spool holds " + pendingBytes() + " bytes, its bound is " + maxBytes);
        }
        long front;
        long date = notAfterMillis;
        long oldest = oldestOnDisk();
        if (oldest < 0) {
            front = Math.max(FIRST_SEGMENT - 1, lastSegmentAtOpen) + 1;
        } else {
            if (oldest <= 0) {
                return false;
            }
            front = oldest - 1;
            date = Math.min(date, Files.getLastModifiedTime(segmentPath(oldest)).toMillis());
        }
        long size = SegmentFiles.writeWhole(segmentPath(front), encoded, date);
        segmentSizes.put(front, size);
        if (front <= lastSegmentAtOpen) {
            earlierSegmentTimes.put(front, date);
        }
        if (doneHead != null) {
            idsInReadSegment.add(doneHead.id());
            readPosition = headEnd;
            head = null;
        }
        if (readChannel != null) {
            // read on from here once the new segment is done; a frame peeked and not done is read again
            suspended.push(new ReadPositions.State(readSegment, readPosition, new ArrayList<>(idsInReadSegment)));
            readChannel.close();
            readChannel = null;
            readSegment = -1;
            readPosition = 0;
            head = null;
            idsInReadSegment.clear();
        }
        return true;
    }

    /** {@return whether {@link #putFirst} has a segment number left below the oldest (a spool of an earlier version may not)} */
    public synchronized boolean canPutFirst() {
        return oldestOnDisk() != 0;
    }

    /** The lowest segment number with a file, kept ones included, or -1 when there is none. */
    private long oldestOnDisk() {
        long oldest = segmentSizes.isEmpty() ? -1 : segmentSizes.firstKey();
        if (!kept.isEmpty() && (oldest < 0 || kept.firstKey() < oldest)) {
            oldest = kept.firstKey();
        }
        return oldest;
    }

    /** Forces appended frames to the disk itself. */
    public synchronized void sync() throws IOException {
        if (dirty && writeChannel != null) {
            writeChannel.force(false);
            dirty = false;
        }
    }

    /** The oldest frame not yet done, or {@code null} when all are. Stays the same until {@link #done}. */
    public synchronized Frame peek() throws IOException {
        return peek(false);
    }

    /**
     * Like {@link #peek}; with {@code keepFinished}, a segment found read to its end (its tail damaged) is kept on disk
     * as {@link #doneKeepingFile} keeps one.
     */
    public synchronized Frame peek(boolean keepFinished) throws IOException {
        return peekUpTo(Long.MAX_VALUE, keepFinished);
    }

    /**
     * Like {@link #peek}, but only among the frames an earlier run left: {@code null} once they are all done, even
     * when newer ones wait.
     */
    public synchronized Frame peekEarlier(boolean keepFinished) throws IOException {
        return peekUpTo(lastSegmentAtOpen, keepFinished);
    }

    private Frame peekUpTo(long lastSegment, boolean keepFinished) throws IOException {
        while (head == null) {
            if (readChannel == null && (segmentSizes.isEmpty() || segmentSizes.firstKey() > lastSegment || !openNextForReading())) {
                return null;
            }
            long size = segmentSizes.get(readSegment);
            if (readPosition >= size) {
                if (readSegment == writeSegment) {
                    return null; // caught up with the writer
                }
                finishReadSegment(keepFinished);
                continue;
            }
            readFrame(size);
        }
        return head;
    }

    /**
     * Marks the frame from {@link #peek} as written. Returns the batch ids of a segment that this finished and
     * deleted (the ledger may forget them now), else an empty list.
     */
    public synchronized List<UUID> done(Frame frame) throws IOException {
        return markDone(frame) ? finishReadSegment(false) : List.of();
    }

    /**
     * Marks the frame from {@link #peek} as written, like {@link #done}, while rows read back (of it or of earlier
     * frames) still wait in memory: a segment this finishes is not read again, but its file stays on disk until
     * {@link #releaseKept}, so a crash before those rows are written reads it again from its first frame and loses
     * none. Its batch ids are handed back then.
     */
    public synchronized void doneKeepingFile(Frame frame) throws IOException {
        if (markDone(frame)) {
            finishReadSegment(true);
        }
    }

    /** {@return true while segments read to their end are kept on disk} */
    public synchronized boolean holdsKeptFiles() {
        return !kept.isEmpty();
    }

    /**
     * Deletes the segments kept on disk, and returns the batch ids of their frames (the ledger may forget them now).
     * A segment that cannot be deleted is reported and stays kept, its number taken: the next start reads it again,
     * and the ledger recognises its batches.
     */
    public synchronized List<UUID> releaseKept() {
        List<UUID> ids = new ArrayList<>();
        for (Iterator<Map.Entry<Long, List<UUID>>> it = kept.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, List<UUID>> segment = it.next();
            Path path = segmentPath(segment.getKey());
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                warn.accept("Spool file " + path + " cannot be deleted (" + e + "); the next start reads it again,"
                        + " and the ledger recognises what of it was written");
                continue;
            }
            it.remove();
            ids.addAll(segment.getValue());
        }
        return ids;
    }

    /** Advances past the frame; true when that ends its segment. */
    private boolean markDone(Frame frame) throws IOException {
        if (frame != head) {
            throw new IllegalStateException("done() must follow peek() for the same frame");
        }
        idsInReadSegment.add(frame.id());
        readPosition = headEnd;
        head = null;
        if (readPosition >= segmentSizes.get(readSegment)) {
            if (readSegment == writeSegment) {
                closeWriter(); // fully read: the next append starts a new segment
            }
            return true;
        }
        return false;
    }

    private boolean openNextForReading() throws IOException {
        if (segmentSizes.isEmpty()) {
            return false;
        }
        readSegment = segmentSizes.firstKey();
        readChannel = FileChannel.open(segmentPath(readSegment), StandardOpenOption.READ);
        ByteBuffer magic = ByteBuffer.allocate(MAGIC.length);
        SegmentFiles.readFully(readChannel, magic, 0);
        if (magic.hasRemaining() || !Arrays.equals(magic.array(), MAGIC)) {
            moveAside(0, "it is not a spool file");
            readPosition = segmentSizes.get(readSegment);
        } else {
            readPosition = MAGIC.length;
        }
        ReadPositions.State interrupted = suspended.peek();
        if (interrupted != null && interrupted.segment() == readSegment) {
            suspended.pop();
            readPosition = Math.max(readPosition, interrupted.position());
            idsInReadSegment.addAll(interrupted.doneIds());
        }
        return true;
    }

    private void readFrame(long size) throws IOException {
        SegmentFiles.Read read = SegmentFiles.readFrame(readChannel, readPosition, size);
        if (read.damage() != null) {
            damaged(size, read.damage());
        } else {
            head = read.frame();
            headEnd = read.end();
        }
    }

    private void damaged(long size, String why) throws IOException {
        moveAside(readPosition, why);
        readPosition = size;
    }

    /** Copies the segment's bytes from {@code from} on into {@code damaged/} and reports it. */
    private void moveAside(long from, String why) throws IOException {
        long size = segmentSizes.get(readSegment);
        Path target = directory.resolve("damaged").resolve(String.format("segment-%020d-from-%d.bin", readSegment, from));
        SegmentFiles.copyTail(readChannel, from, size, target);
        warn.accept("Spool file " + segmentPath(readSegment) + " is damaged at byte " + from + " (" + why + "): the "
                + (size - from) + " byte(s) from there were moved to " + target + " and their records are not replayed;"
                + " the frames before it are");
    }

    /** Closes and deletes (or keeps) the segment read to its end; returns its frames' ids, none when kept. */
    private List<UUID> finishReadSegment(boolean keepFile) throws IOException {
        readChannel.close();
        readChannel = null;
        List<UUID> ids = List.copyOf(idsInReadSegment);
        idsInReadSegment.clear();
        if (keepFile) {
            kept.put(readSegment, ids);
        } else {
            Files.deleteIfExists(segmentPath(readSegment));
        }
        segmentSizes.remove(readSegment);
        earlierSegmentTimes.remove(readSegment);
        readSegment = -1;
        readPosition = 0;
        return keepFile ? List.of() : ids;
    }

    private void rollWriter() throws IOException {
        closeWriter();
        // numbers only grow, so a segment of this run is never taken for one an earlier run left
        long newest = Math.max(segmentSizes.isEmpty() ? FIRST_SEGMENT - 1 : segmentSizes.lastKey(), kept.isEmpty() ? 0 : kept.lastKey());
        writeSegment = Math.max(newest, lastSegmentAtOpen) + 1;
        writeChannel = FileChannel.open(segmentPath(writeSegment), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        writeChannel.write(ByteBuffer.wrap(MAGIC));
        segmentSizes.put(writeSegment, (long) MAGIC.length);
        ReadPositions.syncDirectory(directory);
    }

    private void closeWriter() throws IOException {
        if (writeChannel != null) {
            sync();
            writeChannel.close();
            writeChannel = null;
            writeSegment = -1;
        }
    }

    private Path segmentPath(long segment) {
        return directory.resolve(String.format("segment-%020d.spool", segment));
    }

    @Override
    public synchronized void close() throws IOException {
        if (!lock.isValid()) {
            return; // closed already
        }
        try {
            closeWriter();
            saveReadPositions();
            if (readChannel != null) {
                readChannel.close();
            }
        } finally {
            lock.release();
            lockChannel.close();
        }
    }
}
