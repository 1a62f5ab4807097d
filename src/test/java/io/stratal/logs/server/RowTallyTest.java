package io.stratal.logs.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratal.logs.LogLevel;
import io.stratal.logs.LogType;
import io.stratal.logs.query.StoredLog;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RowTallyTest {

    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);
    private long id;

    private StoredLog row(String type, UUID jobRun, String level) {
        return new StoredLog(++id, type, jobRun, null, null, level, "stdout", "m", "{}");
    }

    @Test
    void countsRowsByTypeAndLevel() {
        RowTally tally = new RowTally(15 * MINUTE, 100);
        UUID run = UUID.randomUUID();
        tally.count(List.of(row("system", null, "info"), row("system", null, "info"), row("job", run, "error"),
                row("task", run, "warn"), row("task", run, "debug")), 0);

        assertThat(tally.rows(LogType.SYSTEM, LogLevel.INFO)).isEqualTo(2);
        assertThat(tally.rows(LogType.JOB, LogLevel.ERROR)).isEqualTo(1);
        assertThat(tally.rows(LogType.TASK, LogLevel.WARN)).isEqualTo(1);
        assertThat(tally.rows(LogType.TASK, LogLevel.DEBUG)).isEqualTo(1);
        assertThat(tally.rows(LogType.SYSTEM, LogLevel.ERROR)).isZero();
        assertThat(tally.unknownRows()).isZero();
    }

    @Test
    void aRowOfAnUnknownTypeOrLevelIsCountedApart() {
        RowTally tally = new RowTally(MINUTE, 100);
        tally.count(List.of(row("audit", null, "info"), row("system", null, "fatal")), 0);

        assertThat(tally.unknownRows()).isEqualTo(2);
        assertThat(tally.rows(LogType.SYSTEM, LogLevel.INFO)).isZero();
    }

    @Test
    void jobRunsCountWhileTheyLoggedWithinTheWindow() {
        RowTally tally = new RowTally(15 * MINUTE, 100);
        UUID quiet = UUID.randomUUID();
        UUID failing = UUID.randomUUID();
        UUID busy = UUID.randomUUID();
        tally.count(List.of(row("job", quiet, "info"), row("job", failing, "error"), row("system", null, "error")), 0);
        tally.count(List.of(row("task", busy, "info")), 10 * MINUTE);

        assertThat(tally.activeRuns(10 * MINUTE)).isEqualTo(3);
        assertThat(tally.runsWithErrors(10 * MINUTE)).isEqualTo(1);

        tally.count(List.of(row("job", quiet, "info")), 14 * MINUTE); // logs again: stays
        assertThat(tally.activeRuns(16 * MINUTE)).as("failing fell out of the window").isEqualTo(2);
        assertThat(tally.runsWithErrors(16 * MINUTE)).isZero();
        assertThat(tally.activeRuns(30 * MINUTE)).isZero();
    }

    @Test
    void aRunThatLoggedAnErrorEarlierAndInfoSinceStillCountsAsFailingUntilTheErrorLeavesTheWindow() {
        RowTally tally = new RowTally(15 * MINUTE, 100);
        UUID run = UUID.randomUUID();
        tally.count(List.of(row("job", run, "error")), 0);
        tally.count(List.of(row("job", run, "info")), 10 * MINUTE);

        assertThat(tally.runsWithErrors(14 * MINUTE)).isEqualTo(1);
        assertThat(tally.runsWithErrors(16 * MINUTE)).isZero();
        assertThat(tally.activeRuns(16 * MINUTE)).isEqualTo(1);
    }

    @Test
    void theRunsHeldAreCappedTheLongestQuietFirst() {
        RowTally tally = new RowTally(15 * MINUTE, 3);
        List<StoredLog> rows = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rows.add(row("job", UUID.randomUUID(), "error"));
        }
        tally.count(rows, 0);

        assertThat(tally.activeRuns(0)).isBetween(1, 3);
        assertThat(tally.runsWithErrors(0)).isEqualTo(tally.activeRuns(0));
        assertThat(tally.rows(LogType.JOB, LogLevel.ERROR)).isEqualTo(10);
    }

    @Test
    void atTheCapTheRunsQuietLongestGoNotTheOneSeenFirst() {
        RowTally tally = new RowTally(10 * MINUTE, 3);
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        tally.count(List.of(row("job", a, "info")), 0);
        tally.count(List.of(row("job", b, "info"), row("job", c, "info")), MINUTE);
        tally.count(List.of(row("job", a, "info")), 2 * MINUTE); // a logs again: b is now the quietest
        tally.count(List.of(row("job", UUID.randomUUID(), "info")), 3 * MINUTE); // one too many: b and c go

        // at 11.5 minutes what was last seen at minute 1 (c, and b had it stayed) is out of the window
        assertThat(tally.activeRuns(MINUTE * 23 / 2)).as("a and the newest; a would be gone had a gone first").isEqualTo(2);
    }

    @Test
    void typesAndLevelsAreToldApartExactly() {
        assertThat(RowTally.typeIndex("system")).isEqualTo(LogType.SYSTEM.ordinal());
        assertThat(RowTally.typeIndex("job")).isEqualTo(LogType.JOB.ordinal());
        assertThat(RowTally.typeIndex("task")).isEqualTo(LogType.TASK.ordinal());
        assertThat(RowTally.levelIndex("debug")).isEqualTo(LogLevel.DEBUG.ordinal());
        assertThat(RowTally.levelIndex("info")).isEqualTo(LogLevel.INFO.ordinal());
        assertThat(RowTally.levelIndex("warn")).isEqualTo(LogLevel.WARN.ordinal());
        assertThat(RowTally.levelIndex("error")).isEqualTo(LogLevel.ERROR.ordinal());
        for (String other : new String[] {"systex", "jab", "tusk", "", "audit"}) {
            assertThat(RowTally.typeIndex(other)).as(other).isEqualTo(-1);
        }
        for (String other : new String[] {"infx", "warm", "debig", "errar", "trace", "fatal", ""}) {
            assertThat(RowTally.levelIndex(other)).as(other).isEqualTo(-1);
        }
    }

    @Test
    void aRunFoundInTheCacheAfterItWasForgottenIsCountedAfresh() {
        RowTally tally = new RowTally(MINUTE, 100);
        UUID run = UUID.randomUUID();
        tally.count(List.of(row("job", run, "error")), 0);
        assertThat(tally.activeRuns(2 * MINUTE)).as("out of the window: forgotten").isZero();
        tally.count(List.of(row("job", run, "info")), 2 * MINUTE);

        assertThat(tally.activeRuns(2 * MINUTE)).isEqualTo(1);
        assertThat(tally.runsWithErrors(2 * MINUTE)).as("its error was before the window").isZero();
    }
}
