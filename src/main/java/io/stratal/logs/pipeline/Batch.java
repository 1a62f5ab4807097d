package io.stratal.logs.pipeline;

import io.stratal.logs.LogRecord;
import java.nio.ByteBuffer;
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
     * Some of this batch's records (what is left after others were set aside) under an id derived from this one,
     * {@code label} and the records' positions in this batch: the same rows split off again get the same id, and
     * other rows never do, even as many.
     *
     * @param label     names the subset
     * @param positions the positions in this batch of the records that stay, ascending
     * @param kept      the records that stay, in order: those at {@code positions}, or amended copies of them
     * @return the smaller batch
     */
    public Batch subset(String label, int[] positions, List<LogRecord> kept) {
        if (positions.length != kept.size()) {
            throw new IllegalArgumentException(positions.length + " position(s) for " + kept.size() + " record(s)");
        }
        byte[] name = (id + ":" + label + ":").getBytes(StandardCharsets.UTF_8);
        ByteBuffer bytes = ByteBuffer.allocate(name.length + 4 * positions.length).put(name);
        for (int position : positions) {
            bytes.putInt(position);
        }
        return new Batch(UUID.nameUUIDFromBytes(bytes.array()), kept, durable);
    }

    /** {@return how many records the batch holds} */
    public int size() {
        return records.size();
    }
}
