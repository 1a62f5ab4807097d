package io.stratal.logs;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds the {@code metadata} JSON object of one record on the logging thread.
 *
 * <p>User data sits at the top level; the appender's own facts and notes sit under the one reserved key
 * {@value #LOG_KEY}. Every value is snapshotted into an immutable JSON-shaped tree ({@link LogRecord}), every
 * string is made safe ({@link SafeText}) and cut to the configured length, and values under secret keys are
 * masked ({@link Redaction}). Each change is noted under {@code log}, so a reader can tell what was stored
 * differently from what was logged. A builder is used once, by one thread.
 */
public final class MetadataBuilder {

    /** The reserved top-level key for the appender's facts and notes. */
    public static final String LOG_KEY = "log";
    /** Where a user's own top-level {@code log} entry goes, as {@value #LOG_KEY} is reserved. */
    public static final String USER_LOG_KEY = "_log";

    /** How deep nested maps and lists are followed; deeper values are stored as their {@code toString()}. */
    static final int MAX_DEPTH = 8;
    /** How many elements of one collection are kept; the rest are dropped and the cut is noted. */
    static final int MAX_ELEMENTS = 1_000;

    private final Redaction redaction;
    private final int maxStringLength;
    private final Map<String, Object> user = new LinkedHashMap<>();
    private final Map<String, Object> log = new LinkedHashMap<>();
    private List<String> repaired;
    private Map<String, Object> truncated;
    private List<String> redacted;
    private Map<String, Object> invalidIds;

    public MetadataBuilder(Redaction redaction, int maxStringLength) {
        this.redaction = redaction;
        this.maxStringLength = maxStringLength;
    }

    /** Sets a top-level user entry, replacing an earlier one of the same key. */
    public MetadataBuilder put(String key, Object value) {
        String safeKey = safeString(key, "key");
        if (LOG_KEY.equals(safeKey)) {
            safeKey = USER_LOG_KEY;
        }
        user.put(safeKey, snapshot(safeKey, value, safeKey, 0));
        return this;
    }

    /** Sets an entry under {@code log} (logger, thread, markers, exception...). Not redacted. */
    public MetadataBuilder putLog(String key, Object value) {
        log.put(key, snapshot(null, value, LOG_KEY + "." + key, 0));
        return this;
    }

    /**
     * Makes a string field of the row itself (the message) safe and short enough, noting what changed under
     * {@code field}.
     */
    public String safeField(String value, String field) {
        return safeString(value, field);
    }

    /** Notes that a row id could not be stored as given: {@code log.invalid_ids.<column> = raw}. */
    public MetadataBuilder noteInvalidId(String column, String raw) {
        if (invalidIds == null) {
            invalidIds = new LinkedHashMap<>();
        }
        invalidIds.put(column, safeString(raw, "log.invalid_ids." + column));
        return this;
    }

    /**
     * A copy of {@code metadata} with {@code key} set under {@code log}: for notes added after the record was
     * built, such as a parent id that never appeared. {@code value} must be JSON-shaped and safe already.
     */
    public static Map<String, Object> withLogEntry(Map<String, Object> metadata, String key, Object value) {
        Map<String, Object> out = metadata == null ? new LinkedHashMap<>() : new LinkedHashMap<>(metadata);
        Object log = out.get(LOG_KEY);
        Map<String, Object> notes = log instanceof Map ? new LinkedHashMap<>(castMap(log)) : new LinkedHashMap<>();
        notes.put(key, value);
        out.put(LOG_KEY, Collections.unmodifiableMap(notes));
        return Collections.unmodifiableMap(out);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object map) {
        return (Map<String, Object>) map;
    }

    /** The finished object, or {@code null} when there is nothing to store. */
    public Map<String, Object> build() {
        if (invalidIds != null) {
            log.put("invalid_ids", Collections.unmodifiableMap(invalidIds));
        }
        if (repaired != null) {
            log.put("repaired", List.copyOf(repaired));
        }
        if (truncated != null) {
            log.put("truncated", Collections.unmodifiableMap(truncated));
        }
        if (redacted != null) {
            log.put("redacted", List.copyOf(redacted));
        }
        if (user.isEmpty() && log.isEmpty()) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>(user);
        if (!log.isEmpty()) {
            out.put(LOG_KEY, Collections.unmodifiableMap(log));
        }
        return Collections.unmodifiableMap(out);
    }

    private String safeString(String value, String path) {
        String safe = value;
        if (!SafeText.isSafe(safe)) {
            safe = SafeText.repair(safe);
            if (repaired == null) {
                repaired = new ArrayList<>(2);
            }
            repaired.add(path);
        }
        if (safe.length() > maxStringLength) {
            if (truncated == null) {
                truncated = new LinkedHashMap<>();
            }
            truncated.put(path, safe.length());
            safe = SafeText.cut(safe, maxStringLength);
        }
        return safe;
    }

    /** Turns any value into an immutable JSON-shaped tree; {@code key} is null where redaction does not apply. */
    private Object snapshot(String key, Object value, String path, int depth) {
        if (key != null && redaction.isSecret(key) && value != null) {
            if (redacted == null) {
                redacted = new ArrayList<>(2);
            }
            redacted.add(path);
            return Redaction.MASK;
        }
        if (value == null || value instanceof Boolean) {
            return value;
        }
        if (value instanceof String) {
            return safeString((String) value, path);
        }
        if (value instanceof Number) {
            return number((Number) value, path);
        }
        if (depth >= MAX_DEPTH) {
            return safeString(describe(value), path);
        }
        if (value instanceof Map) {
            Map<String, Object> out = new LinkedHashMap<>();
            int kept = 0;
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                if (kept++ == MAX_ELEMENTS) {
                    noteCut(path, ((Map<?, ?>) value).size());
                    break;
                }
                String childKey = safeString(String.valueOf(entry.getKey()), path + ".key");
                out.put(childKey, snapshot(childKey, entry.getValue(), path + "." + childKey, depth + 1));
            }
            return Collections.unmodifiableMap(out);
        }
        if (value instanceof Collection) {
            return list(((Collection<?>) value).toArray(), path, depth);
        }
        if (value.getClass().isArray()) {
            int length = Array.getLength(value);
            Object[] elements = new Object[Math.min(length, MAX_ELEMENTS + 1)];
            for (int i = 0; i < elements.length; i++) {
                elements[i] = Array.get(value, i);
            }
            if (length > elements.length) {
                noteCut(path, length);
            }
            return list(elements, path, depth);
        }
        return safeString(describe(value), path);
    }

    private List<Object> list(Object[] elements, String path, int depth) {
        int kept = Math.min(elements.length, MAX_ELEMENTS);
        if (elements.length > MAX_ELEMENTS) {
            noteCut(path, elements.length);
        }
        List<Object> out = new ArrayList<>(kept);
        for (int i = 0; i < kept; i++) {
            out.add(snapshot(null, elements[i], path + "[" + i + "]", depth + 1));
        }
        return Collections.unmodifiableList(out);
    }

    private void noteCut(String path, int originalSize) {
        if (truncated == null) {
            truncated = new LinkedHashMap<>();
        }
        truncated.putIfAbsent(path, originalSize);
    }

    /** Keeps immutable numbers as they are; snapshots mutable ones; JSON has no NaN or infinity. */
    private Object number(Number n, String path) {
        if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte
                || n instanceof BigInteger || n instanceof BigDecimal) {
            return n;
        }
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            return Double.isFinite(d) ? n : String.valueOf(d);
        }
        if (n instanceof AtomicInteger || n instanceof AtomicLong) {
            return n.longValue();
        }
        return safeString(n.toString(), path);
    }

    /** {@code toString()} that never throws out of the logging call. */
    private static String describe(Object value) {
        try {
            return String.valueOf(value);
        } catch (RuntimeException e) {
            return "<toString() of " + value.getClass().getName() + " failed: " + e + ">";
        }
    }
}
