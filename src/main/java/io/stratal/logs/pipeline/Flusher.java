package io.stratal.logs.pipeline;

import io.stratal.logs.LogRecord;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that writes. It waits for a full batch or for {@code flushInterval} since the last batch,
 * hands the batch to {@link Delivery}, and repeats; rows waiting for a parent run are retried on the same
 * rhythm. On stop it drains the queue until the grace period runs out.
 */
final class Flusher implements Runnable, Delivery.StopSignal {

    private static final long DROP_REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long MIN_PARKED_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final PipelineConfig config;
    private final RecordQueue queue;
    private final PipelineStats stats;
    private final Reporter reporter;
    private final DropReporter dropReporter;
    private final Delivery delivery;
    private final long intervalNanos;
    private final long parkedRetryNanos;

    private volatile boolean stopRequested;
    private volatile long stopDeadlineNanos;
    private volatile int inFlight;
    private long lastFlushNanos = System.nanoTime();
    private long lastParkedRetryNanos = System.nanoTime();

    Flusher(PipelineConfig config, RecordQueue queue, BatchSink sink, PipelineStats stats, Reporter reporter) {
        this.config = config;
        this.queue = queue;
        this.stats = stats;
        this.reporter = reporter;
        this.dropReporter = new DropReporter(config.name(), stats, reporter, DROP_REPORT_INTERVAL_NANOS);
        this.delivery = new Delivery(config, sink, stats, reporter, queue, dropReporter, this);
        this.intervalNanos = config.flushInterval().toNanos();
        this.parkedRetryNanos = Math.max(intervalNanos, MIN_PARKED_RETRY_NANOS);
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
            if (delivery.hasParked() && (stopRequested || System.nanoTime() - lastParkedRetryNanos >= parkedRetryNanos)) {
                lastParkedRetryNanos = System.nanoTime();
                giveUp(delivery.retryParked());
            }
            if (batch.isEmpty()) {
                if (stopRequested && !delivery.hasParked()) {
                    return;
                }
                continue;
            }
            if (stopRequested && pastDeadline()) {
                giveUp(batch);
                queue.release(batch);
                List<LogRecord> rest = queue.drain(Integer.MAX_VALUE);
                giveUp(rest);
                queue.release(rest);
                return;
            }
            inFlight = batch.size();
            giveUp(delivery.deliver(batch));
            queue.release(batch);
            inFlight = 0;
            lastFlushNanos = System.nanoTime();
            dropReporter.reportIfDue(lastFlushNanos, false);
        }
    }

    /**
     * Waits until a batch is due, then takes it. Returns early (maybe empty) when parked rows are due for a
     * retry, and at once, with whatever is queued, once a stop was requested.
     */
    private List<LogRecord> nextBatch() {
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
            long parkedDue = lastParkedRetryNanos + parkedRetryNanos;
            if (delivery.hasParked() && now - parkedDue >= 0) {
                break;
            }
            long wait = waiting > 0 ? due - now : intervalNanos;
            if (delivery.hasParked()) {
                wait = Math.min(wait, parkedDue - now);
            }
            queue.awaitRecords(wait);
            if (waiting == 0) {
                dropReporter.reportIfDue(System.nanoTime(), false);
            }
        }
        return queue.drain(config.batchSize());
    }

    /** Records that could not be written before the stop deadline. */
    private void giveUp(List<LogRecord> records) {
        if (!records.isEmpty()) {
            stats.recordDropped(DropReason.SHUTDOWN, records.size());
        }
    }

    private boolean pastDeadline() {
        return System.nanoTime() - stopDeadlineNanos >= 0;
    }

    /** Asks the loop to drain what is queued and end, giving up at {@code deadlineNanos}. */
    void requestStop(long deadlineNanos) {
        stopDeadlineNanos = deadlineNanos;
        stopRequested = true;
        queue.wakeConsumer();
    }

    @Override
    public boolean stopRequested() {
        return stopRequested;
    }

    @Override
    public long deadlineNanos() {
        return stopDeadlineNanos;
    }

    boolean isDatabaseAvailable() {
        return delivery.isDatabaseAvailable();
    }

    /** Records taken from the queue and not yet written or dropped, including those waiting for a parent. */
    int inFlight() {
        return inFlight + delivery.parkedCount();
    }
}
