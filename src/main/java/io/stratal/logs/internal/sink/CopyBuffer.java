package io.stratal.logs.internal.sink;

import java.util.Arrays;

/**
 * A growable byte buffer that writes PostgreSQL's COPY text format: UTF-8, with backslash, tab, newline
 * and carriage return escaped inside values. Reused across batches by the one flusher thread.
 */
final class CopyBuffer {

    private byte[] bytes;
    private int size;
    private static final byte[] DIGIT_PAIRS = digitPairs();
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

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

    private static byte[] digitPairs() {
        byte[] pairs = new byte[200];
        for (int i = 0; i < 100; i++) {
            pairs[2 * i] = (byte) ('0' + i / 10);
            pairs[2 * i + 1] = (byte) ('0' + i % 10);
        }
        return pairs;
    }

    /** Bytes that need no escaping (precomputed words). */
    void raw(byte[] words) {
        ensure(words.length);
        System.arraycopy(words, 0, bytes, size, words.length);
        size += words.length;
    }

    void raw(byte b) {
        ensure(1);
        bytes[size++] = b;
    }

    /** Writes any string as a COPY value: UTF-8 encoded and escaped. Lone surrogates must be gone already. */
    void text(String s) {
        int length = s.length();
        ensure(length * 3 + 4); // the worst case per char: 3 UTF-8 bytes, or an escape of 2
        byte[] b = bytes;
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '\\') {
                b[size++] = (byte) c;
            } else if (c < 0x80) {
                escapeAscii((byte) c);
            } else if (c < 0x800) {
                bytes[size++] = (byte) (0xC0 | (c >> 6));
                bytes[size++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < length) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                bytes[size++] = (byte) (0xF0 | (cp >> 18));
                bytes[size++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                bytes[size++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                bytes[size++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                bytes[size++] = (byte) (0xE0 | (c >> 12));
                bytes[size++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                bytes[size++] = (byte) (0x80 | (c & 0x3F));
            }
        }
    }

    /**
     * Writes {@code s} as a JSON string, quotes included, escaped for JSON and then for COPY in one pass: a
     * JSON escape's backslash is doubled, and nothing else in JSON text needs COPY escaping (JSON has no raw
     * tab, newline or backslash). A lone surrogate, which the mapping repairs before, becomes U+FFFD.
     */
    void jsonString(String s) {
        int length = s.length();
        ensure(length * 7 + 2); // the worst case, every char a \\u00XX escape: no check per char after this
        byte[] b = bytes;
        int n = size;
        b[n++] = '"';
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                b[n++] = (byte) c;
                continue;
            }
            size = n;
            if (c < 0x80) {
                jsonEscape(c);
            } else if (c < 0x800) {
                bytes[size++] = (byte) (0xC0 | (c >> 6));
                bytes[size++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                bytes[size++] = (byte) (0xF0 | (cp >> 18));
                bytes[size++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                bytes[size++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                bytes[size++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                char bmp = Character.isSurrogate(c) ? '\uFFFD' : c;
                bytes[size++] = (byte) (0xE0 | (bmp >> 12));
                bytes[size++] = (byte) (0x80 | ((bmp >> 6) & 0x3F));
                bytes[size++] = (byte) (0x80 | (bmp & 0x3F));
            }
            n = size;
        }
        b[n++] = '"';
        size = n;
    }

    /** A quote, a backslash or a control character, as a JSON escape whose backslash COPY sees doubled. */
    private void jsonEscape(char c) {
        bytes[size++] = '\\';
        bytes[size++] = '\\';
        switch (c) {
            case '"' -> bytes[size++] = '"';
            case '\\' -> {
                bytes[size++] = '\\';
                bytes[size++] = '\\';
            }
            case '\n' -> bytes[size++] = 'n';
            case '\t' -> bytes[size++] = 't';
            case '\r' -> bytes[size++] = 'r';
            case '\b' -> bytes[size++] = 'b';
            case '\f' -> bytes[size++] = 'f';
            default -> {
                bytes[size++] = 'u';
                bytes[size++] = '0';
                bytes[size++] = '0';
                bytes[size++] = HEX[c >> 4];
                bytes[size++] = HEX[c & 0xF];
            }
        }
    }

    /** A whole number in decimal, without a String in between. */
    void decimal(long value) {
        if (value == Long.MIN_VALUE) {
            ascii(Long.toString(value));
            return;
        }
        ensure(20);
        if (value < 0) {
            bytes[size++] = '-';
            value = -value;
        }
        int start = size;
        do {
            bytes[size++] = (byte) ('0' + value % 10);
            value /= 10;
        } while (value > 0);
        for (int i = start, j = size - 1; i < j; i++, j--) {
            byte t = bytes[i];
            bytes[i] = bytes[j];
            bytes[j] = t;
        }
    }

    /** A UUID in its canonical form, 36 characters, without a String in between. */
    void uuid(java.util.UUID id) {
        ensure(36);
        long msb = id.getMostSignificantBits();
        long lsb = id.getLeastSignificantBits();
        hex(msb >>> 32, 8);
        bytes[size++] = '-';
        hex(msb >>> 16, 4);
        bytes[size++] = '-';
        hex(msb, 4);
        bytes[size++] = '-';
        hex(lsb >>> 48, 4);
        bytes[size++] = '-';
        hex(lsb, 12);
    }

    /** The low {@code digits} hex digits of {@code value}; room must be ensured. */
    private void hex(long value, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            bytes[size++] = HEX[(int) (value >>> shift) & 0xF];
        }
    }

    /** {@code value} as exactly {@code width} decimal digits, zero-padded, two digits per division. */
    void digits(int value, int width) {
        ensure(width);
        int i = size + width;
        while (i - size >= 2) {
            int next = value / 100;
            int pair = (value - next * 100) * 2;
            bytes[--i] = DIGIT_PAIRS[pair + 1];
            bytes[--i] = DIGIT_PAIRS[pair];
            value = next;
        }
        if (i > size) {
            bytes[--i] = (byte) ('0' + value % 10);
        }
        size += width;
    }

    /** Room for 2 bytes must be ensured. */
    private void escapeAscii(byte b) {
        byte escaped = switch (b) {
            case '\\' -> (byte) '\\';
            case '\t' -> (byte) 't';
            case '\n' -> (byte) 'n';
            case '\r' -> (byte) 'r';
            default -> 0;
        };
        if (escaped == 0) {
            bytes[size++] = b;
        } else {
            bytes[size++] = '\\';
            bytes[size++] = escaped;
        }
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }

}
