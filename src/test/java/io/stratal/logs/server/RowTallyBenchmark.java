package io.stratal.logs.server;

import io.stratal.logs.query.StoredLog;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The row tally's cost on the feed's path: one page of {@link #ROWS} rows as the feed reads them (every string
 * and id a new object, as pgjdbc makes them), job lines of 64 runs interleaved (the worst case for the run cache's
 * neighbours), one in 20 an error. The benchmark's {@code metrics} part divides it by the rows and compares it with
 * the feed thread's CPU per row.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RowTallyBenchmark {

    public static final int ROWS = 2000;

    private final List<StoredLog> page = new ArrayList<>();
    private RowTally tally;
    private long now;

    @Setup
    public void setUp() {
        UUID[] runs = new UUID[64];
        for (int i = 0; i < runs.length; i++) {
            runs[i] = UUID.randomUUID();
        }
        for (int i = 0; i < ROWS; i++) {
            UUID run = runs[i % runs.length];
            page.add(new StoredLog(i, new String("job"), new UUID(run.getMostSignificantBits(), run.getLeastSignificantBits()),
                    null, null, new String(i % 20 == 0 ? "error" : "info"), new String("stdout"), "line " + i, "{}"));
        }
        tally = new RowTally(TimeUnit.MINUTES.toNanos(15), RowTally.DEFAULT_MAX_RUNS);
    }

    @Benchmark
    public RowTally countPage() {
        now += 1_000_000;
        tally.count(page, now);
        return tally;
    }
}
