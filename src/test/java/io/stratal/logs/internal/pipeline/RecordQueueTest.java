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
