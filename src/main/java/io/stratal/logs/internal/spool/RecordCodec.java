package io.stratal.logs.internal.spool;

import io.stratal.logs.LogLevel;
import io.stratal.logs.LogRecord;
import io.stratal.logs.LogStream;
import io.stratal.logs.LogType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A {@link LogRecord} as bytes and back, exactly: every metadata value keeps its Java type (an Integer
 * comes back an Integer, a BigDecimal with its scale), so a replayed row is the row that would have been
 * written.
 */
final class RecordCodec {

    private static final byte NULL = 0;
    private static final byte TRUE = 1;
    private static final byte FALSE = 2;
    private static final byte INT = 3;
    private static final byte LONG = 4;
    private static final byte DOUBLE = 5;
    private static final byte FLOAT = 6;
    private static final byte BIG_DECIMAL = 7;
    private static final byte BIG_INTEGER = 8;
    private static final byte STRING = 9;
    private static final byte MAP = 10;
    private static final byte LIST = 11;
    private static final byte SHORT = 12;
    private static final byte BYTE = 13;

    private static final LogType[] TYPES = LogType.values();
    private static final LogLevel[] LEVELS = LogLevel.values();
    private static final LogStream[] STREAMS = LogStream.values();

    private RecordCodec() {
    }

    static void write(LogRecord record, DataOutput out) throws IOException {
        out.writeByte(record.type().ordinal());
        out.writeByte(record.level().ordinal());
        out.writeByte(record.stream().ordinal());
        out.writeByte((record.jobRunId() != null ? 1 : 0) | (record.taskRunId() != null ? 2 : 0));
        writeUuid(record.jobRunId(), out);
        writeUuid(record.taskRunId(), out);
        out.writeLong(record.epochSecond());
        out.writeInt(record.nano());
        writeString(record.message(), out);
        writeValue(record.metadata(), out);
    }

    @SuppressWarnings("unchecked")
    static LogRecord read(DataInput in) throws IOException {
        LogType type = TYPES[in.readUnsignedByte()];
        LogLevel level = LEVELS[in.readUnsignedByte()];
        LogStream stream = STREAMS[in.readUnsignedByte()];
        int ids = in.readUnsignedByte();
        UUID job = (ids & 1) != 0 ? readUuid(in) : null;
        UUID task = (ids & 2) != 0 ? readUuid(in) : null;
        Instant timestamp = Instant.ofEpochSecond(in.readLong(), in.readInt());
        String message = readString(in);
        Object metadata = readValue(in);
        return new LogRecord(type, job, task, timestamp, level, stream, message, (Map<String, Object>) metadata);
    }

    static void writeUuid(UUID id, DataOutput out) throws IOException {
        if (id != null) {
            out.writeLong(id.getMostSignificantBits());
            out.writeLong(id.getLeastSignificantBits());
        }
    }

    static UUID readUuid(DataInput in) throws IOException {
        return new UUID(in.readLong(), in.readLong());
    }

    private static void writeString(String s, DataOutput out) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInput in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            throw new IOException("negative string length " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void writeValue(Object value, DataOutput out) throws IOException {
        if (value == null) {
            out.writeByte(NULL);
        } else if (value instanceof Boolean) {
            out.writeByte((Boolean) value ? TRUE : FALSE);
        } else if (value instanceof Integer) {
            out.writeByte(INT);
            out.writeInt((Integer) value);
        } else if (value instanceof Long) {
            out.writeByte(LONG);
            out.writeLong((Long) value);
        } else if (value instanceof Short) {
            out.writeByte(SHORT);
            out.writeShort((Short) value);
        } else if (value instanceof Byte) {
            out.writeByte(BYTE);
            out.writeByte((Byte) value);
        } else if (value instanceof Double) {
            out.writeByte(DOUBLE);
            out.writeDouble((Double) value);
        } else if (value instanceof Float) {
            out.writeByte(FLOAT);
            out.writeFloat((Float) value);
        } else if (value instanceof BigDecimal) {
            out.writeByte(BIG_DECIMAL);
            writeString(value.toString(), out);
        } else if (value instanceof BigInteger) {
            out.writeByte(BIG_INTEGER);
            writeString(value.toString(), out);
        } else if (value instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) value;
            out.writeByte(MAP);
            out.writeInt(map.size());
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                writeString(String.valueOf(entry.getKey()), out);
                writeValue(entry.getValue(), out);
            }
        } else if (value instanceof List) {
            List<?> list = (List<?>) value;
            out.writeByte(LIST);
            out.writeInt(list.size());
            for (Object element : list) {
                writeValue(element, out);
            }
        } else {
            out.writeByte(STRING);
            writeString(value.toString(), out);
        }
    }

    private static Object readValue(DataInput in) throws IOException {
        byte tag = in.readByte();
        switch (tag) {
            case NULL:
                return null;
            case TRUE:
                return Boolean.TRUE;
            case FALSE:
                return Boolean.FALSE;
            case INT:
                return in.readInt();
            case LONG:
                return in.readLong();
            case SHORT:
                return in.readShort();
            case BYTE:
                return in.readByte();
            case DOUBLE:
                return in.readDouble();
            case FLOAT:
                return in.readFloat();
            case BIG_DECIMAL:
                return new BigDecimal(readString(in));
            case BIG_INTEGER:
                return new BigInteger(readString(in));
            case STRING:
                return readString(in);
            case MAP: {
                int size = count(in);
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < size; i++) {
                    String key = readString(in);
                    map.put(key, readValue(in));
                }
                return Collections.unmodifiableMap(map);
            }
            case LIST: {
                int size = count(in);
                List<Object> list = new ArrayList<>(Math.min(size, 1024));
                for (int i = 0; i < size; i++) {
                    list.add(readValue(in));
                }
                return Collections.unmodifiableList(list);
            }
            default:
                throw new IOException("unknown value tag " + tag);
        }
    }

    private static int count(DataInput in) throws IOException {
        int size = in.readInt();
        if (size < 0) {
            throw new IOException("negative element count " + size);
        }
        return size;
    }
}
