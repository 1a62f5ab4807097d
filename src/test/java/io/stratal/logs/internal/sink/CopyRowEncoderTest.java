package io.stratal.logs.internal.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stratal.logs.LogLevel;
import io.stratal.logs.LogRecord;
import io.stratal.logs.LogStream;
import io.stratal.logs.LogType;
import io.stratal.logs.internal.CompactMap;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The metadata JSON the encoder writes straight into COPY text reads back as what Jackson would have written. */
class CopyRowEncoderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the server reads from a COPY text value: the escapes undone. */
    private static String unescapeCopy(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char next = text.charAt(++i);
            out.append(switch (next) {
                case 't' -> '\t';
                case 'n' -> '\n';
                case 'r' -> '\r';
                case '\\' -> '\\';
                default -> throw new AssertionError("unexpected COPY escape \\" + next + " in " + text);
            });
        }
        return out.toString();
    }

    private static JsonNode encoded(Object value) throws Exception {
        CopyBuffer buffer = new CopyBuffer(8);
        CopyRowEncoder.json(value, buffer);
        String copyText = new String(buffer.array(), 0, buffer.size(), StandardCharsets.UTF_8);
        assertThat(copyText).doesNotContain("\t").doesNotContain("\n").doesNotContain("\r");
        return JSON.readTree(unescapeCopy(copyText));
    }

    @Test
    void everyJsonShapeOfTheMetadataTreeReadsBackAsJacksonWritesIt() throws Exception {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("list", new ArrayList<>(Arrays.asList(1, "two", null, true, 2.5)));
        nested.put("empty", Map.of());
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("status_code", 500);
        user.put("negative", -9_876_543_210L);
        user.put("min", Long.MIN_VALUE);
        user.put("short", (short) 7);
        user.put("double", 0.1);
        user.put("tiny", 1.0E-7);
        user.put("float", 1.5f);
        user.put("decimal", new BigDecimal("12345678901234567890.125"));
        user.put("big", new BigInteger("123456789012345678901234567890"));
        user.put("flag", false);
        user.put("none", null);
        user.put("text", "quote \" backslash \\ tab \t newline \n cr \r bell \u0007 del \u007f");
        user.put("unicode", "é ß 日本 \uD83D\uDE00");
        user.put("we\"ird\\key", "v");
        user.put("nested", CompactMap.copyOf(nested));
        user.put("plain", nested);
        Object tree = CompactMap.copyOf(user);

        assertThat(encoded(tree)).isEqualTo(JSON.readTree(JSON.writeValueAsString(tree)));
    }

    /** The metadata column of one encoded row, as the server reads it. */
    private static JsonNode metadataColumn(LogRecord record) throws Exception {
        CopyBuffer buffer = new CopyBuffer(8);
        new CopyRowEncoder().encode(record, buffer);
        String line = new String(buffer.array(), 0, buffer.size(), StandardCharsets.UTF_8);
        String[] columns = line.substring(0, line.length() - 1).split("\t", -1);
        assertThat(columns).hasSize(8);
        return columns[7].equals("\\N") ? null : JSON.readTree(unescapeCopy(columns[7]));
    }

    private static LogRecord record(String logger, String thread, Map<String, Object> held) {
        return new LogRecord(LogType.SYSTEM, null, null, Instant.parse("2026-01-02T03:04:05.123456Z"), LogLevel.INFO,
                LogStream.SYSTEM, "m", logger, thread, held);
    }

    @Test
    void aRecordThatKeepsItsLoggerAndThreadApartIsWrittenAsItsWholeMetadata() throws Exception {
        Map<String, Object> notes = new LinkedHashMap<>();
        notes.put("markers", List.of("AUDIT"));
        notes.put("repaired", List.of("message"));
        Map<String, Object> held = new LinkedHashMap<>();
        held.put("rows", 250);
        held.put("log", CompactMap.copyOf(notes));
        held.put("source", "s3://bucket/\"key\"");
        List<LogRecord> records = List.of(
                record("com.example.Importer", "worker-1", CompactMap.copyOf(held)),
                record("com.example.Importer", "worker \t 2", null),
                record(null, "worker-3", CompactMap.copyOf(Map.of("only", "user"))),
                record("com.example.Importer", null, CompactMap.copyOf(Map.of("log", CompactMap.copyOf(notes)))),
                record(null, null, null));
        for (LogRecord record : records) {
            JsonNode expected = record.metadata() == null ? null : JSON.readTree(JSON.writeValueAsString(record.metadata()));
            assertThat(metadataColumn(record)).as(record.toString()).isEqualTo(expected);
        }
        assertThat(metadataColumn(records.get(0)).get("log").get("logger").textValue()).isEqualTo("com.example.Importer");
        assertThat(metadataColumn(records.get(0)).get("log").get("markers").get(0).textValue()).isEqualTo("AUDIT");
        assertThat(metadataColumn(records.get(1)).get("log").get("thread").textValue()).isEqualTo("worker \t 2");
    }

    @Test
    void aLoneSurrogateBecomesTheReplacementCharacter() throws Exception {
        assertThat(encoded("a\uD800b").textValue()).isEqualTo("a\uFFFDb");
        assertThat(encoded(List.of("\uDC00")).get(0).textValue()).isEqualTo("\uFFFD");
    }

    @Test
    void numbersThatJsonCannotHoldAreWrittenAsStrings() throws Exception {
        assertThat(encoded(Double.NaN).textValue()).isEqualTo("NaN");
        assertThat(encoded(Float.NEGATIVE_INFINITY).textValue()).isEqualTo("-Infinity");
    }
}
