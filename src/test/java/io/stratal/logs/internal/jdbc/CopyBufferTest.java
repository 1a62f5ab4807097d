package io.stratal.logs.internal.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
    void theEscapingStreamDoublesBackslashesOfJson() throws IOException {
        CopyBuffer buffer = new CopyBuffer(1);
        buffer.escaping().write("{\"a\":\"x\\\"y\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(contents(buffer)).isEqualTo("{\"a\":\"x\\\\\"y\"}");
    }

    @Test
    void timestampsAreUtcWithSixFractionDigits() {
        CopyBuffer buffer = new CopyBuffer(1);
        CopyRowEncoder.timestamp(Instant.parse("2026-01-02T03:04:05.000007891Z"), buffer);
        assertThat(contents(buffer)).isEqualTo("2026-01-02 03:04:05.000007");
    }
}
