package io.stratal.logs.internal.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratal.logs.pipeline.WriteException.Kind;
import java.io.EOFException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SqlStatesTest {

    @ParameterizedTest
    @CsvSource({
            "08006, UNAVAILABLE", "08001, UNAVAILABLE", "57P01, UNAVAILABLE", "53300, UNAVAILABLE",
            "53100, UNAVAILABLE", "40001, UNAVAILABLE", "42P01, UNAVAILABLE", "42501, UNAVAILABLE",
            "22021, DATA", "22P05, DATA", "23503, FOREIGN_KEY", "23514, OTHER", "23502, OTHER"})
    void statesSortIntoKinds(String state, Kind kind) {
        assertThat(SqlStates.classify(new SQLException("x", state))).isEqualTo(kind);
    }

    @Test
    void theStateIsFoundBehindABatchException() {
        BatchUpdateException batch = new BatchUpdateException("Batch entry 3 was aborted", null, 0, new int[0]);
        batch.setNextException(new SQLException("invalid byte sequence", "22021"));
        assertThat(SqlStates.classify(batch)).isEqualTo(Kind.DATA);
    }

    @Test
    void withoutAStateTheBatchIsKeptNotBlamedOnItsRows() {
        assertThat(SqlStates.classify(new SQLException("closed", null, new EOFException()))).isEqualTo(Kind.UNAVAILABLE);
        assertThat(SqlStates.classify(new SQLException("HikariDataSource (x) has been closed."))).isEqualTo(Kind.UNAVAILABLE);
    }
}
