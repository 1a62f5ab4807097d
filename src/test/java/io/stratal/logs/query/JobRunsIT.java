package io.stratal.logs.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratal.logs.names.TableName;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.TestDatabase;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The job runs list and a run's summary, on rows whose counts and times are known. */
@Timeout(60)
class JobRunsIT {

    static final LocalDateTime T0 = LocalDateTime.of(2026, 11, 29, 8, 0);

    @RegisterExtension
    final DatabaseExtension database = new DatabaseExtension();
    TestDatabase db;
    JobRuns jobRuns;
    UUID early;
    UUID late;
    private UUID undated;
    UUID task1;
    private UUID task2;

    /** Whether the runs come from the opt-in job-run index ({@code JobRunIndexIT} runs every test with it). */
    boolean withJobRunIndex() {
        return false;
    }

    @BeforeEach
    void setUp() throws Exception {
        assumeFalse(TestDatabase.partitioned(), "the rows without a timestamp of this fixture cannot be in a partitioned"
                + " table; PartitionedReadsIT compares these reads on both tables");
        db = database.get().migrated();
        if (withJobRunIndex()) {
            try (java.sql.Connection connection = db.connect()) {
                io.stratal.logs.schema.Migrations.applyOptional(connection, io.stratal.logs.schema.Migrations.JOB_RUN_INDEX, true);
            }
        }
        jobRuns = new JobRuns(db.dataSource(), TableName.parseOrNull("logs"));
        early = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('early') RETURNING id");
        late = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('late') RETURNING id");
        undated = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('undated') RETURNING id");
        task1 = (UUID) db.scalar("INSERT INTO task_runs (job_run_id, task_name) VALUES ('" + late + "', 't1') RETURNING id");
        task2 = (UUID) db.scalar("INSERT INTO task_runs (job_run_id, task_name) VALUES ('" + late + "', 't2') RETURNING id");
        insert("job", early, null, 0, "info", "system");
        insert("job", early, null, 5, "error", "system");
        insert("job", late, null, 10, "info", "system");
        insert("task", late, task1, 11, "info", "stdout");
        insert("task", late, task1, 12, "warn", "stderr");
        insert("task", late, task1, 13, "error", "stderr");
        insert("task", late, task2, 14, "debug", "stdout");
        insert("task", late, task2, 15, "error", "stderr");
        insert("job", late, null, 16, "error", "system");
        insert("job", undated, null, null, "info", "system");
        insert("system", null, null, 20, "info", "system");
    }

    void insert(String type, UUID job, UUID task, Integer minute, String level, String stream) {
        db.execute("INSERT INTO logs (type, job_run_id, task_run_id, timestamp, level, stream, message) VALUES ('" + type + "', "
                + (job == null ? "NULL" : "'" + job + "'") + ", " + (task == null ? "NULL" : "'" + task + "'") + ", "
                + (minute == null ? "NULL" : "timestamp '" + T0.plusMinutes(minute) + "'") + ", '" + level + "', '" + stream
                + "', 'm')");
    }

    /** Every page of the list, one run a page, by cursor. */
    List<JobRuns.Run> walk(LocalDateTime since) throws Exception {
        List<JobRuns.Run> walked = new ArrayList<>();
        String cursor = null;
        do {
            JobRuns.RunPage page = jobRuns.list(since, 1, cursor);
            walked.addAll(page.runs());
            cursor = page.nextCursor();
        } while (cursor != null);
        return walked;
    }

    @Test
    void runsComeNewestActivityFirstWithTheirCountsAndRunsWithoutTimesLast() throws Exception {
        JobRuns.RunPage page = jobRuns.list(null, 100, null);
        assertThat(page.runs()).extracting(JobRuns.Run::jobRunId).containsExactly(late, early, undated);
        assertThat(page.runs().get(0)).isEqualTo(new JobRuns.Run(late, T0.plusMinutes(10), T0.plusMinutes(16), 7, 3, 1, 2));
        assertThat(page.runs().get(1)).isEqualTo(new JobRuns.Run(early, T0, T0.plusMinutes(5), 2, 1, 0, 0));
        assertThat(page.runs().get(2)).isEqualTo(new JobRuns.Run(undated, null, null, 1, 0, 0, 0));
        assertThat(page.hasMore()).isFalse();
    }

    @Test
    void pagesOfOneRunWalkTheListOnceAndSinceNarrowsIt() throws Exception {
        List<UUID> walked = walk(null).stream().map(JobRuns.Run::jobRunId).toList();
        assertThat(walked).containsExactly(late, early, undated);

        JobRuns.RunPage recent = jobRuns.list(T0.plusMinutes(3), 100, null);
        assertThat(recent.runs()).extracting(JobRuns.Run::jobRunId).containsExactly(late, early);
        assertThat(recent.runs().get(1).logs()).as("all its rows, not only those since then").isEqualTo(2);
        assertThatThrownBy(() -> jobRuns.list(null, 1, "garbage")).hasMessageStartingWith("cursor:");
    }

    @Test
    void sinceWithCursorsWalksTiedRunsOnceAndLeavesOutRunsThatEndedBefore() throws Exception {
        // two more runs whose last rows share late's minute: the tie is broken by id, newest id first
        UUID tiedA = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('tied a') RETURNING id");
        UUID tiedB = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('tied b') RETURNING id");
        insert("job", tiedA, null, 4, "info", "system");
        insert("job", tiedA, null, 16, "warn", "system");
        insert("job", tiedB, null, 16, "info", "system");
        List<UUID> tied = new ArrayList<>(List.of(late, tiedA, tiedB));
        // PostgreSQL orders uuids byte by byte, as their hex text sorts (Java's UUID.compareTo is signed)
        tied.sort(Comparator.comparing(UUID::toString).reversed());

        List<JobRuns.Run> walked = walk(T0.plusMinutes(6));
        assertThat(walked).as("early ended at minute 5, undated has no time: both left out")
                .extracting(JobRuns.Run::jobRunId).containsExactlyElementsOf(tied);
        assertThat(walked).filteredOn(run -> run.jobRunId().equals(tiedA)).singleElement()
                .as("counts cover all its rows")
                .isEqualTo(new JobRuns.Run(tiedA, T0.plusMinutes(4), T0.plusMinutes(16), 2, 0, 1, 0));
    }

    @Test
    void runsWithoutATimestampAreWalkedLastByIdOneAtATime() throws Exception {
        List<UUID> undatedRuns = new ArrayList<>(List.of(undated));
        for (int i = 0; i < 3; i++) {
            UUID run = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('undated " + i + "') RETURNING id");
            insert("job", run, null, null, "error", "system");
            undatedRuns.add(run);
        }
        undatedRuns.sort(Comparator.comparing(UUID::toString).reversed());
        List<UUID> walked = walk(null).stream().map(JobRuns.Run::jobRunId).toList();
        List<UUID> expected = new ArrayList<>(List.of(late, early));
        expected.addAll(undatedRuns);
        assertThat(walked).containsExactlyElementsOf(expected);
    }

    @Test
    void aSummaryCountsTheRunByLevelAndEachTaskByLevelAndStream() throws Exception {
        JobRuns.Summary summary = jobRuns.summary(late);
        assertThat(summary.first()).isEqualTo(T0.plusMinutes(10));
        assertThat(summary.last()).isEqualTo(T0.plusMinutes(16));
        assertThat(summary.counts()).isEqualTo(new JobRuns.Counts(1, 2, 1, 3));
        assertThat(summary.tasks()).containsExactly(
                new JobRuns.TaskSummary(task1, "t1", T0.plusMinutes(11), T0.plusMinutes(13), new JobRuns.Counts(0, 1, 1, 1),
                        Map.of("stdout", 1L, "stderr", 2L)),
                new JobRuns.TaskSummary(task2, "t2", T0.plusMinutes(14), T0.plusMinutes(15), new JobRuns.Counts(1, 0, 0, 1),
                        Map.of("stdout", 1L, "stderr", 1L)));
        assertThat(jobRuns.summary(UUID.randomUUID()).tasks()).isEmpty();
    }

    @Test
    void aSummaryNamesTasksOnlyWhereTheTaskRunsTableHasANameColumn() throws Exception {
        db.execute("ALTER TABLE task_runs RENAME COLUMN task_name TO title");
        try {
            assertThat(jobRuns.summary(late).tasks()).extracting(JobRuns.TaskSummary::name).containsOnlyNulls().hasSize(2);
        } finally {
            db.execute("ALTER TABLE task_runs RENAME COLUMN title TO task_name");
        }
        assertThat(jobRuns.summary(late).tasks()).extracting(JobRuns.TaskSummary::name).containsExactly("t1", "t2");
    }
}
