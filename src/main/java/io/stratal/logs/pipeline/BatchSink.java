package io.stratal.logs.pipeline;

/**
 * Where the flusher writes. One call is one batch: all of it is committed in one transaction, or none of it
 * is and a {@link WriteException} says why. Called only from the flusher thread.
 */
public interface BatchSink extends AutoCloseable {

    /**
     * Writes the records of {@code batch} atomically, in list order. Returns normally also when this batch
     * id was committed by an earlier attempt, without writing it again.
     *
     * @param batch the batch
     * @throws WriteException when the batch could not be written, saying why and what may be retried
     */
    void write(Batch batch) throws WriteException;

    /**
     * The batches with these ids were {@linkplain Batch#durable durable} and their spool file is deleted: they
     * will not be replayed, so whatever the sink keeps to recognise them may go.
     *
     * @param batchIds the ids of batches whose rows are safe
     */
    default void forget(java.util.List<java.util.UUID> batchIds) {
    }

    /** Releases connections. Called once, after the last write. */
    @Override
    void close();
}
