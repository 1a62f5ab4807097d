package io.stratal.logs.internal.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CopyBufferTest {

    private static String contents(CopyBuffer buffer) {
        return new String(buffer.array(), 0, buffer.size(), StandardCharsets.UTF_8);
    }

    @Test
    void copySpecialCharactersAreEscaped() {
        CopyBuffer buffer = new CopyBuffer(4);
        buffer.text("a\tb\nc\rd\\e \\N");
        assertThat(contents(buffer)).isEqualTo("a\\tb\\nc\\rd\\\\e \\\\N");
    }

    @Test
    void textIsEncodedAsUtf8IncludingSupplementaryCharacters() {
        CopyBuffer buffer = new CopyBuffer(1);
        String text = "é ß 日本 \uD83D\uDE00 \uFFFD";
        buffer.text(text);
        assertThat(contents(buffer)).isEqualTo(text);
    }

    @Test
    void jsonStringsHaveTheirEscapesBackslashesDoubledForCopy() {
        CopyBuffer buffer = new CopyBuffer(1);
        buffer.jsonString("x\"y\\z\n\u0001");
        assertThat(contents(buffer)).isEqualTo("\"x\\\\\"y\\\\\\\\z\\\\n\\\\u0001\"");
    }

    @Test
    void uuidsNumbersAndDigitsAreWrittenWithoutAString() {
        CopyBuffer buffer = new CopyBuffer(1);
        java.util.UUID id = java.util.UUID.fromString("0123e4f7-e89b-02d3-a456-42661417400f");
        buffer.uuid(id);
        buffer.raw((byte) ' ');
        buffer.decimal(0);
        buffer.raw((byte) ' ');
        buffer.decimal(-9_876_543_210L);
        buffer.raw((byte) ' ');
        buffer.decimal(Long.MIN_VALUE);
        buffer.raw((byte) ' ');
        buffer.digits(7, 3);
        assertThat(contents(buffer)).isEqualTo(id + " 0 -9876543210 " + Long.MIN_VALUE + " 007");
    }

    @Test
    void timestampsAreUtcWithSixFractionDigits() {
        CopyBuffer buffer = new CopyBuffer(1);
        new CopyRowEncoder().timestamp(Instant.parse("2026-01-02T03:04:05.000007891Z"), buffer);
        assertThat(contents(buffer)).isEqualTo("2026-01-02 03:04:05.000007");
    }

    @Test
    void timestampsOfTheSameSecondAndOfOthersFollowEachOtherCorrectly() {
        CopyRowEncoder encoder = new CopyRowEncoder();
        CopyBuffer buffer = new CopyBuffer(1);
        for (String at : new String[] {"2026-01-02T03:04:05.1Z", "2026-01-02T03:04:05.999999Z", "2026-01-02T03:04:06Z",
                "+12026-01-02T03:04:05Z", "2026-01-02T03:04:06.5Z", "1969-12-31T23:59:59.25Z"}) {
            encoder.timestamp(Instant.parse(at), buffer);
            buffer.raw((byte) '|');
        }
        assertThat(contents(buffer)).isEqualTo("2026-01-02 03:04:05.100000|2026-01-02 03:04:05.999999|2026-01-02 03:04:06.000000|"
                + "+12026-01-02 03:04:05|2026-01-02 03:04:06.500000|1969-12-31 23:59:59.250000|");
    }

    @Test
    void rowsOfTheSameSecondFormatItOnce() {
        CopyRowEncoder encoder = new CopyRowEncoder();
        CopyBuffer buffer = new CopyBuffer(1);
        for (int i = 0; i < 100; i++) {
            encoder.timestamp(Instant.parse("2026-01-02T03:04:05Z").plusNanos(i * 1000L), buffer);
        }
        encoder.timestamp(Instant.parse("2026-01-02T03:04:06Z"), buffer);
        assertThat(encoder.formattedSeconds).isEqualTo(2);
        assertThat(contents(buffer)).startsWith("2026-01-02 03:04:05.0000002026-01-02 03:04:05.000001")
                .endsWith("2026-01-02 03:04:05.0000992026-01-02 03:04:06.000000");
    }
}
