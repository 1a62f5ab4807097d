package io.stratal.logs.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratal.logs.query.LogFilter;
import io.stratal.logs.query.StoredLog;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Stream clients without a server: filtering, pacing, a slow client, the client limit, heartbeats. */
@Timeout(30)
class SubscriberTest {

    private final StreamHub hub = new StreamHub(null, 5, 3, Duration.ofMillis(300), Duration.ofMillis(50));

    @AfterEach
    void close() {
        hub.close();
    }

    private static List<StoredLog> rows(UUID job, long from, long to) {
        return LongStream.range(from, to).mapToObj(id -> new StoredLog(id, "job", job, null, null, "info", "system", "m" + id, null)).toList();
    }

    /** A client whose connection takes rows until it is told to stall. */
    private static final class FakeSink implements Subscriber.Sink {
        final List<Long> sent = new CopyOnWriteArrayList<>();
        final List<String> closed = new CopyOnWriteArrayList<>();
        final List<Long> readyAt = new CopyOnWriteArrayList<>();
        volatile int heartbeats;
        volatile CountDownLatch stall = new CountDownLatch(0);

        @Override
        public boolean send(StoredLog log) {
            try {
                stall.await();
            } catch (InterruptedException e) {
                return false;
            }
            sent.add(log.id());
            return true;
        }

        @Override
        public boolean heartbeat() {
            heartbeats++;
            return true;
        }

        @Override
        public boolean ready(long position) {
            readyAt.add(position);
            return true;
        }

        @Override
        public void close(String reason) {
            closed.add(reason);
        }
    }

    @Test
    void aClientGetsTheRowsOfItsJobRunInOrder() {
        UUID job = UUID.randomUUID();
        FakeSink sink = new FakeSink();
        hub.subscribe(LogFilter.jobRun(job), null, sink, "sse");
        hub.publish(rows(job, 1, 3), 2);
        hub.publish(rows(UUID.randomUUID(), 3, 5), 4);
        hub.publish(rows(job, 5, 7), 6);
        await().until(() -> sink.sent.size() == 4);
        assertThat(sink.sent).containsExactly(1L, 2L, 5L, 6L);
        assertThat(sink.readyAt).containsExactly(Long.MIN_VALUE); // subscribed before the feed said anything

        FakeSink later = new FakeSink();
        hub.subscribe(LogFilter.jobRun(job), null, later, "sse");
        await().until(() -> later.readyAt.size() == 1);
        assertThat(later.readyAt).containsExactly(6L);
    }

    @Test
    void aClientThatFallsTooFarBehindIsClosedWithTheReasonAndTheOthersGoOn() {
        UUID job = UUID.randomUUID();
        FakeSink slow = new FakeSink();
        slow.stall = new CountDownLatch(1);
        FakeSink fast = new FakeSink();
        hub.subscribe(LogFilter.all(), null, slow, "sse");
        hub.subscribe(LogFilter.all(), null, fast, "ws");
        for (long id = 1; id <= 20; id += 2) {
            hub.publish(rows(job, id, id + 2), id + 1);
            long expected = id + 1;
            await().until(() -> fast.sent.size() == expected); // the fast client keeps up
        }
        await().until(() -> slow.closed.size() == 1);
        assertThat(slow.closed.get(0)).contains("fell 5 rows behind").contains("reconnect with the last id");
        assertThat(hub.count("sse")).isZero();
        await().until(() -> fast.sent.size() == 20);
        assertThat(hub.count("ws")).isEqualTo(1);
        slow.stall.countDown();
    }

    @Test
    void idleClientsGetHeartbeats() {
        FakeSink sink = new FakeSink();
        hub.subscribe(LogFilter.all(), null, sink, "sse");
        await().until(() -> sink.heartbeats >= 2);
    }

    @Test
    void theFeedWaitsUntilAClientHasRoomThenGoesOnWithNothingLost() throws Exception {
        UUID job = UUID.randomUUID();
        FakeSink sink = new FakeSink();
        sink.stall = new CountDownLatch(1);
        hub.subscribe(LogFilter.all(), null, sink, "sse");
        hub.publish(rows(job, 1, 6), 5); // a full queue of 5 (one of them may be in the stalled send)
        CountDownLatch roomFound = new CountDownLatch(1);
        Thread feed = new Thread(() -> {
            try {
                hub.awaitRoom(2);
                roomFound.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        feed.start();
        assertThat(roomFound.await(100, java.util.concurrent.TimeUnit.MILLISECONDS)).as("no room yet").isFalse();
        sink.stall.countDown();
        assertThat(roomFound.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        hub.publish(rows(job, 6, 8), 7);
        await().until(() -> sink.sent.size() == 7);
        assertThat(sink.sent).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(sink.closed).isEmpty();
    }

    @Test
    void aClientThatTakesNoRowsForTheStallLimitIsClosedAndTheFeedGoesOn() throws Exception {
        UUID job = UUID.randomUUID();
        FakeSink stuck = new FakeSink();
        stuck.stall = new CountDownLatch(1);
        FakeSink fast = new FakeSink();
        hub.subscribe(LogFilter.all(), null, stuck, "sse");
        hub.subscribe(LogFilter.all(), null, fast, "ws");
        hub.publish(rows(job, 1, 6), 5);
        long started = System.nanoTime();
        hub.awaitRoom(2);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        await().until(() -> stuck.closed.size() == 1);
        assertThat(stuck.closed.get(0)).contains("took no rows for 300 ms").contains("reconnect with the last id");
        assertThat(hub.count("sse")).isZero();
        await().until(() -> fast.sent.size() == 5);
        assertThat(fast.closed).isEmpty();
        stuck.stall.countDown();
    }

    @Test
    void pastTheClientLimitANewClientIsClosedWithTheReason() {
        assertThat(hub.tryAdmit()).isTrue();
        assertThat(hub.tryAdmit()).isTrue();
        assertThat(hub.subscribe(LogFilter.all(), null, new FakeSink(), "sse")).isNotNull();
        assertThat(hub.tryAdmit()).as("two subscribed or admitted, one place left").isTrue();
        assertThat(hub.tryAdmit()).as("every place taken, though only one client has subscribed yet").isFalse();
        assertThat(hub.subscribe(LogFilter.all(), null, new FakeSink(), "sse")).isNotNull();
        assertThat(hub.subscribe(LogFilter.all(), null, new FakeSink(), "sse")).isNotNull();
        FakeSink oneTooMany = new FakeSink();
        assertThat(hub.subscribe(LogFilter.all(), null, oneTooMany, "ws")).isNull();
        assertThat(oneTooMany.closed).containsExactly("this server streams to at most 3 clients at once; try again later");
        assertThat(hub.count("sse") + hub.count("ws")).isEqualTo(3);
    }

    @Test
    void theFeedDoesNotWaitForAClientStillCatchingUpFromTheTable() {
        UUID job = UUID.randomUUID();
        FakeSink sink = new FakeSink();
        Subscriber replaying = new Subscriber(LogFilter.all(), 0L, 0, sink, "sse", 5, Runnable::run, hub);
        Subscriber live = new Subscriber(LogFilter.all(), null, 0, sink, "sse", 5, Runnable::run, hub);
        // neither has begun: the replaying one would read the table first, the live one's queue is held back
        replaying.offer(rows(job, 1, 5));
        live.offer(rows(job, 1, 5));
        assertThat(replaying.hasRoom(2)).as("catching up: its queue drains only afterwards").isTrue();
        assertThat(live.hasRoom(2)).isFalse();
    }
}
