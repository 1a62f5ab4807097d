package io.stratal.logs.names;

/**
 * The names the writing side and the reading side agree on, in one place: the table, the channel writers
 * announce new rows on, and the MDC keys that carry a log's run ids and stream.
 */
public final class Names {

    /** The logs table, as the migrations create it. */
    public static final String DEFAULT_TABLE = "logs";
    /** The channel a writer {@code NOTIFY}s after each committed batch, and a stream feed {@code LISTEN}s on. */
    public static final String NOTIFY_CHANNEL = "stratal_logs";
    /** The MDC key of the job run id. */
    public static final String JOB_RUN_ID_KEY = "job_run_id";
    /** The MDC key of the task run id. */
    public static final String TASK_RUN_ID_KEY = "task_run_id";
    /** The MDC key of a task log's stream ({@code stdout}, {@code stderr}, {@code system}). */
    public static final String STREAM_KEY = "stream";

    private Names() {
    }
}
