package io.stratal.logs.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.pipeline.Batch;
import io.stratal.logs.pipeline.BatchSink;
import io.stratal.logs.writer.LogWriterConfig;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;

/**
 * DESIGN's delivery guarantee 1: the default queue absorbs a burst of 100,000 typical events while the
 * database writes nothing at all, so no caller waits. Typical is the benchmark's task line: a job and task
 * run in the MDC, a message with three arguments, two key-value pairs.
 */
@Timeout(60)
class DefaultQueueBoundTest {

    @Test
    void theDefaultQueueTakesABurstOf100000TypicalEventsWithoutMakingACallerWait() throws Exception {
        CountDownLatch databaseBack = new CountDownLatch(1);
        AtomicLong stored = new AtomicLong();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter());
        UnifiedLogAppender appender = new UnifiedLogAppender();
        appender.setSinkFactory((name, status) -> new BatchSink() {
            @Override
            public void write(Batch batch) {
                try {
                    databaseBack.await(); // a database that takes the first batch and does not answer yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                stored.addAndGet(batch.size());
            }

            @Override
            public void close() {
            }
        });
        appender.setContext(context);
        appender.setName("UNIFIED");
        appender.setRegisterShutdownHook(false);
        appender.setJmx(false);
        appender.setMicrometer(false);
        appender.start();
        assertThat(appender.isStarted()).isTrue();
        Logger log = context.getLogger("com.example.bench.Importer");
        log.addAppender(appender);

        int events = 100_000;
        String job = UUID.randomUUID().toString();
        try {
            for (int i = 0; i < events; i++) {
                MDC.put("job_run_id", job);
                MDC.put("task_run_id", UUID.nameUUIDFromBytes(new byte[] {(byte) (i % 10)}).toString());
                log.atInfo().setMessage("Processed batch {} of the nightly import: {} records, {} skipped")
                        .addArgument(i).addArgument(250).addArgument(3)
                        .addKeyValue("rows", i).addKeyValue("source", "s3://bucket/key").log();
            }
        } finally {
            MDC.clear();
        }

        assertThat(appender.getStats().blocked()).as("callers that had to wait for room").isZero();
        assertThat(appender.getStats().droppedTotal()).isZero();
        assertThat(appender.getStats().written()).as("the database has not answered yet").isZero();
        assertThat(appender.getQueueBytes()).isLessThanOrEqualTo(LogWriterConfig.DEFAULT_MAX_QUEUE_BYTES);

        databaseBack.countDown();
        context.stop();
        assertThat(stored.get()).isEqualTo(events);
    }
}
