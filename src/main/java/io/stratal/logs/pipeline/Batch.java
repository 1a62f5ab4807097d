package io.stratal.logs.pipeline;

import io.stratal.logs.LogRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * Records written together in one transaction, under an id that stays the same for every attempt. The sink
 * stores the id with the rows, so an attempt whose outcome was lost (the connection died during
 * {@code COMMIT}) is recognised when it is retried, instead of being written twice.
 *
 * @param id      the same on every retry of these records
 * @param records in logging order
 * @param durable read back from the spool: the sink must keep its id until the spool file is gone
 *                ({@link BatchSink#forget}), because a crash before that replays it
 */
public record Batch(UUID id, List<LogRecord> records, boolean durable) {

    /**
     * {@return a new batch under a fresh id}
     *
     * @param records the records, in order
     */
    public static Batch of(List<LogRecord> records) {
        return new Batch(UUID.randomUUID(), records, false);
    }

    /**
     * Records {@code from} (inclusive) to {@code to} (exclusive) as a batch of their own, under an id derived
     * from this one, so the same part gets the same id however often it is split off.
     *
     * @param from the first record's position
     * @param to the position after the last
     * @return the part, a batch of its own
     */
    public Batch part(int from, int to) {
        UUID partId = UUID.nameUUIDFromBytes((id + ":" + from + "-" + to).getBytes(StandardCharsets.UTF_8));
        return new Batch(partId, records.subList(from, to), durable);
    }

    /**
     * Some of this batch's records (what is left after others were set aside) under an id derived from this
     * one and {@code label}.
     *
     * @param label names the subset, so the same subset gets the same id when it is made again
     * @param kept  the records that stay, in order
     * @return the smaller batch
     */
    public Batch subset(String label, List<LogRecord> kept) {
        UUID subsetId = UUID.nameUUIDFromBytes((id + ":" + label + ":" + kept.size()).getBytes(StandardCharsets.UTF_8));
        return new Batch(subsetId, kept, durable);
    }

    /** {@return how many records the batch holds} */
    public int size() {
        return records.size();
    }
}
