package io.stratal.logs.internal;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
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
 * differently from what was logged. A builder is used by one thread, for one record at a time;
 * {@link #reset()} makes it ready for the next.
 *
 * <p>This runs for every log call, so the common case allocates little: entries go straight into arrays,
 * and the path of a value ({@code config.password}) is only spelled out when something has to be noted.
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
    private final Entries user;
    private final Entries log = new Entries(4);
    private List<String> repaired;
    private Map<String, Object> truncated;
    private List<String> redacted;
    private Map<String, Object> invalidIds;

    public MetadataBuilder(Redaction redaction, int maxStringLength) {
        this(redaction, maxStringLength, 8);
    }

    /** A builder expecting about {@code expectedEntries} user entries, so it need not grow. */
    public MetadataBuilder(Redaction redaction, int maxStringLength, int expectedEntries) {
        this.redaction = redaction;
        this.maxStringLength = maxStringLength;
        this.user = new Entries(expectedEntries + 1); // and the log entry
    }

    /**
     * Makes the builder ready for another record, keeping its working arrays: a logging thread reuses one
     * builder for all its calls. What {@link #build()} returned before stays untouched, as it is a copy.
     */
    public MetadataBuilder reset() {
        user.clear();
        log.clear();
        repaired = null;
        truncated = null;
        redacted = null;
        invalidIds = null;
        return this;
    }

    /** Sets a top-level user entry, replacing an earlier one of the same key. */
    public MetadataBuilder put(String key, Object value) {
        String safeKey = safeString(key, null, "key", -1);
        if (LOG_KEY.equals(safeKey)) {
            safeKey = USER_LOG_KEY;
        }
        user.put(safeKey, snapshot(true, value, null, safeKey, -1, 0));
        return this;
    }

    /** Sets an entry under {@code log} (logger, thread, markers, exception...). Not redacted. */
    public MetadataBuilder putLog(String key, Object value) {
        log.put(key, snapshot(false, value, LOG_KEY, key, -1, 0));
        return this;
    }

    /** Whether {@code value} would be stored unchanged: safe for PostgreSQL and within the length cap. */
    public boolean isStorableAsIs(String value) {
        return value.length() <= maxStringLength && SafeText.isSafe(value);
    }

    /**
     * Makes a string field of the row itself (the message) safe and short enough, noting what changed under
     * {@code field}.
     */
    public String safeField(String value, String field) {
        return safeString(value, null, field, -1);
    }

    /** Notes that a value at {@code path} ({@code message}, {@code log.exception}) had secrets masked. */
    public MetadataBuilder noteRedacted(String path) {
        if (redacted == null) {
            redacted = new ArrayList<>(2);
        }
        redacted.add(path);
        return this;
    }

    /** Notes that a row id could not be stored as given: {@code log.invalid_ids.<column> = raw}. */
    public MetadataBuilder noteInvalidId(String column, String raw) {
        if (invalidIds == null) {
            invalidIds = new LinkedHashMap<>();
        }
        invalidIds.put(column, safeString(raw, "log.invalid_ids", column, -1));
        return this;
    }

    /**
     * A copy of {@code metadata} with {@code key} set under {@code log}: for notes added after the record was
     * built, such as a parent id that never appeared. {@code value} must be JSON-shaped and safe already.
     */
    public static Map<String, Object> withLogEntry(Map<String, Object> metadata, String key, Object value) {
        Map<String, Object> out = metadata == null ? new LinkedHashMap<>() : new LinkedHashMap<>(metadata);
        Object existing = out.get(LOG_KEY);
        Map<String, Object> notes = existing instanceof Map ? new LinkedHashMap<>(castMap(existing)) : new LinkedHashMap<>();
        notes.put(key, value);
        out.put(LOG_KEY, CompactMap.copyOf(notes));
        return CompactMap.copyOf(out);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object map) {
        return (Map<String, Object>) map;
    }

    /** The finished object, or {@code null} when there is nothing to store. */
    public Map<String, Object> build() {
        if (invalidIds != null) {
            log.put("invalid_ids", CompactMap.copyOf(invalidIds));
        }
        if (repaired != null) {
            log.put("repaired", List.copyOf(repaired));
        }
        if (truncated != null) {
            log.put("truncated", CompactMap.copyOf(truncated));
        }
        if (redacted != null) {
            log.put("redacted", List.copyOf(redacted));
        }
        if (user.size == 0 && log.size == 0) {
            return null;
        }
        if (log.size > 0) {
            user.put(LOG_KEY, log.copyToMap());
        }
        return user.copyToMap();
    }

    /** The path of a value for notes: {@code parent.key}, {@code parent[index]}, or just {@code key}. */
    private static String path(String parent, String key, int index) {
        if (index >= 0) {
            return parent + "[" + index + "]";
        }
        return parent == null ? key : parent + "." + key;
    }

    private String safeString(String value, String parent, String key, int index) {
        String safe = value;
        if (!SafeText.isSafe(safe)) {
            safe = SafeText.repair(safe);
            if (repaired == null) {
                repaired = new ArrayList<>(2);
            }
            repaired.add(path(parent, key, index));
        }
        if (safe.length() > maxStringLength) {
            noteCut(path(parent, key, index), safe.length());
            safe = SafeText.cut(safe, maxStringLength);
        }
        return safe;
    }

    /**
     * Turns any value into an immutable JSON-shaped tree. The value sits at {@code parent.key} (or
     * {@code parent[index]}); {@code redact} says whether its key is a user's key that may name a secret.
     */
    private Object snapshot(boolean redact, Object value, String parent, String key, int index, int depth) {
        if (redact && index < 0 && value != null && redaction.isSecret(key)) {
            if (redacted == null) {
                redacted = new ArrayList<>(2);
            }
            redacted.add(path(parent, key, index));
            return Redaction.MASK;
        }
        if (value == null || value instanceof Boolean) {
            return value;
        }
        if (value instanceof String) {
            return safeString((String) value, parent, key, index);
        }
        if (value instanceof Number) {
            return number((Number) value, parent, key, index);
        }
        if (depth >= MAX_DEPTH) {
            return safeString(describe(value), parent, key, index);
        }
        String here = path(parent, key, index);
        if (value instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) value;
            Entries out = new Entries(Math.min(map.size(), MAX_ELEMENTS));
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (out.size == MAX_ELEMENTS) {
                    noteCut(here, map.size());
                    break;
                }
                String childKey = safeString(String.valueOf(entry.getKey()), here, "key", -1);
                out.put(childKey, snapshot(redact, entry.getValue(), here, childKey, -1, depth + 1));
            }
            return out.toMap();
        }
        if (value instanceof Collection) {
            return list(redact, ((Collection<?>) value).toArray(), here, depth);
        }
        if (value.getClass().isArray()) {
            int length = Array.getLength(value);
            Object[] elements = new Object[Math.min(length, MAX_ELEMENTS + 1)];
            for (int i = 0; i < elements.length; i++) {
                elements[i] = Array.get(value, i);
            }
            if (length > elements.length) {
                noteCut(here, length);
            }
            return list(redact, elements, here, depth);
        }
        return safeString(describe(value), parent, key, index);
    }

    private List<Object> list(boolean redact, Object[] elements, String here, int depth) {
        int kept = Math.min(elements.length, MAX_ELEMENTS);
        if (elements.length > MAX_ELEMENTS) {
            noteCut(here, elements.length);
        }
        List<Object> out = new ArrayList<>(kept);
        for (int i = 0; i < kept; i++) {
            out.add(snapshot(redact, elements[i], here, null, i, depth + 1));
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
    private Object number(Number n, String parent, String key, int index) {
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
        return safeString(n.toString(), parent, key, index);
    }

    /** {@code toString()} that never throws out of the logging call. */
    private static String describe(Object value) {
        try {
            return String.valueOf(value);
        } catch (RuntimeException e) {
            return "<toString() of " + value.getClass().getName() + " failed: " + e + ">";
        }
    }

    /**
     * Keys and values in insertion order, interleaved in one array as {@link CompactMap} keeps them. A
     * repeated key replaces the earlier value.
     */
    private static final class Entries {
        private Object[] keysAndValues;
        private int size;

        Entries(int capacity) {
            keysAndValues = new Object[Math.max(capacity, 1) * 2];
        }

        void put(String key, Object value) {
            for (int i = 0; i < size * 2; i += 2) {
                if (keysAndValues[i].equals(key)) {
                    keysAndValues[i + 1] = value;
                    return;
                }
            }
            if (size * 2 == keysAndValues.length) {
                keysAndValues = Arrays.copyOf(keysAndValues, keysAndValues.length * 2);
            }
            keysAndValues[2 * size] = key;
            keysAndValues[2 * size + 1] = value;
            size++;
        }

        /** A map over the array, handed over when exactly full (entries made for one map only). */
        CompactMap toMap() {
            return CompactMap.wrap(size * 2 == keysAndValues.length ? keysAndValues : Arrays.copyOf(keysAndValues, size * 2));
        }

        /** A map of its own, exactly sized: the working array stays, for the builder's next record. */
        CompactMap copyToMap() {
            return CompactMap.wrap(Arrays.copyOf(keysAndValues, size * 2));
        }

        void clear() {
            Arrays.fill(keysAndValues, 0, size * 2, null);
            size = 0;
        }
    }
}
