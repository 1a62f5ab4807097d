package io.stratal.logs.internal.pipeline;

import io.stratal.logs.pipeline.Batch;
import io.stratal.logs.pipeline.BatchSink;
import io.stratal.logs.pipeline.MissingParents;
import io.stratal.logs.pipeline.WriteException;
import io.stratal.logs.LogRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A sink that stores batches in memory and can be told to fail: while "down" every write fails as
 * unavailable; a poison predicate makes any batch holding a matching record fail as a data error; a gate
 * can hold writes until released.
 */
final class FakeSink implements BatchSink {

    final List<List<LogRecord>> batches = new CopyOnWriteArrayList<>();
    final AtomicInteger attempts = new AtomicInteger();
    /** The messages of every batch the sink was asked to write, whatever became of it. */
    final List<List<String>> attempted = new CopyOnWriteArrayList<>();
    volatile boolean down;
    volatile Predicate<LogRecord> poison = r -> false;
    volatile CountDownLatch gate;
    /** Each write takes this long: a database that commits, slowly. */
    volatile long writeDelayMillis;
    volatile boolean closed;
    /** The next write commits its batch and then fails as if the connection died before the confirmation. */
    volatile boolean commitThenFail;
    final List<java.util.UUID> forgotten = new CopyOnWriteArrayList<>();
    final java.util.Set<java.util.UUID> committedIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** When not null, job run ids outside this set are "missing parents". */
    volatile java.util.Set<java.util.UUID> existingJobRuns;
    /** When not null, task run ids outside this set are "missing parents". */
    volatile java.util.Set<java.util.UUID> existingTaskRuns;
    /** From this attempt on (counting from 1), every write fails as unavailable: a database that goes away mid-pass. */
    volatile int downFromAttempt = Integer.MAX_VALUE;
    /** Told each attempt's number (from 1) before the attempt looks at anything: a database that changes meanwhile. */
    volatile java.util.function.IntConsumer onAttempt = n -> { };

    @Override
    public void write(Batch written) throws WriteException {
        List<LogRecord> batch = written.records();
        onAttempt.accept(attempts.incrementAndGet());
        attempted.add(batch.stream().map(LogRecord::message).toList());
        CountDownLatch g = gate;
        if (g != null) {
            try {
                g.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WriteException(WriteException.Kind.UNAVAILABLE, "08006", "interrupted", e);
            }
        }
        long writeEnd = System.nanoTime() + writeDelayMillis * 1_000_000;
        long left;
        while (writeDelayMillis > 0 && (left = writeEnd - System.nanoTime()) > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(left); // loggers unpark the flusher: park again
        }
        if (down || attempts.get() >= downFromAttempt) {
            throw new WriteException(WriteException.Kind.UNAVAILABLE, "08006", "connection refused", null);
        }
        java.util.Set<java.util.UUID> existing = existingJobRuns;
        java.util.Set<java.util.UUID> existingTasks = existingTaskRuns;
        java.util.Set<java.util.UUID> missing = new java.util.HashSet<>();
        java.util.Set<java.util.UUID> missingTasks = new java.util.HashSet<>();
        for (LogRecord record : batch) {
            if (existing != null && record.jobRunId() != null && !existing.contains(record.jobRunId())) {
                missing.add(record.jobRunId());
            }
            if (existingTasks != null && record.taskRunId() != null && !existingTasks.contains(record.taskRunId())) {
                missingTasks.add(record.taskRunId());
            }
        }
        if (!missing.isEmpty() || !missingTasks.isEmpty()) {
            throw new WriteException(WriteException.Kind.FOREIGN_KEY, "23503", "missing parent", null, -1,
                    new MissingParents(missing, missingTasks));
        }
        for (int i = 0; i < batch.size(); i++) {
            if (poison.test(batch.get(i))) {
                throw new WriteException(WriteException.Kind.DATA, "22021", "invalid byte sequence", null, i, null);
            }
        }
        if (!committedIds.add(written.id())) {
            return; // like the ledger: an id committed before is not written again
        }
        batches.add(new ArrayList<>(batch));
        if (commitThenFail) {
            commitThenFail = false;
            throw new WriteException(WriteException.Kind.UNAVAILABLE, "08006", "connection lost during COMMIT", null);
        }
    }

    @Override
    public void forget(List<java.util.UUID> ids) {
        forgotten.addAll(ids);
    }

    List<String> messages() {
        List<String> out = new ArrayList<>();
        for (List<LogRecord> batch : batches) {
            for (LogRecord r : batch) {
                out.add(r.message());
            }
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
    }
}
