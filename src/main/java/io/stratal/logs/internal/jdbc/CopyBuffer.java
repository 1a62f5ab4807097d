package io.stratal.logs.internal.jdbc;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable byte buffer that writes PostgreSQL's COPY text format: UTF-8, with backslash, tab, newline
 * and carriage return escaped inside values. Reused across batches by the one flusher thread.
 */
final class CopyBuffer {

    private byte[] bytes;
    private int size;
    private final OutputStream escapingView = new EscapingStream();

    CopyBuffer(int initialCapacity) {
        bytes = new byte[initialCapacity];
    }

    byte[] array() {
        return bytes;
    }

    int size() {
        return size;
    }

    void reset() {
        size = 0;
    }

    /** Writes ASCII text that needs no escaping (column separators, UUIDs, numbers, enum words). */
    void ascii(String s) {
        int length = s.length();
        ensure(length);
        for (int i = 0; i < length; i++) {
            bytes[size++] = (byte) s.charAt(i);
        }
    }

    void raw(byte b) {
        ensure(1);
        bytes[size++] = b;
    }

    /** Writes any string as a COPY value: UTF-8 encoded and escaped. Lone surrogates must be gone already. */
    void text(String s) {
        int length = s.length();
        ensure(length * 3 + 4);
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                escapeAscii((byte) c);
            } else if (c < 0x800) {
                ensure(2);
                bytes[size++] = (byte) (0xC0 | (c >> 6));
                bytes[size++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < length) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                ensure(4);
                bytes[size++] = (byte) (0xF0 | (cp >> 18));
                bytes[size++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                bytes[size++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                bytes[size++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                ensure(3);
                bytes[size++] = (byte) (0xE0 | (c >> 12));
                bytes[size++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                bytes[size++] = (byte) (0x80 | (c & 0x3F));
            }
        }
    }

    /**
     * An {@link OutputStream} that appends already-UTF-8 bytes escaped for COPY, for a JSON generator. UTF-8
     * continuation bytes are never ASCII, so escaping byte by byte is exact.
     */
    OutputStream escaping() {
        return escapingView;
    }

    private void escapeAscii(byte b) {
        ensure(2);
        switch (b) {
            case '\\':
                bytes[size++] = '\\';
                bytes[size++] = '\\';
                break;
            case '\t':
                bytes[size++] = '\\';
                bytes[size++] = 't';
                break;
            case '\n':
                bytes[size++] = '\\';
                bytes[size++] = 'n';
                break;
            case '\r':
                bytes[size++] = '\\';
                bytes[size++] = 'r';
                break;
            default:
                bytes[size++] = b;
        }
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }

    private final class EscapingStream extends OutputStream {
        @Override
        public void write(int b) {
            escapeAscii((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            for (int i = off; i < off + len; i++) {
                escapeAscii(b[i]);
            }
        }
    }
}
