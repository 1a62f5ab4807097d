package io.stratal.logs.internal.spool;

import io.stratal.logs.LogRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * One spool frame as bytes: {@code [length][crc32][payload]}, the payload being a version byte, the batch id,
 * the record count and the records ({@link RecordCodec}).
 */
final class FrameCodec {

    /** A frame's header: the payload's length and its CRC32, two big-endian ints. */
    static final int HEADER_BYTES = 8;

    private FrameCodec() {
    }

    /** {@return the whole frame, header and payload, ready to be written} */
    static ByteBuffer encode(UUID batchId, List<LogRecord> records) throws IOException {
        FrameBytes bytes = new FrameBytes(256 * records.size() + 40);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(1);
        RecordCodec.writeUuid(batchId, out);
        out.writeInt(records.size());
        for (LogRecord record : records) {
            RecordCodec.write(record, out);
        }
        out.flush();
        return bytes.frame();
    }

    /** {@return the frame whose payload (after the header, its checksum checked) is {@code payload}} */
    static Spool.Frame decode(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        int version = in.readUnsignedByte();
        if (version != 1) {
            throw new IOException("unknown frame version " + version);
        }
        UUID id = RecordCodec.readUuid(in);
        int count = in.readInt();
        if (count < 0) {
            throw new IOException("negative record count");
        }
        List<LogRecord> records = new ArrayList<>(Math.min(count, 100_000));
        for (int i = 0; i < count; i++) {
            records.add(RecordCodec.read(in));
        }
        if (in.available() != 0) {
            throw new IOException(in.available() + " stray byte(s) after the records");
        }
        return new Spool.Frame(id, List.copyOf(records));
    }

    /**
     * A frame's bytes as they are encoded: room kept for the header (length, CRC) before the payload, so
     * that the frame goes to the file from the encoding's own array, not from two copies of it (a batch of
     * 5,000 records is over a megabyte, and a spilling pipeline holds its copies while the queue is full).
     */
    private static final class FrameBytes extends ByteArrayOutputStream {
        FrameBytes(int size) {
            super(size);
            count = HEADER_BYTES;
        }

        /** The whole frame, its header filled in from the payload written after it. */
        ByteBuffer frame() {
            CRC32 crc = new CRC32();
            crc.update(buf, HEADER_BYTES, count - HEADER_BYTES);
            ByteBuffer frame = ByteBuffer.wrap(buf, 0, count);
            frame.putInt(0, count - HEADER_BYTES).putInt(4, (int) crc.getValue());
            return frame;
        }
    }
}
