package io.stratal.logs.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.stratal.logs.LogType;
import io.stratal.logs.schema.Migrations;
import io.stratal.logs.names.TableName;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.TestDatabase;
import java.sql.Connection;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The read queries on the migrated schema: what each selects, its order, and both ways of paging. */
@Timeout(60)
class LogReaderIT {

    private static final LocalDateTime T0 = LocalDateTime.of(2026, 11, 29, 8, 0);

    @RegisterExtension
    final DatabaseExtension database = new DatabaseExtension();
    private TestDatabase db;
    private LogReader reader;
    private UUID jobA;
    private UUID jobB;
    private UUID taskA1;
    private UUID taskA2;

    @BeforeEach
    void setUp() throws Exception {
        assumeFalse(TestDatabase.partitioned(), "the rows without a timestamp of this fixture cannot be in a partitioned"
                + " table; PartitionedReadsIT compares these reads on both tables");
        db = database.get().migrated();
        reader = new LogReader(db.dataSource(), TableName.parseOrNull("logs"));
        jobA = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('a') RETURNING id");
        jobB = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('b') RETURNING id");
        taskA1 = (UUID) db.scalar("INSERT INTO task_runs (job_run_id, task_name) VALUES ('" + jobA + "', 'a1') RETURNING id");
        taskA2 = (UUID) db.scalar("INSERT INTO task_runs (job_run_id, task_name) VALUES ('" + jobA + "', 'a2') RETURNING id");
    }

    /** Inserts in an order unlike the timestamps, with ties, so (timestamp, id) order is really tested. */
    private void insertMixedRows() {
        insert("system", null, null, 5, "system late");
        insert("job", jobA, null, 1, "job A starts");
        insert("task", jobA, taskA2, 3, "A2 tie first");
        insert("task", jobA, taskA1, 2, "A1 runs");
        insert("task", jobA, taskA2, 3, "A2 tie second");
        insert("job", jobB, null, 1, "job B starts");
        insert("system", null, null, 0, "system early");
        insert("task", jobA, taskA1, null, "A1 without a timestamp");
        insert("job", jobA, null, 9, "job A ends");
        insert("task", jobA, taskA1, 3, "A1 tie third");
    }

    private void insert(String type, UUID job, UUID task, Integer minute, String message) {
        db.execute("INSERT INTO logs (type, job_run_id, task_run_id, timestamp, message, metadata) VALUES ('" + type + "', "
                + literal(job) + ", " + literal(task) + ", "
                + (minute == null ? "NULL" : "'" + T0.plusMinutes(minute) + "'") + ", '" + message + "', '{\"n\": 1}')");
    }

    private static String literal(UUID id) {
        return id == null ? "NULL" : "'" + id + "'";
    }

    private static List<String> messages(LogPage page) {
        return page.logs().stream().map(StoredLog::message).toList();
    }

    @Test
    void aJobRunsLogsAreItsOwnAndItsTasksInTimestampThenIdOrderWithNullTimestampsLast() throws Exception {
        insertMixedRows();
        LogPage page = reader.page(LogFilter.jobRun(jobA), PageRequest.first(100));

        assertThat(messages(page)).containsExactly("job A starts", "A1 runs", "A2 tie first", "A2 tie second",
                "A1 tie third", "job A ends", "A1 without a timestamp");
        assertThat(page.hasMore()).isFalse();
        assertThat(page.nextCursor()).isNull();
        StoredLog first = page.logs().get(0);
        assertThat(first.type()).isEqualTo("job");
        assertThat(first.jobRunId()).isEqualTo(jobA);
        assertThat(first.taskRunId()).isNull();
        assertThat(first.timestamp()).isEqualTo(T0.plusMinutes(1));
        assertThat(first.level()).isEqualTo("info");
        assertThat(first.stream()).isEqualTo("system");
        assertThat(first.metadataJson()).isEqualTo("{\"n\": 1}");
    }

    @Test
    void eachEndpointsQuerySelectsItsRows() throws Exception {
        insertMixedRows();
        assertThat(messages(reader.page(LogFilter.taskRun(taskA1), PageRequest.first(100))))
                .containsExactly("A1 runs", "A1 tie third", "A1 without a timestamp");
        assertThat(messages(reader.page(LogFilter.system(), PageRequest.first(100))))
                .containsExactly("system early", "system late");
        assertThat(messages(reader.page(LogFilter.ofType(LogType.JOB), PageRequest.first(100))))
                .containsExactly("job A starts", "job B starts", "job A ends");
        assertThat(reader.page(LogFilter.all(), PageRequest.first(100)).logs()).hasSize(10);
    }

    @Test
    void anIdThatMatchesNothingGivesAnEmptyPage() throws Exception {
        insertMixedRows();
        LogPage page = reader.page(LogFilter.jobRun(UUID.randomUUID()), PageRequest.first(100));
        assertThat(page.logs()).isEmpty();
        assertThat(page.hasMore()).isFalse();
    }

    @Test
    void offsetPagesAndCursorPagesBothWalkTheWholeOrderOnce() throws Exception {
        insertMixedRows();
        List<String> all = messages(reader.page(LogFilter.all(), PageRequest.first(1000)));
        for (int size = 1; size <= 4; size++) {
            assertThat(walk(size, last -> null)).as("offset pages of %d", size).isEqualTo(all);
            assertThat(walk(size, Cursor::after)).as("cursor pages of %d", size).isEqualTo(all);
        }
    }

    /** Reads every page of {@code size}; {@code cursorAfter} gives the next cursor, or null to page by offset. */
    private List<String> walk(int size, Function<StoredLog, Cursor> cursorAfter) throws Exception {
        List<String> seen = new ArrayList<>();
        PageRequest request = PageRequest.first(size);
        while (true) {
            LogPage page = reader.page(LogFilter.all(), request);
            assertThat(page.logs().size()).isLessThanOrEqualTo(size);
            seen.addAll(messages(page));
            if (!page.hasMore()) {
                return seen;
            }
            assertThat(page.nextCursor()).isEqualTo(Cursor.after(page.logs().get(page.logs().size() - 1)));
            Cursor next = cursorAfter.apply(page.logs().get(page.logs().size() - 1));
            request = next == null ? new PageRequest(size, seen.size(), null) : new PageRequest(size, 0, next);
        }
    }

    @Test
    void aWindowGrowsAtBothEndsByTheCursorsOfItsEdgePages() throws Exception {
        insertMixedRows();
        List<String> all = messages(reader.page(LogFilter.jobRun(jobA), PageRequest.first(100)));
        LogPage first = reader.page(LogFilter.jobRun(jobA), PageRequest.first(3));
        assertThat(first.prevCursor()).as("the first page has nothing before it").isNull();
        LogPage second = reader.page(LogFilter.jobRun(jobA), new PageRequest(3, 0, first.nextCursor()));
        assertThat(second.prevCursor().descending()).as("the way back reads newest first").isTrue();

        LogPage back = reader.page(LogFilter.jobRun(jobA), new PageRequest(3, 0, second.prevCursor()));
        assertThat(messages(back)).as("the rows before the second page, newest first").containsExactlyElementsOf(
                List.of(all.get(2), all.get(1), all.get(0)));
        assertThat(back.hasMore()).isFalse();

        LogPage newest = reader.page(LogFilter.jobRun(jobA), new PageRequest(3, 0, null, true));
        assertThat(newest.prevCursor()).isNull();
        LogPage older = reader.page(LogFilter.jobRun(jobA), new PageRequest(3, 0, newest.nextCursor()));
        LogPage forward = reader.page(LogFilter.jobRun(jobA), new PageRequest(3, 0, older.prevCursor()));
        List<String> newestOldestFirst = new ArrayList<>(messages(newest));
        java.util.Collections.reverse(newestOldestFirst);
        assertThat(messages(forward)).as("from an older page forward again, oldest first")
                .containsExactlyElementsOf(newestOldestFirst);
    }

    @Test
    void aPageCanStartAtOneLineInEitherOrderEvenWithoutATimestamp() throws Exception {
        insertMixedRows();
        List<StoredLog> all = reader.page(LogFilter.jobRun(jobA), PageRequest.first(100)).logs();
        for (StoredLog at : List.of(all.get(3), all.get(all.size() - 1))) {
            LogPage forward = reader.page(LogFilter.jobRun(jobA), new PageRequest(2, 0, reader.cursorAt(at.id(), false)));
            assertThat(forward.logs().get(0).id()).as("oldest first from %s", at.message()).isEqualTo(at.id());
            LogPage backward = reader.page(LogFilter.jobRun(jobA), new PageRequest(2, 0, reader.cursorAt(at.id(), true), true));
            assertThat(backward.logs().get(0).id()).as("newest first from %s", at.message()).isEqualTo(at.id());
            assertThat(forward.prevCursor()).as("what lies before it can be read").isNotNull();
        }
        assertThat(reader.cursorAt(Long.MAX_VALUE, false)).isNull();
    }

    @Test
    void aCursorPageIsNotShiftedByRowsAddedBeforeIt() throws Exception {
        insertMixedRows();
        LogPage first = reader.page(LogFilter.jobRun(jobA), PageRequest.first(3));
        insert("job", jobA, null, 0, "job A, logged late with an early timestamp");

        LogPage byCursor = reader.page(LogFilter.jobRun(jobA), new PageRequest(3, 0, first.nextCursor()));
        LogPage byOffset = reader.page(LogFilter.jobRun(jobA), new PageRequest(3, 3, null));

        assertThat(messages(byCursor)).containsExactly("A2 tie second", "A1 tie third", "job A ends");
        assertThat(messages(byOffset)).as("an offset page repeats a row once one is added before it")
                .containsExactly("A2 tie first", "A2 tie second", "A1 tie third");
    }

    @Test
    void theLeanIndexSetAnswersTheSame() throws Exception {
        insertMixedRows();
        List<List<String>> before = everyEndpoint();
        try (Connection c = db.connect()) {
            Migrations.applyOptional(c, Migrations.LEAN_INDEXES, true);
        }
        assertThat(db.count("SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_logs_type_timestamp'")).isEqualTo(1);
        assertThat(everyEndpoint()).isEqualTo(before);
    }

    private List<List<String>> everyEndpoint() throws Exception {
        List<List<String>> answers = new ArrayList<>();
        for (LogFilter filter : List.of(LogFilter.jobRun(jobA), LogFilter.taskRun(taskA2), LogFilter.system(),
                LogFilter.ofType(LogType.TASK))) {
            answers.add(messages(reader.page(filter, PageRequest.first(2))));
            LogPage first = reader.page(filter, PageRequest.first(1));
            answers.add(messages(reader.page(filter, new PageRequest(5, 0, first.nextCursor()))));
        }
        return answers;
    }
}
