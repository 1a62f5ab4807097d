package io.stratal.logs.context;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * Reads one output stream of a process line by line on a thread of its own and logs each line under the
 * task's context with {@code stream} set. Works on bytes, so a line is split only at {@code '\n'} and
 * decoding problems are repaired, not thrown.
 *
 * <p>It never blocks in {@code read()}: it reads what {@code available()} reports and otherwise waits a
 * little (1 ms, doubling to 50 ms while the process is quiet). So once the process has exited and its pipe
 * is empty the output is over, even when a child it left running still holds the pipe open; a blocked read
 * would wait for that child.
 */
final class OutputPump implements Runnable {

    private static final long MIN_IDLE_NANOS = 1_000_000L;
    private static final long MAX_IDLE_NANOS = 50_000_000L;

    private final InputStream in;
    private final Process process;
    private final String stream;
    private final Logger logger;
    private final ContextSnapshot context;
    private final int maxLineLength;
    private final Charset charset;
    private volatile boolean logging = true;
    private volatile long lines;

    OutputPump(Process process, InputStream in, String stream, Logger logger, ContextSnapshot context, int maxLineLength,
               Charset charset) {
        this.process = process;
        this.in = in;
        this.stream = stream;
        this.logger = logger;
        this.context = context;
        this.maxLineLength = maxLineLength;
        this.charset = charset;
    }

    Thread start(String name) {
        Thread thread = new Thread(() -> context.run(this), name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    long lines() {
        return lines;
    }

    /** The process is over; lines still arriving from a child that outlived it are not logged. */
    void stopLogging() {
        logging = false;
    }

    @Override
    public void run() {
        MDC.put(LogContext.streamKey(), stream);
        CharsetDecoder decoder = charset.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        // A UTF-8 character is at most 4 bytes, so this many bytes never decode to more than maxLineLength chars
        // of a line we have to cut; shorter lines pass whole.
        int maxLineBytes = Math.max(4, maxLineLength);
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        byte[] buffer = new byte[8192];
        int part = 0;
        long idleNanos = MIN_IDLE_NANOS;
        try {
            while (true) {
                boolean exited = !process.isAlive(); // before available(): what it wrote before exiting is in the pipe
                int available = in.available();
                if (available == 0) {
                    if (exited) {
                        break;
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(idleNanos);
                    idleNanos = Math.min(idleNanos * 2, MAX_IDLE_NANOS);
                    continue;
                }
                idleNanos = MIN_IDLE_NANOS;
                int n = in.read(buffer, 0, Math.min(available, buffer.length));
                if (n < 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    if (b == '\n') {
                        emit(decoder, line.toByteArray(), part > 0 ? part + 1 : 0, false);
                        line.reset();
                        part = 0;
                    } else {
                        line.write(b);
                        if (line.size() >= maxLineBytes) {
                            byte[] bytes = line.toByteArray();
                            int cut = boundary(bytes, bytes.length);
                            emit(decoder, java.util.Arrays.copyOf(bytes, cut), ++part, true);
                            line.reset();
                            line.write(bytes, cut, bytes.length - cut);
                        }
                    }
                }
            }
        } catch (IOException e) {
            // the pipe was closed under us: the process is gone
        }
        if (line.size() > 0) {
            emit(decoder, line.toByteArray(), part > 0 ? part + 1 : 0, false);
        }
    }

    /** Where to cut {@code bytes} before {@code end} without splitting a UTF-8 character. */
    private int boundary(byte[] bytes, int end) {
        if (!charset.equals(java.nio.charset.StandardCharsets.UTF_8)) {
            return end;
        }
        int cut = end;
        while (cut > 0 && (bytes[cut - 1] & 0xC0) == 0x80) {
            cut--;
        }
        if (cut > 0 && (bytes[cut - 1] & 0xC0) == 0xC0) {
            cut--; // the lead byte of the character that was cut
        }
        return cut == 0 ? end : cut;
    }

    private void emit(CharsetDecoder decoder, byte[] bytes, int part, boolean continues) {
        int length = bytes.length;
        if (part == 0 && length > 0 && bytes[length - 1] == '\r') {
            length--;
        }
        String text = decode(decoder, bytes, length);
        lines++;
        if (!logging) {
            return;
        }
        if (part == 0) {
            logger.info(text);
        } else {
            logger.atInfo().setMessage(text).addKeyValue("line_part", part).addKeyValue("line_continues", continues).log();
        }
    }

    private static String decode(CharsetDecoder decoder, byte[] bytes, int length) {
        try {
            decoder.reset();
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes, 0, length));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, 0, length, java.nio.charset.StandardCharsets.ISO_8859_1); // cannot happen with REPLACE
        }
    }
}
