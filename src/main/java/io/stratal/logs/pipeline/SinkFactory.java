package io.stratal.logs.pipeline;

/**
 * Makes the {@link BatchSink} a writer sends its batches to instead of a database table: for tests that
 * look at what an application logs, and for benchmarks that measure the logging thread alone. The writer
 * calls it once, as it starts, and closes the sink when it stops.
 */
@FunctionalInterface
public interface SinkFactory {

    /**
     * Makes the sink.
     *
     * @param writerName the writer's name (the appender's), for the sink's own messages
     * @param status     where the sink may report what happened, as the writer itself does
     * @return the sink, ready for {@link BatchSink#write}
     */
    BatchSink create(String writerName, StatusListener status);
}
