package io.stratal.logs.query;

import io.stratal.logs.LogType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class PageRequestTest {

    @Test
    void absentParametersGiveTheFirstHundredRows() {
        assertThat(PageRequest.parse(null, "", " ")).isEqualTo(new PageRequest(100, 0, null));
    }

    @Test
    void aLimitAboveTheCapIsLoweredToIt() {
        assertThat(PageRequest.parse("5000", "20", null)).isEqualTo(new PageRequest(1000, 20, null));
        assertThat(PageRequest.parse("99999999999999", null, null).limit()).isEqualTo(1000);
    }

    @Test
    void eachBadParameterIsNamedWithItsReason() {
        assertThatThrownBy(() -> PageRequest.parse("ten", null, null)).isInstanceOf(InvalidParameterException.class)
                .hasMessage("limit: 'ten' is not a whole number")
                .extracting(e -> ((InvalidParameterException) e).parameter()).isEqualTo("limit");
        assertThatThrownBy(() -> PageRequest.parse("0", null, null)).hasMessage("limit: must be at least 1, was 0");
        assertThatThrownBy(() -> PageRequest.parse("-3", null, null)).hasMessage("limit: must be at least 1, was -3");
        assertThatThrownBy(() -> PageRequest.parse(null, "-1", null)).hasMessage("offset: must be 0 or more, was -1");
        assertThatThrownBy(() -> PageRequest.parse(null, "1.5", null)).hasMessage("offset: '1.5' is not a whole number");
        assertThatThrownBy(() -> PageRequest.parse(null, null, "%%%"))
                .hasMessageStartingWith("cursor: '%%%' is not a cursor this server gave out");
    }

    @Test
    void anOffsetAndACursorTogetherAreRefused() {
        String cursor = new Cursor(LocalDateTime.of(2026, 1, 2, 3, 4, 5), 7).encode();
        assertThatThrownBy(() -> PageRequest.parse(null, "10", cursor)).hasMessage("cursor: give either offset or cursor, not both");
        assertThat(PageRequest.parse(null, "0", cursor).cursor().id()).isEqualTo(7);
    }

    @Test
    void cursorsRoundTripToTheMicrosecondIncludingNullTimestampsAndDatesBefore1970() {
        for (Cursor cursor : new Cursor[] {
                new Cursor(LocalDateTime.of(2026, 11, 29, 0, 26, 4, 123_456_000), 42),
                new Cursor(LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_999_000), 1),
                new Cursor(null, Long.MAX_VALUE)}) {
            assertThat(Cursor.decode("cursor", cursor.encode())).isEqualTo(cursor);
        }
        assertThat(new Cursor(LocalDateTime.of(2026, 1, 1, 0, 0), 5).encode()).matches("[A-Za-z0-9_-]+");
    }

    @Test
    void aCursorThatDecodesButIsNotOursIsRefused() {
        String notOurs = java.util.Base64.getUrlEncoder().encodeToString("hello".getBytes());
        assertThatThrownBy(() -> Cursor.decode("cursor", notOurs)).isInstanceOf(InvalidParameterException.class);
        String badId = java.util.Base64.getUrlEncoder().encodeToString("5:x".getBytes());
        assertThatThrownBy(() -> Cursor.decode("cursor", badId)).isInstanceOf(InvalidParameterException.class);
    }

    @Test
    void idsAndTypesAreParsedStrictly() {
        assertThat(LogFilter.parseId("job_run_id", " 123e4567-e89b-12d3-a456-426614174000 ").toString())
                .isEqualTo("123e4567-e89b-12d3-a456-426614174000");
        assertThatThrownBy(() -> LogFilter.parseId("job_run_id", "1-2-3-4-5"))
                .hasMessageStartingWith("job_run_id: '1-2-3-4-5' is not a UUID");
        assertThat(LogFilter.parseType("type", "task")).isEqualTo(io.stratal.logs.LogType.TASK);
        assertThatThrownBy(() -> LogFilter.parseType("type", "TASKS"))
                .hasMessage("type: 'TASKS' is not a log type (expected system, job or task)");
    }
}
