package io.stratal.logs.internal;

import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Set;

/**
 * An immutable map in one array of alternating keys and values: insertion order kept, {@code null} values
 * allowed, a fraction of the heap of a {@link java.util.LinkedHashMap}. Metadata objects are small and only
 * ever built once and read through, so lookups by scanning are fine; what matters is the heap each queued
 * record holds.
 */
public final class CompactMap extends AbstractMap<String, Object> implements RandomAccess {

    private static final CompactMap EMPTY = new CompactMap(new Object[0]);

    private final Object[] keysAndValues;

    private CompactMap(Object[] keysAndValues) {
        this.keysAndValues = keysAndValues;
    }

    /** A copy of {@code source}, in its iteration order. */
    public static CompactMap copyOf(Map<String, ?> source) {
        if (source instanceof CompactMap) {
            return (CompactMap) source;
        }
        if (source.isEmpty()) {
            return EMPTY;
        }
        Object[] array = new Object[source.size() * 2];
        int i = 0;
        for (Map.Entry<String, ?> entry : source.entrySet()) {
            array[i++] = entry.getKey();
            array[i++] = entry.getValue();
        }
        return new CompactMap(array);
    }

    /** A map over {@code keysAndValues} (key, value, key, value...), which the caller hands over and forgets. */
    static CompactMap wrap(Object[] keysAndValues) {
        return keysAndValues.length == 0 ? EMPTY : new CompactMap(keysAndValues);
    }

    /** The key of entry {@code index}, in insertion order; for walking the map without allocating. */
    public String keyAt(int index) {
        return (String) keysAndValues[2 * index];
    }

    /** The value of entry {@code index}, in insertion order; for walking the map without allocating. */
    public Object valueAt(int index) {
        return keysAndValues[2 * index + 1];
    }

    @Override
    public int size() {
        return keysAndValues.length / 2;
    }

    @Override
    public Object get(Object key) {
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i].equals(key)) {
                return keysAndValues[i + 1];
            }
        }
        return null;
    }

    @Override
    public boolean containsKey(Object key) {
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i].equals(key)) {
                return true;
            }
        }
        return false;
    }

    /** Heap of this map's own structure (not of its keys and values): header, field, array. */
    public long shallowBytes() {
        return 16 + 16 + 8L * keysAndValues.length;
    }

    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return keysAndValues.length / 2;
            }

            @Override
            public Iterator<Map.Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < keysAndValues.length;
                    }

                    @Override
                    public Map.Entry<String, Object> next() {
                        if (next >= keysAndValues.length) {
                            throw new NoSuchElementException();
                        }
                        Map.Entry<String, Object> entry = new SimpleImmutableEntry<>((String) keysAndValues[next], keysAndValues[next + 1]);
                        next += 2;
                        return entry;
                    }
                };
            }
        };
    }

    /**
     * The values in order, as a list read by index ({@link RandomAccess}, as the map itself says it is), made
     * for the call and not kept: {@code AbstractMap} would keep its view in the map, one more object for every
     * queued record whose heap estimate walks them.
     */
    @Override
    public List<Object> values() {
        return new ValueList(keysAndValues);
    }

    private static final class ValueList extends AbstractList<Object> implements RandomAccess {
        private final Object[] keysAndValues;

        ValueList(Object[] keysAndValues) {
            this.keysAndValues = keysAndValues;
        }

        @Override
        public Object get(int index) {
            Objects.checkIndex(index, keysAndValues.length / 2);
            return keysAndValues[index * 2 + 1];
        }

        @Override
        public int size() {
            return keysAndValues.length / 2;
        }
    }
}
