package io.stratal.logs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratal.logs.LogLevel;
import io.stratal.logs.LogRecord;
import io.stratal.logs.LogStream;
import io.stratal.logs.LogType;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The ids of a batch's parts and subsets: the same rows, the same id; other rows, another id. */
class BatchTest {

    private static LogRecord record(String message) {
        return new LogRecord(LogType.SYSTEM, null, null, Instant.now(), LogLevel.INFO, LogStream.SYSTEM, message, null);
    }

    private final Batch frame = new Batch(UUID.randomUUID(), List.of(record("a"), record("b"), record("c")), true);

    @Test
    void theSameRowsSplitOffAgainGetTheSameId() {
        Batch first = frame.subset("free", new int[] {0, 2}, List.of(frame.records().get(0), frame.records().get(2)));
        Batch again = frame.subset("free", new int[] {0, 2}, List.of(frame.records().get(0), frame.records().get(2)));
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(first.durable()).isTrue();
        assertThat(frame.part(1, 3).id()).isEqualTo(frame.part(1, 3).id());
    }

    @Test
    void otherRowsOfTheSameCountGetAnotherId() {
        // a frame read again after a crash can be split otherwise (other runs wait for a parent then): a subset
        // taken for the one written before would be skipped as already committed, and its rows lost
        Batch ac = frame.subset("free", new int[] {0, 2}, List.of(frame.records().get(0), frame.records().get(2)));
        Batch bc = frame.subset("free", new int[] {1, 2}, List.of(frame.records().get(1), frame.records().get(2)));
        assertThat(bc.id()).isNotEqualTo(ac.id());
        assertThat(frame.subset("without-parked", new int[] {0, 2}, ac.records()).id()).isNotEqualTo(ac.id());
        assertThat(ac.id()).isNotEqualTo(frame.id());
    }

    @Test
    void positionsMustMatchTheRecords() {
        assertThatThrownBy(() -> frame.subset("free", new int[] {0}, frame.records()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 position(s) for 3 record(s)");
    }
}
