package io.stratal.logs.internal.pipeline;

import static io.stratal.logs.internal.pipeline.Records.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.stratal.logs.LogRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RecordQueueTest {

    @Test
    void theByteBoundIsKeptAndDrainingFreesRoom() {
        LogRecord one = record("x".repeat(100));
        RecordQueue queue = new RecordQueue(one.estimatedBytes() * 3, 100);

        assertThat(queue.tryOffer(one)).isTrue();
        assertThat(queue.tryOffer(one)).isTrue();
        assertThat(queue.tryOffer(one)).isTrue();
        assertThat(queue.tryOffer(one)).isFalse();
        assertThat(queue.bytes()).isEqualTo(one.estimatedBytes() * 3);

        List<LogRecord> batch = queue.drain(2);
        assertThat(batch).hasSize(2);
        assertThat(queue.tryOffer(one)).as("a batch being written still holds its room").isFalse();
        queue.release(batch);
        assertThat(queue.bytes()).isEqualTo(one.estimatedBytes());
        assertThat(queue.tryOffer(one)).isTrue();
        assertThat(queue.size()).isEqualTo(2);
    }

    @Test
    void aRecordLargerThanTheWholeBoundStillEntersAnEmptyQueue() {
        RecordQueue queue = new RecordQueue(10, 100);
        assertThat(queue.tryOffer(record("far larger than ten bytes"))).isTrue();
        assertThat(queue.tryOffer(record("second"))).isFalse();
    }

    @Test
    void drainKeepsOrder() {
        RecordQueue queue = new RecordQueue(1 << 20, 100);
        for (int i = 0; i < 10; i++) {
            queue.tryOffer(record("m" + i));
        }
        assertThat(queue.drain(4)).extracting(LogRecord::message).containsExactly("m0", "m1", "m2", "m3");
        assertThat(queue.drain(100)).extracting(LogRecord::message).containsExactly("m4", "m5", "m6", "m7", "m8", "m9");
    }

    @Test
    void fourProducersAndTwoConsumersAtOnceTakeEveryRecordOnceInEachProducersOrder() throws Exception {
        int perProducer = 50_000;
        RecordQueue queue = new RecordQueue(Long.MAX_VALUE, 1_000);
        java.util.concurrent.ConcurrentLinkedQueue<List<LogRecord>> batches = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicBoolean producing = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<CompletableFuture<Void>> producers = new java.util.ArrayList<>();
        for (int p = 0; p < 4; p++) {
            int producer = p;
            producers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < perProducer; i++) {
                    assertThat(queue.tryOffer(record(producer + ":" + i))).isTrue();
                }
            }, runnable -> new Thread(runnable).start()));
        }
        Runnable consumer = () -> {
            while (producing.get() || !queue.isEmpty()) {
                List<LogRecord> batch = queue.drain(777);
                if (!batch.isEmpty()) {
                    batches.add(batch);
                }
            }
        };
        CompletableFuture<Void> first = CompletableFuture.runAsync(consumer, runnable -> new Thread(runnable).start());
        CompletableFuture<Void> second = CompletableFuture.runAsync(consumer, runnable -> new Thread(runnable).start());
        CompletableFuture.allOf(producers.toArray(new CompletableFuture[0])).get();
        producing.set(false);
        first.get();
        second.get();

        int[] next = new int[4];
        int total = 0;
        for (List<LogRecord> batch : batches) {
            total += batch.size();
            int[] last = {-1, -1, -1, -1};
            for (LogRecord record : batch) {
                String[] parts = record.message().split(":");
                int producer = Integer.parseInt(parts[0]);
                int i = Integer.parseInt(parts[1]);
                assertThat(i).as("a producer's records keep their order within a batch").isGreaterThan(last[producer]);
                last[producer] = i;
                next[producer]++;
            }
        }
        assertThat(total).isEqualTo(4 * perProducer);
        assertThat(next).containsOnly(perProducer);
        assertThat(queue.size()).isZero();
    }

    @Test
    void aWaitingCallerGetsInOnceTheConsumerDrains() throws Exception {
        LogRecord one = record("y");
        RecordQueue queue = new RecordQueue(one.estimatedBytes(), 100);
        queue.tryOffer(one);

        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return queue.offer(record("y"), TimeUnit.SECONDS.toNanos(5));
            } catch (InterruptedException e) {
                return false;
            }
        });
        assertThat(waiting).isNotDone();
        queue.release(queue.drain(1));
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aWaitingCallerGivesUpAfterItsTimeout() throws Exception {
        LogRecord one = record("z");
        RecordQueue queue = new RecordQueue(one.estimatedBytes(), 100);
        queue.tryOffer(one);
        long start = System.nanoTime();
        assertThat(queue.offer(record("z"), TimeUnit.MILLISECONDS.toNanos(50))).isFalse();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
    }
}
