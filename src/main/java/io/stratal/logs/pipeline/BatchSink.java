package io.stratal.logs.pipeline;

import io.stratal.logs.LogRecord;
import java.util.List;

/**
 * Where the flusher writes. One call is one batch: all of it is committed in one transaction, or none of it
 * is and a {@link WriteException} says why. Called only from the flusher thread.
 */
public interface BatchSink extends AutoCloseable {

    /** Writes {@code batch} atomically, in list order. */
    void write(List<LogRecord> batch) throws WriteException;

    /** Releases connections. Called once, after the last write. */
    @Override
    void close();
}
