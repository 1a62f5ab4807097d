package io.stratal.logs.logback;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.stratal.logs.internal.Redaction;
import io.stratal.logs.context.LogContext;
import io.stratal.logs.internal.sampling.SamplingRule;
import io.stratal.logs.internal.util.PasswordMask;
import io.stratal.logs.names.Names;
import io.stratal.logs.names.TableName;
import io.stratal.logs.writer.LogWriter;
import io.stratal.logs.writer.LogWriterConfig;
import io.stratal.logs.pipeline.OverflowPolicy;
import io.stratal.logs.pipeline.PipelineMXBean;
import io.stratal.logs.pipeline.PipelineStats;
import io.stratal.logs.pipeline.SamplingMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes logback events into the unified {@code logs} table of PostgreSQL.
 *
 * <p>Each event is typed {@code system}, {@code job} or {@code task} from the MDC keys {@code job_run_id}
 * and {@code task_run_id}, turned into an immutable record on the logging thread and queued; a daemon
 * flusher thread writes the queue in batches with one COPY per transaction. The logging thread never
 * touches the database.
 *
 * <pre>{@code
 * <appender name="UNIFIED" class="io.stratal.logs.logback.UnifiedLogAppender">
 *   <url>jdbc:postgresql://localhost:5432/stratal</url>
 *   <username>stratal</username>
 *   <password>${STRATAL_DB_PASSWORD}</password>
 * </appender>
 * }</pre>
 *
 * Every setting has a default that suits most applications; see {@code logback-sample.xml} and
 * {@link UnifiedLogSettings}. {@code start()} checks the settings and turns them into one
 * {@link LogWriterConfig}; {@link LogWriter} builds and runs the engine from it. This class maps settings
 * and events, nothing more.
 */
public class UnifiedLogAppender extends UnifiedLogSettings {

    /** Events of these loggers never enter the queue: writing them would log again, without end. */
    private static final List<String> EXCLUDED_LOGGER_PREFIXES = List.of("org.postgresql", "com.zaxxer.hikari");

    private volatile LogWriter writer;
    private volatile EventMapper mapper;
    private volatile SamplingStage samplingStage;
    private String[] mdcKeys;
    private Thread shutdownHook;
    private Observability observability;

    /** An appender with every setting at its default; logback makes one for each {@code <appender>} element. */
    public UnifiedLogAppender() {
    }

    @Override
    public void start() {
        if (isStarted()) {
            return;
        }
        AppenderStatus reporter = new AppenderStatus(this, getName());
        SettingsCheck check = new SettingsCheck(reporter);
        LogWriterConfig.Builder config = LogWriterConfig.builder(getName());
        database(check, config);
        TableName tableName = TableName.parseOrNull(table);
        if (tableName == null) {
            check.error("table \"" + table + "\" is not a plain table name; write <table>logs</table> or "
                    + "<table>myschema.logs</table> (letters, digits and _)");
        } else {
            config.table(tableName);
        }
        String jobKey = check.nonBlank("jobRunIdKey", jobRunIdKey, Names.JOB_RUN_ID_KEY);
        String taskKey = check.nonBlank("taskRunIdKey", taskRunIdKey, Names.TASK_RUN_ID_KEY);
        String stream = check.nonBlank("streamKey", streamKey, Names.STREAM_KEY);
        if (jobKey.equals(taskKey) || jobKey.equals(stream) || taskKey.equals(stream)) {
            check.error("jobRunIdKey, taskRunIdKey and streamKey must be three different MDC keys, got \""
                    + jobKey + "\", \"" + taskKey + "\", \"" + stream + "\"");
        }
        config.createSchema(createSchema)
                .batchSize(check.atLeast("batchSize", batchSize, 1, LogWriterConfig.DEFAULT_BATCH_SIZE))
                .flushInterval(check.positive("flushInterval", flushInterval, LogWriterConfig.DEFAULT_FLUSH_INTERVAL))
                .shutdownGracePeriod(check.notNegative("shutdownGracePeriod", shutdownGracePeriod,
                        LogWriterConfig.DEFAULT_SHUTDOWN_GRACE_PERIOD))
                .maxQueueBytes(check.atLeast("maxQueueBytes", maxQueueBytes == null ? 0 : maxQueueBytes.getSize(),
                        1024 * 1024, LogWriterConfig.DEFAULT_MAX_QUEUE_BYTES))
                .maxBlockTime(check.notNegative("maxBlockTime", maxBlockTime, LogWriterConfig.DEFAULT_MAX_BLOCK_TIME))
                .foreignKeyGracePeriod(check.notNegative("foreignKeyGracePeriod", foreignKeyGracePeriod,
                        LogWriterConfig.DEFAULT_FOREIGN_KEY_GRACE_PERIOD))
                .spoolSyncInterval(check.positive("spoolSyncInterval", spoolSyncInterval,
                        LogWriterConfig.DEFAULT_SPOOL_SYNC_INTERVAL))
                .overflowPolicy(overflowPolicy(check));
        if (writers != null) { // else the default for the connection source
            int writerCount = check.atLeast("writers", writers, 1, 1);
            if (writerCount > LogWriterConfig.MAX_WRITERS) {
                check.warn("writers " + writerCount + " is more than " + LogWriterConfig.MAX_WRITERS + ", using "
                        + LogWriterConfig.MAX_WRITERS);
                writerCount = LogWriterConfig.MAX_WRITERS;
            }
            if (writerCount > 1 && !blank(url) && poolSize < writerCount) {
                check.error("poolSize " + poolSize + " is below writers " + writerCount + ": each writer holds a connection"
                        + " while it writes; set <poolSize>" + writerCount + "</poolSize>");
            } else {
                config.writers(writerCount);
            }
        }
        if (!blank(spoolDirectory)) {
            config.spoolDirectory(Path.of(spoolDirectory.trim())).maxSpoolBytes(check.atLeast("maxSpoolBytes",
                    maxSpoolBytes == null ? 0 : maxSpoolBytes.getSize(), 1024 * 1024, LogWriterConfig.DEFAULT_MAX_SPOOL_BYTES));
        }
        String channel = !notify || notifyChannel == null || notifyChannel.isBlank() ? null : notifyChannel.trim();
        if (channel != null && !TableName.isIdentifier(channel)) {
            check.error("notifyChannel \"" + notifyChannel + "\" is not a plain name; write <notifyChannel>"
                    + Names.NOTIFY_CHANNEL + "</notifyChannel> (lower-case letters, digits and _), or <notify>false</notify>"
                    + " for no notification");
        } else {
            config.notifyChannel(channel);
        }
        int messageLimit = check.atLeast("maxMessageLength", maxMessageLength, 1024, DEFAULT_MAX_MESSAGE_LENGTH);
        List<SamplingRule> samplingRules = sampling == null ? List.of() : sampling.check(check);
        int samplingKeys = sampling == null ? Sampling.DEFAULT_MAX_KEYS : sampling.checkedMaxKeys(check);
        if (check.failed()) {
            return;
        }
        Redaction redaction = Redaction.of(Arrays.asList(redactKeys == null ? new String[0] : redactKeys.split(",")));
        mapper = new EventMapper(jobKey, taskKey, stream, redaction, messageLimit, redactMessages);
        mdcKeys = new String[] {jobKey, taskKey, stream};
        if (!LogContext.followAppenderKeys(jobKey, taskKey, stream)) {
            reporter.warn("LogContext scopes set other MDC keys than this appender reads (" + jobKey + ", " + taskKey
                    + ", " + stream + "), chosen by LogContext.useKeys or another appender; lines inside them are stored"
                    + " as system logs. Use the same jobRunIdKey, taskRunIdKey and streamKey everywhere");
        }
        // What starting logs (Micrometer's first lines, while logback still configures) goes nowhere
        OwnLoggingMute mute = OwnLoggingMute.begin(getContext(), getName(), null);
        try {
            writer = LogWriter.start(config.build(), reporter);
            if (mute != null) {
                mute.writer(writer);
            }
            samplingStage = null;
            if (!samplingRules.isEmpty()) {
                samplingStage = new SamplingStage(samplingRules, samplingKeys, getName(), mapper, writer, reporter);
            }
            observability = Observability.publish(writer.mxBean(), writer.writerMXBeans(),
                    samplingStage == null ? null : samplingStage.counters(),
                    getContext() == null ? "default" : getContext().getName(), getName(), jmx, micrometer, reporter);
        } finally {
            OwnLoggingMute.end(mute);
        }
        if (registerShutdownHook) {
            shutdownHook = new Thread(this::stop, "stratal-shutdown-" + getName());
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        super.start();
        reporter.info("writes to " + writer.description());
    }

    /** Exactly one of url, jndiName and dataSource, unless a sinkFactory stands in for the database. */
    private void database(SettingsCheck check, LogWriterConfig.Builder config) {
        if (sinkFactory != null) {
            config.sinkFactory(sinkFactory);
            return;
        }
        int given = (blank(url) ? 0 : 1) + (blank(jndiName) ? 0 : 1) + (dataSource == null ? 0 : 1);
        if (given == 0) {
            check.error("no database is set; add <url>jdbc:postgresql://localhost:5432/mydb</url> with "
                    + "<username> and <password>, or <jndiName>, or a <dataSource class=\"...\">");
        } else if (given > 1) {
            check.error("set only one of <url>, <jndiName> and <dataSource>");
        } else if (dataSource != null) {
            config.dataSource(dataSource);
        } else if (!blank(jndiName)) {
            config.jndiName(jndiName.trim());
        } else if (!url.trim().toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:")) {
            check.error("url \"" + PasswordMask.patternsOnly().apply(url) + "\" is not a PostgreSQL JDBC URL; write "
                    + "<url>jdbc:postgresql://host:5432/database</url>");
        } else {
            config.url(url.trim(), username, password)
                    .poolSize(check.atLeast("poolSize", poolSize, 1, LogWriterConfig.DEFAULT_POOL_SIZE));
        }
    }

    /** As set, or {@code null} for the writer's default (SPOOL with a spool directory, BLOCK without). */
    private OverflowPolicy overflowPolicy(SettingsCheck check) {
        if (blank(overflowPolicy)) {
            return null;
        }
        try {
            return OverflowPolicy.valueOf(overflowPolicy.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            OverflowPolicy fallback = blank(spoolDirectory) ? OverflowPolicy.BLOCK : OverflowPolicy.SPOOL;
            check.warn("overflowPolicy \"" + overflowPolicy + "\" is not SPOOL, BLOCK or DROP, using " + fallback);
            return null;
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    @Override
    protected void append(ILoggingEvent event) {
        LogWriter w = writer;
        if (w == null || w.isWriterThread() || isExcluded(event.getLoggerName())) {
            return;
        }
        SamplingStage sampled = samplingStage;
        if (sampled == null) {
            w.offer(mapper.map(event));
            return;
        }
        Map<String, Object> sample = sampled.decide(event);
        if (sample != SamplingStage.LEAVE_OUT) {
            w.offer(mapper.map(event, sample));
        }
    }

    private static boolean isExcluded(String loggerName) {
        for (String prefix : EXCLUDED_LOGGER_PREFIXES) {
            if (loggerName.startsWith(prefix)
                    && (loggerName.length() == prefix.length() || loggerName.charAt(prefix.length()) == '.')) {
                return true;
            }
        }
        return false;
    }

    /**
     * Stops taking events and writes what is queued, waiting for the database up to
     * {@code shutdownGracePeriod}; what could not be written is reported with its count.
     */
    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        // The writer stops while the appender is still started, and what the stop itself logs (HikariCP's
        // "Shutdown initiated/completed" as the pool closes, Micrometer as the meters go) goes nowhere: an
        // appender already stopped, this one or another, would answer each line with a WARN in the status. An
        // application line that comes now is counted as lost to the stop, and reported with it. A second
        // caller (the shutdown hook while the context stops) waits in LogWriter.stop for the first.
        LogWriter w = writer;
        OwnLoggingMute mute = OwnLoggingMute.begin(getContext(), getName(), w);
        try {
            SamplingStage sampled = samplingStage;
            if (sampled != null) {
                sampled.stop(); // the summaries of open windows go into the queue before it is drained
            }
            if (w != null) {
                w.stop();
            }
            super.stop();
            if (observability != null) {
                observability.close();
            }
        } finally {
            OwnLoggingMute.end(mute);
        }
        String[] keys = mdcKeys;
        if (keys != null) {
            LogContext.releaseAppenderKeys(keys[0], keys[1], keys[2]);
        }
        Thread hook = shutdownHook;
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or about to; it finds the pipeline stopped
            }
        }
    }

    /** {@return counters of this appender (records written, dropped by reason, retries...), or {@code null} before start} */
    public PipelineStats getStats() {
        LogWriter w = writer;
        return w == null ? null : w.stats();
    }

    /**
     * {@return the live counters and state of this appender's pipeline (queue, spool, database availability,
     * last write), as its JMX bean shows them, or {@code null} before start}
     */
    public PipelineMXBean getPipeline() {
        LogWriter w = writer;
        return w == null ? null : w.mxBean();
    }

    /**
     * {@return each writer's counters and state, in writer order (what {@link #getPipeline()} sums); with several
     * writers the JMX beans of type {@code UnifiedLogAppenderWriter} show the same; with one writer, the appender's
     * own counters alone; empty before start}
     */
    public List<PipelineMXBean> getWriterPipelines() {
        LogWriter w = writer;
        return w == null ? List.of() : w.writerMXBeans();
    }

    /**
     * {@return what the sampling rules left out and summarised, by rule, as its JMX bean shows it, or {@code null}
     * before start and when no rule is set}
     */
    public SamplingMXBean getSampling() {
        SamplingStage sampled = samplingStage;
        return sampled == null ? null : sampled.counters();
    }

    /** {@return records queued and not yet written; 0 before start} */
    public int getQueueSize() {
        LogWriter w = writer;
        return w == null ? 0 : w.queueSize();
    }

    /** {@return estimated heap held by queued, in-flight and parked records; 0 before start} */
    public long getQueueBytes() {
        LogWriter w = writer;
        return w == null ? 0 : w.queueBytes();
    }
}
