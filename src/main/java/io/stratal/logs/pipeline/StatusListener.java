package io.stratal.logs.pipeline;

/**
 * Where the pipeline tells its owner what happened. The appender routes this to logback's status manager;
 * the pipeline never logs through SLF4J, so its reports cannot come back into its own queue.
 */
public interface StatusListener {

    void info(String message);

    void warn(String message);

    void error(String message, Throwable cause);
}
