package io.stratal.logs.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratal.logs.LogType;
import io.stratal.logs.names.TableName;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.TestDatabase;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The read filters (level, stream, since, until, q, task run, metadata) against real PostgreSQL: what they
 * select, in both orders and across cursor pages, and that rows arriving by stream are judged the same way.
 */
@Timeout(60)
class LogFilterIT {

    private static final LocalDateTime T0 = LocalDateTime.of(2026, 11, 29, 8, 0);

    @RegisterExtension
    final DatabaseExtension database = new DatabaseExtension();
    TestDatabase db;
    LogReader reader;
    UUID job;
    private UUID task1;
    private UUID task2;

    /** How many rows a page with {@code q} or {@code meta.} reads at most ({@code BoundedScanIT} sets it low). */
    int maxRowsScanned() {
        return LogReader.DEFAULT_MAX_ROWS_SCANNED;
    }

    @BeforeEach
    void setUp() {
        assumeFalse(TestDatabase.partitioned(), "the rows without a timestamp of this fixture cannot be in a partitioned"
                + " table; PartitionedReadsIT compares these reads on both tables");
        db = database.get().migrated();
        reader = new LogReader(db.dataSource(), TableName.parseOrNull("logs"), maxRowsScanned());
        job = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('j') RETURNING id");
        task1 = (UUID) db.scalar("INSERT INTO task_runs (job_run_id, task_name) VALUES ('" + job + "', 't1') RETURNING id");
        task2 = (UUID) db.scalar("INSERT INTO task_runs (job_run_id, task_name) VALUES ('" + job + "', 't2') RETURNING id");
        int minute = 0;
        String[] levels = {"debug", "info", "warn", "error"};
        for (int i = 0; i < 40; i++) {
            UUID task = i % 3 == 0 ? null : i % 3 == 1 ? task1 : task2;
            String stream = task == null ? "system" : i % 2 == 0 ? "stdout" : "stderr";
            String message = switch (i % 5) {
                case 0 -> "Hello World " + i;
                case 1 -> "50% done " + i;
                case 2 -> "a_b " + i;
                case 3 -> "axb back\\slash " + i;
                default -> "plain " + i;
            };
            String metadata = switch (i % 4) {
                case 0 -> "{\"status_code\": 500, \"region\": \"eu\"}";
                case 1 -> "{\"status_code\": \"500\", \"nested\": {\"a\": 1}}";
                case 2 -> "{\"status_code\": 200, \"ok\": true}";
                default -> null;
            };
            // ties on the timestamp every few rows, and two rows without one
            String when = i == 17 || i == 31 ? "NULL" : "timestamp '" + T0.plusMinutes(minute) + "'";
            if (i % 4 != 1) {
                minute++;
            }
            db.execute("INSERT INTO logs (type, job_run_id, task_run_id, timestamp, level, stream, message, metadata) VALUES ('"
                    + (task == null ? "job" : "task") + "', '" + job + "', " + (task == null ? "NULL" : "'" + task + "'") + ", "
                    + when + ", '" + levels[i % 4] + "', '" + stream + "', '" + message.replace("'", "''") + "', "
                    + (metadata == null ? "NULL" : "'" + metadata + "'") + ")");
        }
        db.execute("INSERT INTO logs (type, level, message, timestamp) VALUES ('system', 'error', 'Hello from the system',"
                + " timestamp '" + T0 + "')");
    }

    /** Every row of the job run, read once, in the oldest-first order. */
    private List<StoredLog> everyRowOfTheJob() throws Exception {
        return all(LogFilter.jobRun(job), false);
    }

    /** Every page of {@code filter} by cursor, in the given order. */
    private List<StoredLog> all(LogFilter filter, boolean descending) throws Exception {
        List<StoredLog> rows = new ArrayList<>();
        PageRequest request = new PageRequest(3, 0, null, descending);
        while (true) {
            LogPage page = reader.page(filter, request);
            rows.addAll(page.logs());
            if (!page.hasMore()) {
                return rows;
            }
            request = new PageRequest(3, 0, page.nextCursor(), descending);
        }
    }

    private static Map<String, List<String>> query(String... nameValue) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            parameters.put(nameValue[i], List.of(nameValue[i + 1]));
        }
        return parameters;
    }

    private static List<String> messages(List<StoredLog> rows) {
        return rows.stream().map(StoredLog::message).toList();
    }

    /** What the database selects, page by page, both orders, equals what the stream matcher selects. */
    List<StoredLog> selectBothWays(LogFilter filter) throws Exception {
        List<StoredLog> expected = everyRowOfTheJob().stream().filter(filter::matches).toList();
        List<StoredLog> ascending = all(filter, false);
        assertThat(ascending).as("oldest first, every page, no gap and no repeat").isEqualTo(expected);
        List<StoredLog> descending = new ArrayList<>(all(filter, true));
        List<StoredLog> reversed = new ArrayList<>(expected);
        java.util.Collections.reverse(reversed);
        assertThat(descending).as("newest first is the exact reverse").isEqualTo(reversed);
        return ascending;
    }

    @Test
    void levelsAndStreamsSelectAnyOfTheirWords() throws Exception {
        List<StoredLog> rows = selectBothWays(LogFilter.jobRun(job).where(LogConditions.parse(query("level", "error,WARN"))));
        assertThat(rows).isNotEmpty().allSatisfy(r -> assertThat(r.level()).isIn("error", "warn"));
        rows = selectBothWays(LogFilter.jobRun(job).where(LogConditions.parse(query("stream", "stderr", "level", "info"))));
        assertThat(rows).isNotEmpty().allSatisfy(r -> assertThat(r.stream()).isEqualTo("stderr"))
                .allSatisfy(r -> assertThat(r.level()).isEqualTo("info"));
    }

    /**
     * The four levels are written into the SQL (for partial indexes; {@code OptionalIndexesIT} shows that they
     * are); a word from elsewhere, here one with a quote in it, is only ever bound.
     */
    @Test
    void aLevelWordFromTheJavaApiThatIsNotOneOfTheFourIsBoundNotWritten() throws Exception {
        db.execute("ALTER TABLE logs DROP CONSTRAINT IF EXISTS logs_level_check");
        db.execute("INSERT INTO logs (type, job_run_id, level, message) VALUES ('job', '" + job + "', 'it''s', 'odd level')");
        LogConditions odd = new LogConditions(Set.of("it's", "error"), Set.of(), null, null, null, Map.of());
        List<StoredLog> rows = selectBothWays(LogFilter.jobRun(job).where(odd));
        assertThat(rows).extracting(StoredLog::level).contains("it's", "error").containsOnly("it's", "error");
    }

    @Test
    void sinceIsInclusiveUntilExclusiveAndOffsetsAreTurnedToUtc() throws Exception {
        List<StoredLog> rows = selectBothWays(LogFilter.jobRun(job).where(LogConditions.parse(
                query("since", "2026-11-29T09:05:00+01:00", "until", "2026-11-29T08:10:00Z"))));
        assertThat(rows).isNotEmpty().allSatisfy(r -> assertThat(r.timestamp()).isBetween(T0.plusMinutes(5), T0.plusMinutes(9).plusSeconds(59)));
        assertThat(rows.get(0).timestamp()).isEqualTo(T0.plusMinutes(5));
        assertThat(rows).noneMatch(r -> r.timestamp().equals(T0.plusMinutes(10)));
    }

    @Test
    void textIsACaseInsensitiveLiteralSubstring() throws Exception {
        assertThat(messages(selectBothWays(LogFilter.jobRun(job).where(LogConditions.parse(query("q", "50%"))))))
                .isNotEmpty().allSatisfy(m -> assertThat(m).startsWith("50% done"));
        assertThat(messages(selectBothWays(LogFilter.jobRun(job).where(LogConditions.parse(query("q", "a_b"))))))
                .as("_ matches itself, not any character (axb)").isNotEmpty().allSatisfy(m -> assertThat(m).startsWith("a_b"));
        assertThat(messages(selectBothWays(LogFilter.jobRun(job).where(LogConditions.parse(query("q", "back\\slash"))))))
                .isNotEmpty().allSatisfy(m -> assertThat(m).contains("back\\slash"));
        assertThat(messages(selectBothWays(LogFilter.jobRun(job).where(LogConditions.parse(query("q", "hello world"))))))
                .isNotEmpty().allSatisfy(m -> assertThat(m).startsWith("Hello World"));
    }

    @Test
    void metadataKeysMatchTheirValueAsTextAndSeveralAreAnded() throws Exception {
        List<StoredLog> fiveHundred = selectBothWays(LogFilter.jobRun(job).where(LogConditions.parse(query("meta.status_code", "500"))));
        assertThat(fiveHundred).as("the number 500 and the string \"500\" both read as 500").hasSize(20);
        List<StoredLog> both = selectBothWays(LogFilter.jobRun(job).where(LogConditions.parse(
                query("meta.status_code", "500", "meta.region", "eu"))));
        assertThat(both).hasSize(10).allSatisfy(r -> assertThat(r.metadataJson()).contains("\"region\": \"eu\""));
        assertThat(selectBothWays(LogFilter.jobRun(job).where(LogConditions.parse(query("meta.ok", "true"))))).hasSize(10);
        assertThat(selectBothWays(LogFilter.jobRun(job).where(LogConditions.parse(query("meta.nested", "{\"a\": 1}")))))
                .as("an object is not a value to filter by").isEmpty();
    }

    @Test
    void aJobRunNarrowsToOneOfItsTaskRunsAndEverythingCombines() throws Exception {
        List<StoredLog> rows = selectBothWays(LogFilter.jobRun(job).ofTaskRun(task1).where(LogConditions.parse(
                query("level", "debug,info,warn", "stream", "stdout,stderr", "since", "2026-11-29T08:02:00Z", "q", "O"))));
        assertThat(rows).isNotEmpty().allSatisfy(r -> assertThat(r.taskRunId()).isEqualTo(task1));
    }

    @Test
    void theSelectionsOwnFilterStillHolds() throws Exception {
        List<StoredLog> system = all(LogFilter.ofType(LogType.SYSTEM).where(LogConditions.parse(query("q", "hello"))), false);
        assertThat(messages(system)).containsExactly("Hello from the system");
    }

    @Test
    void aCursorWorksOnlyInTheOrderItWasGivenFor() throws Exception {
        LogPage first = reader.page(LogFilter.jobRun(job), new PageRequest(2, 0, null, true));
        assertThat(first.nextCursor().descending()).isTrue();
        assertThatThrownBy(() -> PageRequest.parse("2", null, first.nextCursor().encode(), "asc"))
                .isInstanceOf(InvalidParameterException.class).hasMessageContaining("order=desc");
        assertThat(PageRequest.parse("2", null, first.nextCursor().encode(), "desc").cursor()).isEqualTo(first.nextCursor());
    }

    @Test
    void badValuesAreRefusedNamingTheParameter() {
        assertThatThrownBy(() -> LogConditions.parse(query("level", "fatal"))).hasMessageStartingWith("level: 'fatal'");
        assertThatThrownBy(() -> LogConditions.parse(query("stream", "pipe"))).hasMessageStartingWith("stream:");
        assertThatThrownBy(() -> LogConditions.parse(query("since", "yesterday"))).hasMessageStartingWith("since:");
        assertThatThrownBy(() -> LogConditions.parse(query("until", "2026-11-29T08:00:00"))).as("no offset")
                .hasMessageStartingWith("until:");
        assertThatThrownBy(() -> LogConditions.parse(query("since", "2026-11-29T09:00:00Z", "until", "2026-11-29T08:00:00Z")))
                .hasMessageStartingWith("until: must be after since");
        assertThatThrownBy(() -> LogConditions.parse(query("q", "x".repeat(1001)))).hasMessageStartingWith("q:");
        assertThatThrownBy(() -> LogConditions.parse(query("meta.", "1"))).hasMessageStartingWith("meta.:");
        assertThatThrownBy(() -> PageRequest.parse(null, null, null, "sideways")).hasMessageStartingWith("order:");
    }

    @Test
    void rowsWithoutATimestampComeLastOldestFirstAndFirstNewestFirst() throws Exception {
        List<StoredLog> ascending = all(LogFilter.jobRun(job), false);
        assertThat(ascending.subList(ascending.size() - 2, ascending.size())).allSatisfy(r -> assertThat(r.timestamp()).isNull());
        List<StoredLog> descending = all(LogFilter.jobRun(job), true);
        assertThat(descending.subList(0, 2)).allSatisfy(r -> assertThat(r.timestamp()).isNull());
        assertThat(descending.subList(2, descending.size())).isSortedAccordingTo(
                Comparator.comparing(StoredLog::timestamp).thenComparing(StoredLog::id).reversed());
    }
}
