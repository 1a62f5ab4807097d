package io.stratal.logs.query;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What narrows a read within its run, task or type: levels, streams, a time range, a text in the message,
 * and metadata values. Every condition is optional; those given are ANDed. The same conditions select rows
 * in SQL ({@link LogReader}) and rows that arrive by stream ({@link #matches}).
 *
 * @param levels  the levels wanted ({@code debug info warn error}), empty for all
 * @param streams the streams wanted ({@code stdout stderr system}), empty for all
 * @param since   UTC, inclusive; {@code null} for no lower bound
 * @param until   UTC, exclusive; {@code null} for no upper bound
 * @param text    a case-insensitive substring of the message, taken literally; {@code null} for any
 * @param meta    top-level metadata keys and the value each must have, as text
 */
public record LogConditions(Set<String> levels, Set<String> streams, LocalDateTime since, LocalDateTime until,
                            String text, Map<String, String> meta) {

    /** No condition: every row of the selection. */
    public static final LogConditions NONE = new LogConditions(Set.of(), Set.of(), null, null, null, Map.of());

    /** The query parameters {@link #parse} reads, besides the {@code meta.<key>} family. */
    public static final List<String> PARAMETERS = List.of("level", "stream", "since", "until", "q");

    /** A longer text than this in {@code q} is refused; a message search needs no more. */
    static final int MAX_TEXT_LENGTH = 1000;
    private static final Set<String> LEVELS = Set.of("debug", "info", "warn", "error");
    private static final Set<String> STREAMS = Set.of("stdout", "stderr", "system");
    /** The level and stream words, plain lower-case letters: safe to write into SQL as they are. */
    static final Set<String> KNOWN_WORDS = Stream.concat(LEVELS.stream(), STREAMS.stream()).collect(Collectors.toUnmodifiableSet());
    private static final String META_PREFIX = "meta.";
    private static final JsonFactory JSON = JsonFactory.builder().build();

    /**
     * Copies the sets and the map.
     *
     * @param levels   the levels wanted ({@code debug}...), or empty for all
     * @param streams  the streams wanted, or empty for all
     * @param since    the earliest timestamp (UTC), or {@code null}
     * @param until    the timestamp before which rows end (UTC), or {@code null}
     * @param text     a literal substring of the message, case-insensitive, or {@code null}
     * @param meta     top-level metadata keys and the text values they must have
     */
    public LogConditions {
        levels = Set.copyOf(levels);
        streams = Set.copyOf(streams);
        meta = Map.copyOf(meta);
    }

    /** {@return true when the conditions select every row} */
    public boolean isEmpty() {
        return equals(NONE);
    }

    /**
     * Reads {@code level}, {@code stream}, {@code since}, {@code until}, {@code q} and {@code meta.<key>}
     * from query parameters (each given once); a value it cannot use is an {@link InvalidParameterException}
     * naming the parameter.
     *
     * @param parameters the query parameters, each with its values
     * @return the conditions
     */
    public static LogConditions parse(Map<String, List<String>> parameters) {
        Set<String> levels = words("level", first(parameters, "level"), LEVELS);
        Set<String> streams = words("stream", first(parameters, "stream"), STREAMS);
        LocalDateTime since = instant("since", first(parameters, "since"));
        LocalDateTime until = instant("until", first(parameters, "until"));
        if (since != null && until != null && !since.isBefore(until)) {
            throw new InvalidParameterException("until", "must be after since");
        }
        String text = first(parameters, "q");
        if (text != null && text.isEmpty()) {
            text = null;
        }
        if (text != null && text.length() > MAX_TEXT_LENGTH) {
            throw new InvalidParameterException("q", "is longer than " + MAX_TEXT_LENGTH + " characters");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> parameter : parameters.entrySet()) {
            if (parameter.getKey().startsWith(META_PREFIX)) {
                String key = parameter.getKey().substring(META_PREFIX.length());
                if (key.isEmpty()) {
                    throw new InvalidParameterException(parameter.getKey(), "name the metadata key: meta.<key>=<value>");
                }
                meta.put(key, parameter.getValue().isEmpty() ? "" : parameter.getValue().get(0));
            }
        }
        return new LogConditions(levels, streams, since, until, text, meta);
    }

    private static String first(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static Set<String> words(String parameter, String text, Set<String> allowed) {
        if (text == null || text.isBlank()) {
            return Set.of();
        }
        Set<String> words = new LinkedHashSet<>();
        for (String word : text.split(",")) {
            String w = word.trim().toLowerCase(Locale.ROOT);
            if (!allowed.contains(w)) {
                throw new InvalidParameterException(parameter, "'" + InvalidParameterException.shorten(word.trim())
                        + "' is not one of " + String.join(", ", allowed.stream().sorted().toList()));
            }
            words.add(w);
        }
        return words;
    }

    /** RFC 3339 with an offset or {@code Z}, as UTC wall-clock time (the column's). */
    private static LocalDateTime instant(String parameter, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text.trim()).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
        } catch (DateTimeParseException e) {
            throw new InvalidParameterException(parameter, "'" + InvalidParameterException.shorten(text)
                    + "' is not an RFC 3339 time with an offset, such as 2026-11-29T08:00:00Z");
        }
    }

    /**
     * {@return whether {@code log} meets every condition: rows that arrive by stream are checked here}
     *
     * @param log a row
     */
    public boolean matches(StoredLog log) {
        if (!levels.isEmpty() && !levels.contains(log.level())) {
            return false;
        }
        if (!streams.isEmpty() && !streams.contains(log.stream())) {
            return false;
        }
        if ((since != null || until != null) && log.timestamp() == null) {
            return false;
        }
        if (since != null && log.timestamp().isBefore(since)) {
            return false;
        }
        if (until != null && !log.timestamp().isBefore(until)) {
            return false;
        }
        if (text != null && (log.message() == null
                || !log.message().toLowerCase(Locale.ROOT).contains(text.toLowerCase(Locale.ROOT)))) {
            return false;
        }
        for (Map.Entry<String, String> entry : meta.entrySet()) {
            if (!entry.getValue().equals(topLevelText(log.metadataJson(), entry.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * What {@code metadata ->> key} gives for a top-level scalar: a string as it is, a number or boolean as
     * written; {@code null} for a missing key, a JSON null, or an object or array (which a filter by value
     * does not select).
     */
    static String topLevelText(String json, String key) {
        if (json == null) {
            return null;
        }
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals(key)) {
                    return switch (value) {
                        case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getText();
                        case VALUE_TRUE -> "true";
                        case VALUE_FALSE -> "false";
                        default -> null;
                    };
                }
                parser.skipChildren();
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }
}
