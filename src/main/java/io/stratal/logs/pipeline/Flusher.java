package io.stratal.logs.pipeline;

import io.stratal.logs.LogRecord;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that writes. It waits for a full batch or for {@code flushInterval} since the last batch,
 * writes, and repeats; on stop it drains the queue until the grace period runs out.
 *
 * <p>Failures are sorted by kind. A connection failure keeps the batch and retries it after a backoff,
 * because the same rows will succeed once the database is back. Any other failure is about some row in
 * the batch: the batch is halved until the failing row stands alone, so one bad row never costs the rest.
 */
final class Flusher implements Runnable {

    private static final long DROP_REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final PipelineConfig config;
    private final RecordQueue queue;
    private final BatchSink sink;
    private final PipelineStats stats;
    private final Reporter reporter;
    private final Backoff backoff;
    private final DropReporter dropReporter;

    private volatile boolean stopRequested;
    private volatile long stopDeadlineNanos;
    private volatile boolean databaseAvailable = true;
    private volatile int inFlight;
    private long outageStartNanos;
    private long lastFlushNanos = System.nanoTime();

    Flusher(PipelineConfig config, RecordQueue queue, BatchSink sink, PipelineStats stats, Reporter reporter) {
        this.config = config;
        this.queue = queue;
        this.sink = sink;
        this.stats = stats;
        this.reporter = reporter;
        this.backoff = new Backoff(config.minRetryBackoff(), config.maxRetryBackoff());
        this.dropReporter = new DropReporter(config.name(), stats, reporter, DROP_REPORT_INTERVAL_NANOS);
    }

    @Override
    public void run() {
        try {
            runFlushLoop();
        } catch (Throwable t) {
            // Only a bug gets here; say so loudly rather than die silently with records queued.
            stats.recordError(t.toString());
            reporter.error("Appender [" + config.name() + "] flusher stopped unexpectedly; "
                    + queue.size() + " record(s) left unwritten", t);
        } finally {
            dropReporter.reportIfDue(System.nanoTime(), true);
        }
    }

    private void runFlushLoop() {
        while (true) {
            List<LogRecord> batch = nextBatch();
            if (batch.isEmpty()) {
                if (stopRequested) {
                    return;
                }
                continue;
            }
            if (stopRequested && pastStopDeadline()) {
                List<LogRecord> rest = queue.drain(Integer.MAX_VALUE);
                drop(batch, DropReason.SHUTDOWN);
                drop(rest, DropReason.SHUTDOWN);
                queue.release(batch);
                queue.release(rest);
                return;
            }
            inFlight = batch.size();
            deliver(Batch.of(batch));
            queue.release(batch);
            inFlight = 0;
            lastFlushNanos = System.nanoTime();
            dropReporter.reportIfDue(lastFlushNanos, false);
        }
    }

    /** Waits until a batch is due, then takes it. Empty only when a stop was requested and nothing is left. */
    private List<LogRecord> nextBatch() {
        long intervalNanos = config.flushInterval().toNanos();
        while (!stopRequested) {
            int waiting = queue.size();
            if (waiting >= config.batchSize()) {
                break;
            }
            long now = System.nanoTime();
            long due = lastFlushNanos + intervalNanos;
            if (waiting > 0 && now - due >= 0) {
                break;
            }
            queue.awaitRecords(waiting > 0 ? due - now : intervalNanos);
            if (waiting == 0) {
                dropReporter.reportIfDue(System.nanoTime(), false);
            }
        }
        return queue.drain(config.batchSize());
    }

    private void deliver(Batch batch) {
        int attempt = 0;
        while (true) {
            WriteException failure;
            try {
                sink.write(batch);
                stats.recordBatchWritten(batch.size());
                markDatabaseAvailable();
                return;
            } catch (WriteException e) {
                failure = e;
            } catch (RuntimeException e) {
                failure = new WriteException(WriteException.Kind.OTHER, null, e.toString(), e);
            }
            if (failure.kind() == WriteException.Kind.UNAVAILABLE) {
                markDatabaseUnavailable(failure, batch.size());
                if (stopRequested && pastStopDeadline()) {
                    drop(batch.records(), DropReason.SHUTDOWN);
                    return;
                }
                stats.recordRetry(describe(failure));
                pause(backoff.delayNanos(attempt++));
                continue;
            }
            if (batch.size() == 1) {
                reject(batch.records().get(0), failure);
                return;
            }
            int half = batch.size() / 2;
            deliver(batch.part(0, half));
            deliver(batch.part(half, batch.size()));
            return;
        }
    }

    private void reject(LogRecord record, WriteException failure) {
        stats.recordDropped(DropReason.REJECTED, 1);
        stats.recordError(describe(failure));
        reporter.error("Appender [" + config.name() + "] could not store a " + record.type().dbValue()
                + " log record at " + record.timestamp() + " (" + describe(failure) + ")", failure);
    }

    /** Counts records given up; the caller releases their room in the queue. */
    private void drop(List<LogRecord> records, DropReason reason) {
        if (!records.isEmpty()) {
            stats.recordDropped(reason, records.size());
        }
    }

    /** Sleeps between retries; a stop request cuts the pause short so the last attempts happen in time. */
    private void pause(long nanos) {
        long end = System.nanoTime() + nanos;
        if (stopRequested) {
            end = Math.min(end, stopDeadlineNanos);
        }
        long remaining;
        while ((remaining = end - System.nanoTime()) > 0) {
            boolean wasStopping = stopRequested;
            queue.awaitRecords(remaining);
            dropReporter.reportIfDue(System.nanoTime(), false);
            if (!wasStopping && stopRequested) {
                return;
            }
        }
    }

    private void markDatabaseAvailable() {
        if (!databaseAvailable) {
            databaseAvailable = true;
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - outageStartNanos);
            reporter.info("Appender [" + config.name() + "] reached the database again after " + seconds + " s");
        }
    }

    private void markDatabaseUnavailable(WriteException failure, int batchSize) {
        if (databaseAvailable) {
            databaseAvailable = false;
            outageStartNanos = System.nanoTime();
            reporter.warn("Appender [" + config.name() + "] cannot write to the database (" + describe(failure)
                    + "); keeping " + batchSize + " record(s) and retrying with backoff");
        }
    }

    private boolean pastStopDeadline() {
        return System.nanoTime() - stopDeadlineNanos >= 0;
    }

    private static String describe(WriteException e) {
        return e.sqlState() == null ? e.getMessage() : "SQLSTATE " + e.sqlState() + ": " + e.getMessage();
    }

    /** Asks the loop to drain what is queued and end, giving up at {@code deadlineNanos}. */
    void requestStop(long deadlineNanos) {
        stopDeadlineNanos = deadlineNanos;
        stopRequested = true;
        queue.wakeConsumer();
    }

    boolean isDatabaseAvailable() {
        return databaseAvailable;
    }

    /** Records taken from the queue and not yet written or dropped. */
    int inFlight() {
        return inFlight;
    }
}
