package io.stratal.logs.logback;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.util.Duration;
import ch.qos.logback.core.util.FileSize;
import io.stratal.logs.internal.Redaction;
import io.stratal.logs.context.LogContext;
import io.stratal.logs.jdbc.PasswordMask;
import io.stratal.logs.names.Names;
import io.stratal.logs.names.TableName;
import io.stratal.logs.writer.LogWriter;
import io.stratal.logs.writer.LogWriterConfig;
import io.stratal.logs.writer.OverflowPolicy;
import io.stratal.logs.writer.PipelineStats;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

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
 * Every setting has a default that suits most applications; see {@code logback-sample.xml}.
 */
public class UnifiedLogAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

    /** Events of these loggers never enter the queue: writing them would log again, without end. */
    private static final List<String> EXCLUDED_LOGGER_PREFIXES = List.of("org.postgresql", "com.zaxxer.hikari");

    /** Messages longer than this many characters are cut (and marked); a mapping setting, not the writer's. */
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 256 * 1024;

    private String url;
    private String username;
    private String password;
    private String jndiName;
    private DataSource dataSource;
    private String table = Names.DEFAULT_TABLE;
    private boolean createSchema = true;
    private boolean notify = true;
    private String notifyChannel = Names.NOTIFY_CHANNEL;
    private int poolSize = LogWriterConfig.DEFAULT_POOL_SIZE;
    private int batchSize = LogWriterConfig.DEFAULT_BATCH_SIZE;
    private Duration flushInterval = Duration.buildByMilliseconds(LogWriterConfig.DEFAULT_FLUSH_INTERVAL.toMillis());
    private Duration shutdownGracePeriod = Duration.buildByMilliseconds(LogWriterConfig.DEFAULT_SHUTDOWN_GRACE_PERIOD.toMillis());
    private FileSize maxQueueBytes = new FileSize(LogWriterConfig.DEFAULT_MAX_QUEUE_BYTES);
    private Duration maxBlockTime = Duration.buildByMilliseconds(LogWriterConfig.DEFAULT_MAX_BLOCK_TIME.toMillis());
    private Duration foreignKeyGracePeriod = Duration.buildByMilliseconds(LogWriterConfig.DEFAULT_FOREIGN_KEY_GRACE_PERIOD.toMillis());
    private int maxMessageLength = DEFAULT_MAX_MESSAGE_LENGTH;
    private String redactKeys = String.join(",", Redaction.DEFAULT_WORDS);
    private boolean redactMessages;
    private String jobRunIdKey = Names.JOB_RUN_ID_KEY;
    private String taskRunIdKey = Names.TASK_RUN_ID_KEY;
    private String streamKey = Names.STREAM_KEY;
    private boolean registerShutdownHook = true;
    private String spoolDirectory;
    private FileSize maxSpoolBytes = new FileSize(LogWriterConfig.DEFAULT_MAX_SPOOL_BYTES);
    private Duration spoolSyncInterval = Duration.buildByMilliseconds(LogWriterConfig.DEFAULT_SPOOL_SYNC_INTERVAL.toMillis());
    private String overflowPolicy;
    private boolean jmx = true;
    private boolean micrometer = true;
    private LogWriterConfig.SinkFactory sinkFactory;

    private volatile LogWriter writer;
    private volatile EventMapper mapper;
    private String[] mdcKeys;
    private Thread shutdownHook;
    private Observability observability;

    @Override
    public void start() {
        if (isStarted()) {
            return;
        }
        StatusReporter reporter = new StatusReporter(this, getName());
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
        writer = LogWriter.start(config.build(), reporter);
        observability = Observability.publish(writer.mxBean(), getContext() == null ? "default" : getContext().getName(),
                getName(), jmx, micrometer, reporter);
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
        w.offer(mapper.map(event));
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
        super.stop();
        LogWriter w = writer;
        if (w != null) {
            w.stop();
        }
        if (observability != null) {
            observability.close();
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

    /** Counters of this appender (records written, dropped by reason, retries...), or {@code null} before start. */
    public PipelineStats getStats() {
        LogWriter w = writer;
        return w == null ? null : w.stats();
    }

    /** Records queued and not yet written; 0 before start. */
    public int getQueueSize() {
        LogWriter w = writer;
        return w == null ? 0 : w.queueSize();
    }

    /** Estimated heap held by queued, in-flight and parked records; 0 before start. */
    public long getQueueBytes() {
        LogWriter w = writer;
        return w == null ? 0 : w.queueBytes();
    }

    // ---- settings: each documented with its default and its effect in logback-sample.xml and README ----

    /** JDBC URL of the PostgreSQL database, {@code jdbc:postgresql://host:5432/db}. No default. */
    public void setUrl(String url) {
        this.url = url;
    }

    public void setUsername(String username) {
        this.username = username;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    /** A DataSource in JNDI to use instead of {@code url}, e.g. {@code java:comp/env/jdbc/logs}. */
    public void setJndiName(String jndiName) {
        this.jndiName = jndiName;
    }

    /** A DataSource to use instead of {@code url}; the application keeps owning it. */
    public void setDataSource(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The table written to, {@code logs} or {@code schema.logs}. Default {@code logs}. */
    public void setTable(String table) {
        this.table = table;
    }

    /**
     * Create the table and its indexes when missing, on the first connection. Never drops or alters; foreign
     * keys only to {@code job_runs}/{@code task_runs} where they exist. Default {@code true}.
     */
    public void setCreateSchema(boolean createSchema) {
        this.createSchema = createSchema;
    }

    /**
     * After each batch commits, {@code pg_notify(notifyChannel, table)} in the same transaction tells log
     * servers (the {@code serve} command) to stream the new rows at once; without it they find new rows by
     * polling every two seconds. One extra statement per batch. Default {@code true}.
     */
    public void setNotify(boolean notify) {
        this.notify = notify;
    }

    /** The channel of {@link #setNotify notify}, a plain lower-case name. Default {@code stratal_logs}. */
    public void setNotifyChannel(String notifyChannel) {
        this.notifyChannel = notifyChannel;
    }

    /** Connections in the appender's own pool (with {@code url}). The flusher uses one. Default 2. */
    public void setPoolSize(int poolSize) {
        this.poolSize = poolSize;
    }

    /**
     * A batch is written as soon as this many records wait. Larger batches cost fewer transactions under
     * load (they reach the COPY ceiling, see docs/PERFORMANCE.md); at low rates flushInterval decides. Default 5000.
     */
    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    /** ...or when this long has passed since the last batch: the most a quiet record waits. Default 250 ms. */
    public void setFlushInterval(Duration flushInterval) {
        this.flushInterval = flushInterval;
    }

    /** How long stopping keeps writing and waiting for the database. Default 10 seconds. */
    public void setShutdownGracePeriod(Duration shutdownGracePeriod) {
        this.shutdownGracePeriod = shutdownGracePeriod;
    }

    /**
     * The bound on the heap held by queued records (estimated). A burst beyond it waits up to
     * {@code maxBlockTime}, then drops. Default 64 MB, about 150,000 typical events.
     */
    public void setMaxQueueBytes(FileSize maxQueueBytes) {
        this.maxQueueBytes = maxQueueBytes;
    }

    /**
     * How long a logging thread may wait for room in a full queue while the database is draining; 0 never
     * waits. While the database is unreachable nobody waits. Default 100 ms.
     */
    public void setMaxBlockTime(Duration maxBlockTime) {
        this.maxBlockTime = maxBlockTime;
    }

    /**
     * How long rows wait for their job or task run to be committed (a job that logs before its transaction
     * commits its {@code job_runs} row) before they are written with the id moved into
     * {@code metadata.log.missing_parents}. Later rows of the same run wait behind them. Default 60 seconds.
     */
    public void setForeignKeyGracePeriod(Duration foreignKeyGracePeriod) {
        this.foreignKeyGracePeriod = foreignKeyGracePeriod;
    }

    /** Messages and metadata strings longer than this many characters are cut and marked. Default 262144. */
    public void setMaxMessageLength(int maxMessageLength) {
        this.maxMessageLength = maxMessageLength;
    }

    /**
     * Comma-separated words; a metadata value whose key contains one (ignoring case and punctuation) is
     * stored as {@code [REDACTED]}. Replaces the default list; empty redacts nothing.
     */
    public void setRedactKeys(String redactKeys) {
        this.redactKeys = redactKeys;
    }

    /**
     * Also mask the values of {@code key=value} and {@code key: value} pairs in messages and exception text
     * whose key holds a {@code redactKeys} word ({@code "login failed, password=hunter2"}). Off by default:
     * messages are stored as logged. Costs one scan of the message per call when on (docs/PERFORMANCE.md).
     */
    public void setRedactMessages(boolean redactMessages) {
        this.redactMessages = redactMessages;
    }

    /**
     * Drain the queue when the JVM exits, even where logback's own {@code <shutdownHook/>} is not configured.
     * Default {@code true}.
     */
    public void setRegisterShutdownHook(boolean registerShutdownHook) {
        this.registerShutdownHook = registerShutdownHook;
    }

    /**
     * A directory of this appender's own where records wait on disk while the database cannot take them (an
     * outage, a backlog), and across restarts. Without it, records are held in memory only. No default.
     */
    public void setSpoolDirectory(String spoolDirectory) {
        this.spoolDirectory = spoolDirectory;
    }

    /** The bound on the spool's size on disk; past it, records are dropped and counted. Default 1 GB. */
    public void setMaxSpoolBytes(FileSize maxSpoolBytes) {
        this.maxSpoolBytes = maxSpoolBytes;
    }

    /**
     * The longest time spooled records stay in the operating system's cache before they are forced to the
     * disk: what a power loss during an outage can cost. Default 1 second.
     */
    public void setSpoolSyncInterval(Duration spoolSyncInterval) {
        this.spoolSyncInterval = spoolSyncInterval;
    }

    /**
     * What a logging thread does when the queue is full: {@code SPOOL} (the default with a spool directory:
     * the backlog goes to disk, the caller waits up to maxBlockTime for that), {@code BLOCK} (the default
     * without: wait up to maxBlockTime while the database drains, drop while it is down), or {@code DROP}
     * (never wait; DEBUG goes first at 80% full, INFO at 90%).
     */
    public void setOverflowPolicy(String overflowPolicy) {
        this.overflowPolicy = overflowPolicy;
    }

    /**
     * Register an MXBean with the counters under
     * {@code io.stratal.logs:type=UnifiedLogAppender,context=<context>,name=<appender>}. Default {@code true}.
     */
    public void setJmx(boolean jmx) {
        this.jmx = jmx;
    }

    /**
     * Bind the counters as {@code stratal.logs.*} meters to Micrometer's {@code Metrics.globalRegistry} when
     * Micrometer is on the classpath. Default {@code true}.
     */
    public void setMicrometer(boolean micrometer) {
        this.micrometer = micrometer;
    }

    /**
     * Where batches go instead of the database: for tests and benchmarks that measure the logging thread
     * alone. Default: none, the table. With it, no url, jndiName or dataSource is needed.
     */
    public void setSinkFactory(LogWriterConfig.SinkFactory sinkFactory) {
        this.sinkFactory = sinkFactory;
    }

    /** MDC key holding the job run id. Default {@code job_run_id}. */
    public void setJobRunIdKey(String jobRunIdKey) {
        this.jobRunIdKey = jobRunIdKey;
    }

    /** MDC key holding the task run id. Default {@code task_run_id}. */
    public void setTaskRunIdKey(String taskRunIdKey) {
        this.taskRunIdKey = taskRunIdKey;
    }

    /** MDC key holding the stream ({@code stdout}, {@code stderr}, {@code system}). Default {@code stream}. */
    public void setStreamKey(String streamKey) {
        this.streamKey = streamKey;
    }
}
