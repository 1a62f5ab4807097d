package io.stratal.logs.spring.boot;

import io.stratal.logs.pipeline.PipelineMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The health of the logging path, the same on each Spring Boot line (each has its own health types):
 * <ul>
 *   <li>{@code UP} while batches commit (or nothing waits);
 *   <li>{@code SPOOLING} while the database is unreachable and the spool takes the records: nothing is lost
 *       yet. Spring Boot does not know the status: it answers HTTP 200 and, unless
 *       {@code management.endpoint.health.status.order} names it, ranks it above the others;
 *   <li>{@code DOWN} while the database is unreachable and records wait in memory only, or when records wait
 *       and nothing has been committed for {@link #STALLED};
 *   <li>{@code UNKNOWN} with no appender attached.
 * </ul>
 * The details: the database's state, the records waiting in the queue and the bytes held by all unwritten
 * records (the batch being retried included), the last commit and its age, dropped records by reason, spool
 * bytes and the last error.
 */
record HealthReport(String status, Map<String, Object> details) {

    /** The status of a spool absorbing an outage. */
    static final String SPOOLING = "SPOOLING";

    /** Records waiting this long without a commit mean the writer is stuck, even if the last write succeeded. */
    static final Duration STALLED = Duration.ofMinutes(1);

    static HealthReport of(PipelineMXBean pipeline, boolean attached, Instant now) {
        Map<String, Object> details = new LinkedHashMap<>();
        if (!attached) {
            details.put("reason", "no unified log appender is attached to logback");
            return new HealthReport("UNKNOWN", details);
        }
        boolean available = pipeline.isDatabaseAvailable();
        details.put("database", available ? "available" : "unreachable");
        details.put("queuedRecords", pipeline.getQueueSize());
        details.put("queuedBytes", pipeline.getQueueBytes());
        String last = pipeline.getLastWriteTime();
        Duration age = last == null ? null : Duration.between(Instant.parse(last), now);
        if (last != null) {
            details.put("lastCommit", last);
            details.put("lastCommitAge", age.toString());
        }
        Map<String, Long> dropped = new TreeMap<>();
        pipeline.getRecordsDroppedByReason().forEach((reason, count) -> {
            if (count > 0) {
                dropped.put(reason, count);
            }
        });
        details.put("dropped", dropped);
        details.put("spoolBytes", pipeline.getSpoolBytes());
        String error = pipeline.getLastError();
        if (error != null) {
            details.put("lastError", error);
        }
        if (!available) {
            return new HealthReport(pipeline.isSpilling() ? SPOOLING : "DOWN", details);
        }
        if (pipeline.getQueueBytes() > 0 && age != null && age.compareTo(STALLED) > 0) {
            details.put("reason", "records wait and nothing was committed for " + age.toSeconds() + " s");
            return new HealthReport("DOWN", details);
        }
        return new HealthReport("UP", details);
    }

    static HealthReport now() {
        return of(new AttachedPipeline(), AttachedPipeline.appender() != null, Instant.now());
    }
}
