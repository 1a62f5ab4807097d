package io.stratal.logs.internal.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * A spool's segment files as bytes: the magic that starts each, a frame read back and checked, a segment written
 * whole, the damaged tail of one copied aside. {@link Spool} keeps the state; this holds none.
 */
final class SegmentFiles {

    static final byte[] MAGIC = "STRSPL1\n".getBytes(StandardCharsets.US_ASCII);
    /** What {@link #writeWhole} writes before renaming it into place; left by a crash, {@link Spool} deletes it. */
    static final String TEMPORARY_SUFFIX = ".tmp";
    private static final int MAX_FRAME_BYTES = 256 * 1024 * 1024;

    /** A frame read at a position: the frame and where the next one starts, or why the bytes there are damaged. */
    record Read(Spool.Frame frame, long end, String damage) {
    }

    private SegmentFiles() {
    }

    /** Reads the frame at {@code position} of a segment of {@code size} bytes, checking its length and checksum. */
    static Read readFrame(FileChannel channel, long position, long size) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(FrameCodec.HEADER_BYTES);
        readFully(channel, header, position);
        if (header.hasRemaining()) {
            return damaged("a frame header is cut short");
        }
        header.flip();
        int length = header.getInt();
        int crcValue = header.getInt();
        if (length <= 0 || length > MAX_FRAME_BYTES) {
            return damaged("a frame length is invalid");
        }
        if (position + FrameCodec.HEADER_BYTES + length > size) {
            return damaged("a frame is cut short");
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(channel, payload, position + FrameCodec.HEADER_BYTES);
        CRC32 crc = new CRC32();
        crc.update(payload.array());
        if ((int) crc.getValue() != crcValue) {
            return damaged("a frame fails its checksum");
        }
        try {
            return new Read(FrameCodec.decode(payload.array()), position + FrameCodec.HEADER_BYTES + length, null);
        } catch (IOException | RuntimeException e) {
            return damaged("a frame cannot be decoded (" + e + ")");
        }
    }

    private static Read damaged(String why) {
        return new Read(null, -1, why);
    }

    /** The batch id of a segment's first frame, or {@code null} when it cannot be read. */
    static UUID firstFrameId(Path segment) {
        ByteBuffer start = ByteBuffer.allocate(MAGIC.length + FrameCodec.HEADER_BYTES + 1 + 16);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
            readFully(channel, start, 0);
        } catch (IOException e) {
            return null;
        }
        if (start.hasRemaining()) {
            return null;
        }
        return new UUID(start.getLong(MAGIC.length + FrameCodec.HEADER_BYTES + 1), start.getLong(MAGIC.length + FrameCodec.HEADER_BYTES + 9));
    }

    /**
     * Writes a segment whole under a temporary name, forced to disk and dated (unless {@code dateMillis} is
     * {@link Long#MAX_VALUE}), then renames it into place, so a crash leaves it whole or not at all. Returns its size.
     */
    static long writeWhole(Path path, List<ByteBuffer> frames, long dateMillis) throws IOException {
        Path temporary = path.resolveSibling(path.getFileName() + TEMPORARY_SUFFIX);
        long size = MAGIC.length;
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(MAGIC));
                for (ByteBuffer buffer : frames) {
                    size += buffer.remaining();
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                }
                channel.force(false);
            }
            if (dateMillis != Long.MAX_VALUE) {
                Files.setLastModifiedTime(temporary, FileTime.fromMillis(dateMillis));
            }
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        ReadPositions.syncDirectory(path.getParent());
        return size;
    }

    /** Copies the bytes of {@code channel} from {@code from} up to {@code size} into {@code target}, creating its directory. */
    static void copyTail(FileChannel channel, long from, long size, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.transferTo(from, size - from, out);
        }
    }

    /** Reads into {@code buffer} from {@code position} until it is full or the file ends. */
    static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                return;
            }
            at += n;
        }
    }
}
