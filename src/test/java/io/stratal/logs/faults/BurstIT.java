package io.stratal.logs.faults;

import static io.stratal.logs.faults.OutageIT.assertEveryLineOnceInOrder;
import static io.stratal.logs.faults.OutageIT.jobRunIds;
import static io.stratal.logs.faults.OutageIT.logWave;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.status.Status;
import io.stratal.logs.logback.UnifiedLogAppender;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.LogbackContexts;
import io.stratal.logs.testing.TcpProxy;
import io.stratal.logs.testing.TestDatabase;
import io.stratal.logs.pipeline.DropReason;
import io.stratal.logs.pipeline.PipelineMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bursts against a real database with the appender at its defaults: logging faster than the database
 * writes loses nothing while it commits, and a database that stops answering frees the callers.
 */
@Timeout(180)
class BurstIT {

    @RegisterExtension
    final DatabaseExtension database = new DatabaseExtension();
    private LoggerContext context;
    private TcpProxy proxy;

    @AfterEach
    void tearDown() {
        if (context != null) {
            context.stop();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    /** The appender with nothing but a database set, as an application adds it. */
    private LoggerContext defaults(String url, String... extra) {
        StringBuilder settings = new StringBuilder("<url>" + url + "</url><registerShutdownHook>false</registerShutdownHook>");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            settings.append('<').append(extra[i]).append('>').append(extra[i + 1]).append("</").append(extra[i]).append('>');
        }
        return LogbackContexts.fromXml("<configuration><appender name=\"UNIFIED\" class=\"io.stratal.logs.logback.UnifiedLogAppender\">"
                + settings + "</appender><root level=\"INFO\"><appender-ref ref=\"UNIFIED\"/></root></configuration>", Map.of());
    }

    @Test
    void aBurstFasterThanTheDatabaseIsStoredWholeWithDefaultSettings() throws Exception {
        TestDatabase db = database.get();
        context = defaults(db.url());
        Logger log = context.getLogger("com.example.Burst");
        UnifiedLogAppender appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED");
        // 300,000 typical lines (two key-value pairs, about 380 estimated bytes each) as fast as two threads
        // can: twice what the default 48 MB queue holds
        int perThread = 150_000;

        typicalWave(log, jobRunIds(2), perThread);
        context.stop();

        assertThat(appender.getStats().droppedTotal()).as(appender.getStats().toString()).isZero();
        assertThat(appender.getStats().blocked()).as("the burst outran the database, so callers waited").isPositive();
        assertEveryLineOnceInOrder(db, 2, perThread);
    }

    /** Like {@link OutageIT#logWave}, with the benchmark's key-value pairs: lines the size of a typical event. */
    private static void typicalWave(Logger log, List<String> jobRunIds, int perThread) throws InterruptedException {
        List<Thread> workers = new java.util.ArrayList<>();
        for (int t = 0; t < jobRunIds.size(); t++) {
            String job = jobRunIds.get(t);
            int thread = t;
            workers.add(new Thread(() -> {
                org.slf4j.MDC.put("job_run_id", job);
                for (int i = 0; i < perThread; i++) {
                    log.atInfo().setMessage("Import batch t{} n{}").addArgument(thread).addArgument(i).addKeyValue("rows", i)
                            .addKeyValue("source", "s3://bucket/imports/2026/11/29/part-00042.csv").log();
                }
                org.slf4j.MDC.clear();
            }));
        }
        workers.forEach(Thread::start);
        for (Thread worker : workers) {
            worker.join();
        }
    }

    @Test
    void aDatabaseThatStopsAnsweringFreesTheCallersAfterMaxBlockTimeAndCountsTheDrops() throws Exception {
        TestDatabase db = database.get();
        proxy = TcpProxy.inFrontOf(db.url());
        context = defaults(proxy.url(db.url()), "maxQueueBytes", "1 MB", "maxBlockTime", "1 second");
        Logger log = context.getLogger("com.example.Stall");
        UnifiedLogAppender appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED");
        List<String> jobs = jobRunIds(2);
        logWave(log, jobs, 0, 50); // the runs of the flood
        long lines = 100;
        await().atMost(Duration.ofSeconds(30)).until(() -> appender.getStats().written() == 100);
        // Every writer connects before the stall: one that never had a connection meets the stall in its first
        // attempt and counts its drops as database_unavailable. Both runs land on one writer when their threads
        // place them at the same instant; a new run then goes to the writer with fewer runs.
        List<PipelineMXBean> writers = appender.getWriterPipelines();
        for (int tries = 0; tries < 20 && writers.stream().anyMatch(w -> w.getRecordsWritten() == 0); tries++) {
            logWave(log, jobRunIds(1), 0, 1);
            long logged = ++lines;
            await().atMost(Duration.ofSeconds(30)).until(() -> appender.getStats().written() == logged);
        }
        assertThat(writers).as("every writer has written").allSatisfy(w -> assertThat(w.getRecordsWritten()).isPositive());

        proxy.stall();
        CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
            try {
                logWave(log, jobs, 50, 20_050); // far more than a 1 MB queue holds
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().atMost(Duration.ofSeconds(60)).until(flood::isDone); // while the database still does not answer
        long stalled = appender.getStats().dropped(DropReason.DATABASE_STALLED);
        String afterFlood = appender.getStats().toString();
        assertThat(stalled).as("lines given up once nothing committed for maxBlockTime: %s", appender.getStats()).isPositive();
        assertThat(LogbackContexts.statusMessages(context, Status.WARN))
                .anySatisfy(w -> assertThat(w).contains("database_stalled").contains("maxBlockTime"));

        proxy.resume();
        context.stop();
        long rows = db.count("SELECT count(*) FROM logs");
        assertThat(rows + appender.getStats().droppedTotal()).as("every line is a row or a counted drop").isEqualTo(lines + 40_000);
        assertThat(appender.getStats().droppedTotal()).as("after the flood: %s; after the stop: %s", afterFlood, appender.getStats())
                .isEqualTo(stalled);
    }
}
