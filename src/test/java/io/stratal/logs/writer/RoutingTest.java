package io.stratal.logs.writer;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratal.logs.LogLevel;
import io.stratal.logs.LogRecord;
import io.stratal.logs.LogStream;
import io.stratal.logs.LogType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Where runs go among several writers, and when one may move. */
@Timeout(30)
class RoutingTest {

    private static final long MOVE_ABOVE = 1_000;

    /** A writer whose load and backlog the test sets. */
    private static final class FakeLane implements Routing.Lane {
        volatile long load;
        volatile boolean backlog;

        @Override
        public long load() {
            return load;
        }

        @Override
        public boolean holdsBacklog() {
            return backlog;
        }
    }

    private final FakeLane first = new FakeLane();
    private final FakeLane second = new FakeLane();
    private final Routing routing = new Routing(List.of(first, second), MOVE_ABOVE);

    private static LogRecord jobLine(UUID job) {
        return new LogRecord(LogType.JOB, job, null, Instant.now(), LogLevel.INFO, LogStream.STDOUT, "m", "L", "t", null);
    }

    @Test
    void newRunsAreSpreadEvenlyWhatEverTheirHashes() {
        int[] perLane = new int[2];
        for (int i = 0; i < 64; i++) {
            perLane[routing.acquire(UUID.randomUUID()).lane()]++;
        }
        assertThat(perLane).containsExactly(32, 32);
        assertThat(routing.runsPerLane()).containsExactly(32, 32);
    }

    @Test
    void aNewRunGoesToTheLeastLoadedWriter() {
        first.load = 10 * MOVE_ABOVE;
        for (int i = 0; i < 10; i++) {
            assertThat(routing.acquire(UUID.randomUUID()).lane()).isEqualTo(1);
        }
    }

    @Test
    void aRunStaysWhileAnyOfItsRecordsIsInItsWritersQueue() {
        UUID run = UUID.randomUUID();
        int lane = routing.acquire(run).lane();
        lanes().get(lane).load = 10 * MOVE_ABOVE;
        assertThat(routing.acquire(run).lane()).as("two records pending").isEqualTo(lane);
        routing.released(List.of(jobLine(run)));
        assertThat(routing.pending(run)).isEqualTo(1);
        assertThat(routing.acquire(run).lane()).as("one still pending").isEqualTo(lane);
        assertThat(routing.moves()).isZero();
    }

    @Test
    void anIdleRunOfALoadedWriterMovesToTheLeastLoaded() {
        UUID run = UUID.randomUUID();
        int lane = routing.acquire(run).lane();
        routing.released(List.of(jobLine(run)));
        lanes().get(lane).load = 10 * MOVE_ABOVE;
        assertThat(routing.acquire(run).lane()).isEqualTo(1 - lane);
        assertThat(routing.moves()).isEqualTo(1);
        assertThat(routing.pending(run)).isEqualTo(1);
    }

    @Test
    void anIdleRunStaysWhenTheLoadsDifferByLessThanTheThreshold() {
        UUID run = UUID.randomUUID();
        int lane = routing.acquire(run).lane();
        routing.released(List.of(jobLine(run)));
        lanes().get(lane).load = MOVE_ABOVE;
        assertThat(routing.acquire(run).lane()).isEqualTo(lane);
        assertThat(routing.moves()).isZero();
    }

    @Test
    void noRunLeavesAWriterWithRecordsParkedOrOnDisk() {
        UUID run = UUID.randomUUID();
        int lane = routing.acquire(run).lane();
        routing.released(List.of(jobLine(run))); // parked or spooled: out of the queue, not in the table
        lanes().get(lane).load = 10 * MOVE_ABOVE;
        lanes().get(lane).backlog = true;
        assertThat(routing.acquire(run).lane()).isEqualTo(lane);
        routing.released(List.of(jobLine(run)));
        lanes().get(lane).backlog = false;
        assertThat(routing.acquire(run).lane()).isEqualTo(1 - lane);
    }

    @Test
    void aRecordTheWriterRefusedIsNoLongerPending() {
        UUID run = UUID.randomUUID();
        Routing.Route route = routing.acquire(run);
        int lane = route.lane();
        routing.refused(route);
        assertThat(routing.pending(run)).isZero();
        lanes().get(lane).load = 10 * MOVE_ABOVE;
        assertThat(routing.acquire(run).lane()).isEqualTo(1 - lane);
    }

    @Test
    void recordsWithoutRunAreRoutedByThreadAndThoseWithoutThreadTogether() {
        LogRecord system = new LogRecord(LogType.SYSTEM, null, null, Instant.now(), LogLevel.INFO, LogStream.STDOUT, "m", "L",
                "worker-1", null);
        LogRecord task = new LogRecord(LogType.TASK, null, new UUID(1, 2), Instant.now(), LogLevel.INFO, LogStream.STDOUT, "m",
                "L", "worker-1", null);
        LogRecord noThread = new LogRecord(LogType.SYSTEM, null, null, Instant.now(), LogLevel.INFO, LogStream.STDOUT, "m", "L",
                null, null);
        assertThat(Routing.key(system)).isEqualTo("worker-1");
        assertThat(Routing.key(task)).isEqualTo(new UUID(1, 2));
        assertThat(Routing.key(noThread)).isSameAs(Routing.key(noThread)).isNotNull();
    }

    @Test
    void idleRoutesAreDroppedPastTheBoundAndBusyOnesKept() {
        UUID busy = UUID.randomUUID();
        routing.acquire(busy);
        List<LogRecord> idle = routedRuns(Routing.SWEEP_ABOVE + 10);
        routing.released(idle);
        assertThat(routing.pending(busy)).isEqualTo(1);
        assertThat(routing.pending(idle.get(0).jobRunId())).as("dropped").isEqualTo(-1);
        assertThat(routing.runsPerLane()[0] + routing.runsPerLane()[1]).isEqualTo(1);
    }

    @Test
    void onceFrozenForTheStopNoRunMoves() {
        UUID run = UUID.randomUUID();
        int lane = routing.acquire(run).lane();
        routing.released(List.of(jobLine(run)));
        lanes().get(lane).load = 10 * MOVE_ABOVE;
        routing.freeze();
        assertThat(routing.acquire(run).lane()).isEqualTo(lane);
        assertThat(routing.moves()).isZero();
    }

    @Test
    void idleRoutesOfAWriterWithRecordsParkedOrOnDiskAreKeptBySweeps() {
        first.backlog = true;
        second.backlog = true;
        List<LogRecord> idle = routedRuns(Routing.SWEEP_ABOVE + 10);
        routing.released(idle); // spooled or parked, say: out of the queue, not in the table
        assertThat(idle).allSatisfy(record -> assertThat(routing.pending(record.jobRunId())).isZero());
        first.backlog = false;
        second.backlog = false;
        routing.released(List.of());
        assertThat(routing.pending(idle.get(0).jobRunId())).as("the next sweep, at twice the size, is not due yet").isZero();
        List<LogRecord> more = routedRuns(Routing.SWEEP_ABOVE + 100);
        routing.released(more);
        assertThat(routing.pending(idle.get(0).jobRunId())).as("dropped once the backlog is gone").isEqualTo(-1);
    }

    /**
     * Eight threads on one run while a ninth releases what they queued; every 1,000 records the threads wait for
     * their records to be out of the queues and the loads swap, so the run is idle on a loaded writer and moves;
     * the loads also swing while it is busy.
     * Whenever it moves, nothing of it is left in the queue it leaves, and the counts end at zero.
     */
    @Test
    void underContentionARunNeverMovesWithARecordPending() throws Exception {
        UUID run = UUID.randomUUID();
        List<ConcurrentLinkedQueue<LogRecord>> queues = List.of(new ConcurrentLinkedQueue<>(), new ConcurrentLinkedQueue<>());
        AtomicBoolean logging = new AtomicBoolean(true);
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        first.load = 10 * MOVE_ABOVE;
        CyclicBarrier pause = new CyclicBarrier(8, () -> {
            while (!queues.get(0).isEmpty() || !queues.get(1).isEmpty()) {
                Thread.onSpinWait();
            }
            long swap = first.load;
            first.load = second.load;
            second.load = swap;
        });
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(new Thread(() -> {
                int last = -1;
                try {
                    for (int i = 0; i < 20_000; i++) {
                        if (i % 1_000 == 0) {
                            pause.await();
                        }
                        int lane = routing.acquire(run).lane();
                        if (last >= 0 && lane != last && !queues.get(last).isEmpty()) {
                            violations.add("moved to " + lane + " with " + queues.get(last).size() + " queued on " + last);
                        }
                        queues.get(lane).add(jobLine(run));
                        last = lane;
                    }
                } catch (Exception e) {
                    violations.add(e.toString());
                }
            }));
        }
        Thread releaser = new Thread(() -> {
            for (int round = 0; logging.get() || !queues.get(0).isEmpty() || !queues.get(1).isEmpty(); round++) {
                if (round % 50 == 0) { // and the loads swing while the run is busy too: it must stay then
                    long swap = first.load;
                    first.load = second.load;
                    second.load = swap;
                }
                for (ConcurrentLinkedQueue<LogRecord> queue : queues) {
                    List<LogRecord> batch = new ArrayList<>();
                    LogRecord record;
                    while (batch.size() < 100 && (record = queue.poll()) != null) {
                        batch.add(record);
                    }
                    routing.released(batch);
                }
            }
        });
        releaser.start();
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        logging.set(false);
        releaser.join();
        assertThat(violations).isEmpty();
        assertThat(routing.pending(run)).isZero();
        assertThat(routing.moves()).as("idle on a loaded writer now and then").isPositive();
    }

    /** Routes {@code count} new runs one record each; returns those records, for the test to release. */
    private List<LogRecord> routedRuns(int count) {
        List<LogRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            UUID run = UUID.randomUUID();
            routing.acquire(run);
            records.add(jobLine(run));
        }
        return records;
    }

    private List<FakeLane> lanes() {
        return List.of(first, second);
    }
}
