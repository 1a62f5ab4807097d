package io.stratal.logs.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.MDC;

/**
 * The several-writers burst: {@link #THREADS} threads ({@code burst-<t>}) each log lines of their share of the job
 * runs, interleaved, and as many system lines of their own. Every message is "key number", the key being the run
 * id or {@code system-<t>}, so a test can check that each key kept its logging order.
 */
public final class Burst {

    public static final int THREADS = 4;

    private Burst() {
    }

    /**
     * Logs lines {@code from} (inclusive) to {@code to} (exclusive) of every key, through {@code context}; returns
     * once every thread is done, with the number of lines logged.
     *
     * @param runs job run ids, a multiple of {@link #THREADS}: thread t logs the t-th share of them
     */
    public static long logLines(LoggerContext context, List<String> runs, int from, int to) throws InterruptedException {
        int perThread = runs.size() / THREADS;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            threads.add(new Thread(() -> {
                Logger log = context.getLogger("com.example.Burst");
                for (int i = from; i < to; i++) {
                    String run = runs.get(thread * perThread + i % perThread);
                    MDC.put("job_run_id", run);
                    log.info("{} {}", run, i);
                    MDC.remove("job_run_id");
                    log.info("system-{} {}", thread, i);
                }
            }, "burst-" + t));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        return 2L * THREADS * (to - from);
    }
}
