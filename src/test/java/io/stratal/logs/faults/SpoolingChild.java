package io.stratal.logs.faults;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.stratal.logs.logback.UnifiedLogAppender;
import io.stratal.logs.testing.LogbackContexts;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.MDC;

/**
 * A separate JVM for {@link CrashIT}: logs {@code count} lines with a spool while its database is
 * unreachable, says "SPOOLED" once the appender has put them all on disk, then waits to be killed.
 * Arguments: url spoolDirectory count jobRunId.
 */
public final class SpoolingChild {

    private SpoolingChild() {
    }

    public static void main(String[] args) throws Exception {
        LoggerContext context = LogbackContexts.fromResource("config/spooled.xml",
                Map.of("url", args[0], "spoolDirectory", args[1]));
        int count = Integer.parseInt(args[2]);
        Logger log = context.getLogger("com.example.Child");
        UnifiedLogAppender appender = (UnifiedLogAppender) context.getLogger("ROOT").getAppender("UNIFIED");
        MDC.put("job_run_id", args[3]);
        for (int i = 0; i < count; i++) {
            log.info("t0 n{}", i);
        }
        while (appender.getStats().spooled() < count) {
            Thread.onSpinWait();
        }
        System.out.println("SPOOLED " + appender.getStats().spooled());
        System.out.flush();
        new CountDownLatch(1).await(); // until kill -9
    }
}
