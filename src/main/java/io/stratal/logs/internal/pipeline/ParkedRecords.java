package io.stratal.logs.internal.pipeline;

import io.stratal.logs.pipeline.Batch;
import io.stratal.logs.pipeline.MissingParents;
import io.stratal.logs.LogRecord;
import io.stratal.logs.internal.MetadataBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Records whose parent run is not in the database yet, held back in logging order for up to
 * {@code foreignKeyGracePeriod}. A job that logs before its own transaction commits its {@code job_runs}
 * row is the usual cause: its lines wait here until the row is visible, and later lines of the same run
 * wait behind them, so each run's rows are still stored in logging order.
 *
 * <p>Ahead of them may wait <em>kept</em> batches: rows a retry could not write because the database was away while
 * the spool held newer rows of their runs. They keep their batch ids (the retry's commit may have happened) and
 * their runs are waited for, so the newer rows read back from the spool queue up behind them. Flusher thread only.
 */
final class ParkedRecords {

    private final long graceNanos;
    private final List<LogRecord> records = new ArrayList<>();
    private final List<Batch> kept = new ArrayList<>();
    /** The runs waited for when {@link #takeAll} took the rows out: those that held them back. */
    private Set<UUID> jobRunsAtTake = Set.of();
    private Set<UUID> taskRunsAtTake = Set.of();
    private final Map<UUID, Long> jobRunsSince = new LinkedHashMap<>();
    private final Map<UUID, Long> taskRunsSince = new LinkedHashMap<>();
    private long bytes;
    private volatile int count;

    ParkedRecords(long graceNanos) {
        this.graceNanos = graceNanos;
    }

    boolean isEmpty() {
        return records.isEmpty() && kept.isEmpty();
    }

    /** True while some run is waited for, with or without records parked for it. */
    boolean isWaiting() {
        return !jobRunsSince.isEmpty() || !taskRunsSince.isEmpty();
    }

    /** How many records are held; read by other threads too (a stop counts what is left). */
    int size() {
        return count;
    }

    /** Estimated heap of the parked records; it counts against the queue bound. */
    long bytes() {
        return bytes;
    }

    /**
     * Rows of a batch that may go now, in order, with their positions in the batch ({@code null} when every row may:
     * then the batch goes as it is).
     */
    record Free(int[] positions, List<LogRecord> rows) {
    }

    /** Rows of {@code batch} that may go now; the others join the parked ones, behind them. */
    Free holdBack(List<LogRecord> batch) {
        if (!isWaiting()) {
            return new Free(null, batch);
        }
        int[] positions = new int[batch.size()];
        List<LogRecord> free = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            LogRecord record = batch.get(i);
            if (blocks(record)) {
                add(record);
            } else {
                positions[free.size()] = i;
                free.add(record);
            }
        }
        return new Free(Arrays.copyOf(positions, free.size()), free);
    }

    /**
     * Sorts the rows of a batch refused for {@code missing} parents. Runs of these rows the database has now
     * stop being waited for. Rows of a missing run are parked, unless the run has been waited for longer
     * than the grace period (or {@code giveUp}): then the id moves into {@code metadata.log.missing_parents}
     * and the row goes out with the others. Returns the rows to write now, in order, with their positions.
     */
    Free admit(MissingParents missing, List<LogRecord> rows, long nowNanos, boolean giveUp) {
        for (LogRecord row : rows) {
            if (row.jobRunId() != null && !missing.jobRunIds().contains(row.jobRunId())) {
                jobRunsSince.remove(row.jobRunId());
            }
            if (row.taskRunId() != null && !missing.taskRunIds().contains(row.taskRunId())) {
                taskRunsSince.remove(row.taskRunId());
            }
        }
        for (UUID id : missing.jobRunIds()) {
            jobRunsSince.putIfAbsent(id, nowNanos);
        }
        for (UUID id : missing.taskRunIds()) {
            taskRunsSince.putIfAbsent(id, nowNanos);
        }
        Set<UUID> expiredJobs = expire(jobRunsSince, missing.jobRunIds(), nowNanos, giveUp);
        Set<UUID> expiredTasks = expire(taskRunsSince, missing.taskRunIds(), nowNanos, giveUp);
        int[] positions = new int[rows.size()];
        List<LogRecord> now = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            LogRecord row = rows.get(i);
            boolean moveJob = row.jobRunId() != null && expiredJobs.contains(row.jobRunId());
            boolean moveTask = row.taskRunId() != null && expiredTasks.contains(row.taskRunId());
            LogRecord out = moveJob || moveTask ? withParentsMoved(row, moveJob, moveTask) : row;
            if (blocks(out)) {
                add(out);
            } else {
                positions[now.size()] = i;
                now.add(out);
            }
        }
        return new Free(Arrays.copyOf(positions, now.size()), now);
    }

    /**
     * Takes everything out for a retry or for the spool, in order: the kept batches, then the parked records as a
     * batch of their own. The runs stay waited for until a write settles them; which runs those were is noted
     * for {@link #keep}.
     */
    List<Batch> takeAll() {
        List<Batch> out = new ArrayList<>(kept);
        if (!records.isEmpty()) {
            out.add(Batch.of(new ArrayList<>(records)));
        }
        kept.clear();
        records.clear();
        bytes = 0;
        count = 0;
        jobRunsAtTake = Set.copyOf(jobRunsSince.keySet());
        taskRunsAtTake = Set.copyOf(taskRunsSince.keySet());
        return out;
    }

    /**
     * What a retry (of what {@link #takeAll} gave) could not write: the parts of the first batch it could not write,
     * then the batches after it, {@code parts} telling how many are parts. They wait ahead, under their ids, in their
     * order, with the rows this retry parked again among them: those of the batches before ({@code ahead} rows) go
     * first; those of the first batch itself go ahead of its parts when these hold rows of their runs, else behind
     * them (a row waiting for a parent is passed by the rows of its batch that do not), and ahead of the batches
     * after it in either case. The runs that held the rows back when they were taken are waited for again until a
     * write settles them (a write that found a parent present had stopped waiting for it), so nothing newer of those
     * runs passes them; no other run is held back by them.
     */
    void keep(List<Batch> rest, int parts, int ahead, long nowNanos) {
        List<LogRecord> earlier = new ArrayList<>(records.subList(0, ahead));
        List<LogRecord> own = new ArrayList<>(records.subList(ahead, records.size()));
        records.clear();
        List<Batch> first = rest.subList(0, parts);
        boolean ownFirst = false;
        for (Batch part : first) {
            ownFirst |= blockedBy(own, part.records());
        }
        List<Batch> unwritten = new ArrayList<>();
        if (!earlier.isEmpty()) {
            unwritten.add(Batch.of(earlier));
        }
        if (ownFirst && !own.isEmpty()) {
            unwritten.add(Batch.of(own));
        }
        unwritten.addAll(first);
        if (!ownFirst && !own.isEmpty()) {
            unwritten.add(Batch.of(own));
        }
        unwritten.addAll(rest.subList(parts, rest.size()));
        count -= earlier.size() + own.size(); // counted again below, as kept
        for (LogRecord moved : earlier) {
            bytes -= moved.estimatedBytes();
        }
        for (LogRecord moved : own) {
            bytes -= moved.estimatedBytes();
        }
        for (Batch batch : unwritten) {
            kept.add(batch);
            count += batch.size();
            for (LogRecord record : batch.records()) {
                if (record.jobRunId() != null && jobRunsAtTake.contains(record.jobRunId())) {
                    jobRunsSince.putIfAbsent(record.jobRunId(), nowNanos);
                }
                if (record.taskRunId() != null && taskRunsAtTake.contains(record.taskRunId())) {
                    taskRunsSince.putIfAbsent(record.taskRunId(), nowNanos);
                }
                bytes += record.estimatedBytes();
            }
        }
    }

    /** The runs of rows just written are in the database: nobody needs to wait for them any more. */
    void written(List<LogRecord> rows) {
        if (!isWaiting()) {
            return;
        }
        for (LogRecord row : rows) {
            if (row.jobRunId() != null) {
                jobRunsSince.remove(row.jobRunId());
            }
            if (row.taskRunId() != null) {
                taskRunsSince.remove(row.taskRunId());
            }
        }
    }

    /**
     * True when a row of {@code rows} belongs to a run that parked records wait for (during a retry: records it
     * parked again), so it would pass them.
     */
    boolean blocksAny(List<LogRecord> rows) {
        return blockedBy(records, rows);
    }

    /** True when a row of {@code rows} belongs to a run that a row of {@code waiting} waits for. */
    private boolean blockedBy(List<LogRecord> waiting, List<LogRecord> rows) {
        if (waiting.isEmpty()) {
            return false;
        }
        Set<UUID> jobs = new HashSet<>();
        Set<UUID> tasks = new HashSet<>();
        for (LogRecord record : waiting) {
            if (record.jobRunId() != null && jobRunsSince.containsKey(record.jobRunId())) {
                jobs.add(record.jobRunId());
            }
            if (record.taskRunId() != null && taskRunsSince.containsKey(record.taskRunId())) {
                tasks.add(record.taskRunId());
            }
        }
        for (LogRecord row : rows) {
            if ((row.jobRunId() != null && jobs.contains(row.jobRunId())) || (row.taskRunId() != null && tasks.contains(row.taskRunId()))) {
                return true;
            }
        }
        return false;
    }

    private boolean blocks(LogRecord record) {
        return (record.jobRunId() != null && jobRunsSince.containsKey(record.jobRunId()))
                || (record.taskRunId() != null && taskRunsSince.containsKey(record.taskRunId()));
    }

    private void add(LogRecord record) {
        records.add(record);
        bytes += record.estimatedBytes();
        count++;
    }

    /** Of the runs in {@code candidates}, stops waiting for those past the grace period and returns them. */
    private Set<UUID> expire(Map<UUID, Long> since, Set<UUID> candidates, long nowNanos, boolean giveUp) {
        Set<UUID> expired = new HashSet<>();
        for (UUID id : candidates) {
            Long start = since.get(id);
            if (start != null && (giveUp || nowNanos - start >= graceNanos)) {
                since.remove(id);
                expired.add(id);
            }
        }
        return expired;
    }

    private static LogRecord withParentsMoved(LogRecord record, boolean moveJob, boolean moveTask) {
        Map<String, Object> ids = new LinkedHashMap<>();
        if (moveJob) {
            ids.put("job_run_id", record.jobRunId().toString());
        }
        if (moveTask) {
            ids.put("task_run_id", record.taskRunId().toString());
        }
        return record.withIds(moveJob ? null : record.jobRunId(), moveTask ? null : record.taskRunId(),
                MetadataBuilder.withLogEntry(record.metadata(), "missing_parents", Collections.unmodifiableMap(ids)));
    }
}
