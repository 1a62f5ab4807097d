package io.stratal.logs.query;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

/**
 * A position in the read order {@code (timestamp, id)}, or its reverse: the last row of a page. A client
 * passes it back to get the rows after it, which stays correct while rows are added and costs the same on
 * page 1 and page 10,000, unlike an offset. Rows whose timestamp is NULL sort last (first, newest first).
 *
 * <p>On the wire it is opaque: base64url of {@code <epoch micros or "null">:<id>}, after {@code d:} when the
 * order is newest first.
 *
 * @param timestamp  the row's timestamp (UTC), or {@code null} when it has none
 * @param id         the row's id
 * @param descending whether the read goes newest first
 */
public record Cursor(LocalDateTime timestamp, long id, boolean descending) {

    /**
     * A position in the oldest-first order.
     *
     * @param timestamp the row's timestamp (UTC), or {@code null}
     * @param id the row's id
     */
    public Cursor(LocalDateTime timestamp, long id) {
        this(timestamp, id, false);
    }

    private static final long MICROS_PER_SECOND = 1_000_000L;

    /**
     * {@return the cursor after {@code log}, in the oldest-first order}
     *
     * @param log a row
     */
    public static Cursor after(StoredLog log) {
        return after(log, false);
    }

    /**
     * {@return the cursor after {@code log} in the given order}
     *
     * @param log a row
     * @param descending newest first
     */
    public static Cursor after(StoredLog log, boolean descending) {
        return new Cursor(log.timestamp(), log.id(), descending);
    }

    /** {@return the cursor as a URL-safe text, for {@code next_cursor} and {@code cursor}} */
    public String encode() {
        String key = (descending ? "d:" : "") + (timestamp == null ? "null" : Long.toString(epochMicros(timestamp))) + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Reads a cursor as {@link #encode()} wrote it.
     *
     * @param parameter the query parameter it came in, named in the error a client sees
     * @param text      the encoded cursor
     * @return the cursor
     * @throws InvalidParameterException when {@code text} is not a cursor
     */
    public static Cursor decode(String parameter, String text) {
        String key;
        try {
            key = new String(Base64.getUrlDecoder().decode(text.trim()), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw invalid(parameter, text);
        }
        boolean descending = key.startsWith("d:");
        if (descending) {
            key = key.substring(2);
        }
        int colon = key.indexOf(':');
        if (colon < 0) {
            throw invalid(parameter, text);
        }
        try {
            String when = key.substring(0, colon);
            long id = Long.parseLong(key.substring(colon + 1));
            LocalDateTime timestamp = when.equals("null") ? null : fromEpochMicros(Long.parseLong(when));
            return new Cursor(timestamp, id, descending);
        } catch (RuntimeException e) {
            throw invalid(parameter, text);
        }
    }

    private static InvalidParameterException invalid(String parameter, String text) {
        return new InvalidParameterException(parameter, "'" + InvalidParameterException.shorten(text)
                + "' is not a cursor this server gave out (pass next_cursor of the previous page as it is)");
    }

    private static long epochMicros(LocalDateTime timestamp) {
        var instant = timestamp.toInstant(ZoneOffset.UTC);
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), MICROS_PER_SECOND), instant.getNano() / 1000);
    }

    private static LocalDateTime fromEpochMicros(long micros) {
        long seconds = Math.floorDiv(micros, MICROS_PER_SECOND);
        long nanos = Math.floorMod(micros, MICROS_PER_SECOND) * 1000;
        return LocalDateTime.ofEpochSecond(seconds, (int) nanos, ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }
}
