package io.stratal.logs.faults;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.logback.UnifiedLogAppender;
import io.stratal.logs.testing.Burst;
import io.stratal.logs.testing.LogbackContexts;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.MDC;

/**
 * A separate JVM for {@link CrashIT}: logs with a spool while its database is unreachable, says "SPOOLED" once
 * the appender has put every line on disk, then waits to be killed.
 *
 * <p>Arguments: {@code url spoolDirectory count jobRunId} logs {@code count} lines of one job run from one thread.
 * {@code url spoolDirectory count jobRunId,... writers} has {@link Burst#THREADS} threads log
 * {@code count} lines each of their job runs and as many system lines, through {@code writers} writers.
 */
public final class SpoolingChild {

    private SpoolingChild() {
    }

    public static void main(String[] args) throws Exception {
        boolean writers = args.length > 4;
        LoggerContext context = LogbackContexts.fromResource("config/spooled.xml", writers
                ? Map.of("url", args[0], "spoolDirectory", args[1], "writers", args[4], "poolSize", args[4])
                : Map.of("url", args[0], "spoolDirectory", args[1]));
        int count = Integer.parseInt(args[2]);
        UnifiedLogAppender appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED");
        long total;
        if (writers) {
            total = Burst.logLines(context, List.of(args[3].split(",")), 0, count);
        } else {
            Logger log = context.getLogger("com.example.Child");
            MDC.put("job_run_id", args[3]);
            for (int i = 0; i < count; i++) {
                log.info("t0 n{}", i);
            }
            total = count;
        }
        while (appender.getStats().spooled() < total) {
            Thread.onSpinWait();
        }
        System.out.println("SPOOLED " + appender.getStats().spooled());
        System.out.flush();
        new CountDownLatch(1).await(); // until kill -9
    }
}
