package io.stratal.logs.internal.pipeline;

import io.stratal.logs.pipeline.Batch;
import io.stratal.logs.pipeline.BatchSink;
import io.stratal.logs.pipeline.DropReason;
import io.stratal.logs.pipeline.MissingParents;
import io.stratal.logs.pipeline.StatusListener;
import io.stratal.logs.pipeline.WriteException;
import io.stratal.logs.LogRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Gets a batch into the database, whatever it takes, on the flusher thread.
 *
 * <ul>
 *   <li>The database cannot take it now ({@link WriteException.Kind#UNAVAILABLE}): keep the batch, same id,
 *       and retry after a jittered backoff, because the same rows will succeed once it is back.</li>
 *   <li>A parent run is missing ({@link WriteException.Kind#FOREIGN_KEY}): park the rows of the missing runs
 *       ({@link ParkedRecords}) and write the rest.</li>
 *   <li>A row is refused: set it apart (at the COPY line the server named, else by halving), so the others
 *       go through; store a repaired version of it ({@link RowRepair}); only if that is refused too is the
 *       row lost, counted and reported.</li>
 * </ul>
 *
 * Each write method returns the batches it could not write (with their ids, in order): without a spool,
 * because the stop deadline passed while the database was unavailable; with one ({@code keepRetrying}
 * off), as soon as the database is unavailable, so the flusher can put them on disk and retry on its own
 * schedule. The caller decides what becomes of them.
 */
final class Delivery {

    /** Re-checks when the database said "missing parent" but the parent was there when asked. */
    private static final int MAX_FOREIGN_KEY_RECHECKS = 3;

    private final PipelineSettings config;
    private final BatchSink sink;
    private final Counters stats;
    private final StatusListener reporter;
    private final DropWarnings dropWarnings;
    private final LongConsumer parkedBytesChanged;
    private volatile boolean anyParked;
    private final Backoff backoff;
    private final ParkedRecords parked;
    private long parkedBytesHeld;
    private final boolean keepRetrying;
    private volatile boolean databaseAvailable = true;
    private long outageStartNanos;

    /**
     * @param dropWarnings       reports due while a retry waits (the callers' drops go on during an outage)
     * @param parkedBytesChanged told how many bytes more (or fewer) the parked rows hold, so they count
     *                           against the queue's bound like queued ones
     * @param keepRetrying       on an unavailable database, retry the batch in place (until the deadline)
     *                           rather than hand it back at once
     */
    Delivery(PipelineSettings config, BatchSink sink, Counters stats, StatusListener reporter, DropWarnings dropWarnings,
             LongConsumer parkedBytesChanged, boolean keepRetrying) {
        this.keepRetrying = keepRetrying;
        this.config = config;
        this.sink = sink;
        this.stats = stats;
        this.reporter = reporter;
        this.dropWarnings = dropWarnings;
        this.parkedBytesChanged = parkedBytesChanged;
        this.backoff = new Backoff(config.minRetryBackoff(), config.maxRetryBackoff());
        this.parked = new ParkedRecords(config.foreignKeyGracePeriod().toNanos());
    }

    /** Writes records taken from the queue, holding back those that must wait behind parked ones. */
    List<Batch> deliver(List<LogRecord> records, Deadline deadline) {
        return deliver(Batch.of(records), deadline);
    }

    /**
     * Writes {@code batches} in order; once one comes back unwritten, the rest are handed back unwritten
     * too, so their order is kept for the next attempt.
     */
    List<Batch> deliverInOrder(List<Batch> batches, Deadline deadline) {
        return inOrder(batches, batch -> deliver(batch, deadline));
    }

    /**
     * Writes a batch (from the queue, or read back from the spool), holding back its rows of runs that are
     * waited for; rows from the spool then wait in memory (their file stays on disk meanwhile, {@link SpoolReplay}).
     */
    List<Batch> deliver(Batch batch, Deadline deadline) {
        ParkedRecords.Free free = parked.holdBack(batch.records());
        syncParkedBytes();
        if (free.rows().isEmpty()) {
            return List.of();
        }
        return write(free.rows().size() == batch.size() ? batch : batch.subset("free", free.positions(), free.rows()), false, deadline);
    }

    /**
     * Tries the parked records again; once the deadline is set (stopping), none of them waits any longer. What the
     * database cannot take now is handed back, unless {@code keepUnwritten}: while the spool holds newer rows of
     * their runs, those rows must not land in the spool behind them, so they stay here, ahead of whatever of their
     * runs is read back meanwhile.
     */
    List<Batch> retryParked(Deadline deadline, boolean keepUnwritten) {
        if (parked.isEmpty()) {
            return List.of();
        }
        List<Batch> batches = parked.takeAll();
        syncParkedBytes();
        List<Batch> rest = new ArrayList<>(); // the parts of the first batch not written, then the batches after it
        int parts = 0;
        int parkedBefore = 0; // rows parked again by the batches before that first one
        boolean mustWait = false;
        for (Batch batch : batches) {
            if (!rest.isEmpty()) {
                rest.add(batch); // keep the order, write nothing more now
            } else if (parked.blocksAny(batch.records())) {
                mustWait = true; // rows of an earlier batch were parked again: newer ones of their runs wait behind
                parkedBefore = parked.size();
                rest.add(batch);
            } else {
                parkedBefore = parked.size();
                List<Batch> unwritten = write(batch, false, deadline); // what the database could not take
                parts = unwritten.size();
                rest.addAll(unwritten);
            }
        }
        if (rest.isEmpty() || !(keepUnwritten || mustWait)) {
            return rest;
        }
        parked.keep(rest, parts, parkedBefore, System.nanoTime());
        syncParkedBytes();
        return List.of();
    }

    boolean hasParked() {
        return !parked.isEmpty();
    }

    /**
     * {@link #hasParked()} for other threads: set as rows are parked or written, before the flusher gives their room
     * back to the queue.
     */
    boolean anyParked() {
        return anyParked;
    }

    int parkedCount() {
        return parked.size();
    }

    boolean isDatabaseAvailable() {
        return databaseAvailable;
    }

    /** Takes the parked records out, in order and under their batch ids (for the spool, at stop without a database). */
    List<Batch> takeParked() {
        List<Batch> batches = parked.takeAll();
        syncParkedBytes();
        return batches;
    }

    private List<Batch> write(Batch batch, boolean repaired, Deadline deadline) {
        int attempt = 0;
        int foreignKeyRechecks = 0;
        while (true) {
            WriteException failure;
            try {
                sink.write(batch);
                stats.recordBatchWritten(batch.size());
                parked.written(batch.records());
                markDatabaseAvailable();
                return List.of();
            } catch (WriteException e) {
                failure = e;
            } catch (RuntimeException e) {
                failure = new WriteException(WriteException.Kind.OTHER, null, e.toString(), e);
            }
            switch (failure.kind()) {
                case UNAVAILABLE:
                    markDatabaseUnavailable(failure, batch.size());
                    String why = describe(failure);
                    if (!keepRetrying || deadline.hasPassed()) {
                        stats.recordError(why);
                        return List.of(batch);
                    }
                    stats.recordRetry(why);
                    pause(backoff.delayNanos(attempt++), deadline);
                    continue;
                case FOREIGN_KEY:
                    markDatabaseAvailable(); // it answered: what waits for a parent is not waiting for the database
                    MissingParents missing = failure.missingParents();
                    if (missing != null && missing.isEmpty() && foreignKeyRechecks++ < MAX_FOREIGN_KEY_RECHECKS) {
                        continue; // the parent committed between the failure and the question
                    }
                    if (missing != null && !missing.isEmpty()) {
                        return park(batch, missing, repaired, deadline);
                    }
                    return isolate(batch, failure, repaired, deadline);
                case DATA:
                    markDatabaseAvailable();
                    return isolate(batch, failure, repaired, deadline);
                default:
                    return isolate(batch, failure, repaired, deadline);
            }
        }
    }

    private List<Batch> park(Batch batch, MissingParents missing, boolean repaired, Deadline deadline) {
        boolean wasWaiting = parked.isWaiting();
        ParkedRecords.Free now = parked.admit(missing, batch.records(), System.nanoTime(), deadline.isSet());
        syncParkedBytes();
        if (!wasWaiting && parked.isWaiting()) {
            reporter.info("holds back rows of job run(s) " + missing.jobRunIds()
                    + " / task run(s) " + missing.taskRunIds() + " that the database does not have yet, for up to "
                    + config.foreignKeyGracePeriod().toSeconds() + " s (foreignKeyGracePeriod)");
        }
        return now.rows().isEmpty() ? List.of()
                : write(batch.subset("without-parked", now.positions(), now.rows()), repaired, deadline);
    }

    /** Sets the failing row apart: at the line the server named, else by halving. */
    private List<Batch> isolate(Batch batch, WriteException failure, boolean repaired, Deadline deadline) {
        int size = batch.size();
        if (size == 1) {
            return repairOrReject(batch, failure, repaired, deadline);
        }
        List<Batch> parts = new ArrayList<>(3);
        int row = failure.rowIndex();
        if (row >= 0 && row < size) {
            if (row > 0) {
                parts.add(batch.part(0, row));
            }
            parts.add(batch.part(row, row + 1));
            if (row + 1 < size) {
                parts.add(batch.part(row + 1, size));
            }
        } else {
            parts.add(batch.part(0, size / 2));
            parts.add(batch.part(size / 2, size));
        }
        return inOrder(parts, part -> write(part, repaired, deadline));
    }

    /** {@return how many records {@code batches} hold} */
    static int recordsIn(List<Batch> batches) {
        int records = 0;
        for (Batch batch : batches) {
            records += batch.size();
        }
        return records;
    }

    /** Runs {@code write} on each batch until one comes back unwritten; that one and the rest are returned. */
    private static List<Batch> inOrder(List<Batch> batches, java.util.function.Function<Batch, List<Batch>> write) {
        List<Batch> unwritten = new ArrayList<>();
        for (Batch batch : batches) {
            if (unwritten.isEmpty()) {
                unwritten.addAll(write.apply(batch));
            } else {
                unwritten.add(batch); // the database went away: keep the order, write nothing more now
            }
        }
        return unwritten;
    }

    private List<Batch> repairOrReject(Batch single, WriteException failure, boolean repaired, Deadline deadline) {
        LogRecord record = single.records().get(0);
        if (repaired) {
            stats.recordDropped(DropReason.REJECTED, 1);
            stats.recordError(describe(failure));
            reporter.error("could not store a " + record.type().dbValue()
                    + " log record at " + record.timestamp() + ", not even repaired (" + describe(failure) + ")", failure);
            return List.of();
        }
        long total = stats.recordRepaired();
        if (isPowerOfTen(total)) {
            reporter.warn("stored " + total + " row(s) in a repaired form because the "
                    + "database refused them as logged; see metadata.log.rejected_original (latest: " + describe(failure) + ")");
        }
        LogRecord safe = RowRepair.safeVersion(record, failure);
        UUID repairedId = UUID.nameUUIDFromBytes((single.id() + ":repaired").getBytes(StandardCharsets.UTF_8));
        return write(new Batch(repairedId, List.of(safe), single.durable()), true, deadline);
    }

    private static boolean isPowerOfTen(long n) {
        while (n >= 10 && n % 10 == 0) {
            n /= 10;
        }
        return n == 1;
    }

    /** Parked records count against the queue bound, like the queued ones. */
    private void syncParkedBytes() {
        long now = parked.bytes();
        anyParked = now > 0;
        if (now != parkedBytesHeld) {
            parkedBytesChanged.accept(now - parkedBytesHeld);
            parkedBytesHeld = now;
        }
    }

    /** Sleeps between retries; the deadline being set (a stop) cuts the pause short, so the last attempts happen in time. */
    private void pause(long nanos, Deadline deadline) {
        long end = System.nanoTime() + nanos;
        boolean wasStopping = deadline.isSet();
        while (deadline.cap(end) - System.nanoTime() > 0) {
            deadline.sleepUntil(end);
            dropWarnings.reportIfDue(System.nanoTime(), false);
            if (!wasStopping && deadline.isSet()) {
                return;
            }
        }
    }

    private void markDatabaseAvailable() {
        if (!databaseAvailable) {
            databaseAvailable = true;
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - outageStartNanos);
            reporter.info("reached the database again after " + seconds + " s");
        }
    }

    private void markDatabaseUnavailable(WriteException failure, int batchSize) {
        if (databaseAvailable) {
            databaseAvailable = false;
            outageStartNanos = System.nanoTime();
            reporter.warn("cannot write to the database (" + describe(failure)
                    + "); keeping " + batchSize + " record(s) and retrying with backoff");
        }
    }

    static String describe(WriteException e) {
        return e.sqlState() == null ? e.getMessage() : "SQLSTATE " + e.sqlState() + ": " + e.getMessage();
    }
}
