package io.stratal.logs.pipeline;

/**
 * Where the pipeline tells its owner what happened. The appender routes this to logback's status manager;
 * the pipeline never logs through SLF4J, so its reports cannot come back into its own queue.
 */
public interface StatusListener {

    /**
     * Something worth knowing happened: the table was created, the writer started.
     *
     * @param message what happened
     */
    void info(String message);

    /**
     * Something went wrong and the writer coped: an outage waited out, records dropped, a fix to a setting.
     *
     * @param message what happened, and the setting to change where there is one
     */
    void warn(String message);

    /**
     * Something went wrong that needs a person: a spool that cannot be used, a row lost.
     *
     * @param message what happened
     * @param cause   why, or {@code null}
     */
    void error(String message, Throwable cause);
}
