package io.stratal.logs.logback;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.util.Duration;
import ch.qos.logback.core.util.FileSize;
import io.stratal.logs.internal.Redaction;
import io.stratal.logs.names.Names;
import io.stratal.logs.pipeline.SinkFactory;
import io.stratal.logs.writer.LogWriterConfig;
import javax.sql.DataSource;

/**
 * The settings of {@link UnifiedLogAppender} as logback sets them from {@code logback.xml}: mutable, read
 * once by {@code start()}, which checks them and turns them into an immutable {@link LogWriterConfig}.
 * The defaults are the writer's ({@link LogWriterConfig}) and the names' ({@link Names}).
 */
public abstract class UnifiedLogSettings extends UnsynchronizedAppenderBase<ILoggingEvent> {

    /** Messages longer than this many characters are cut (and marked); a mapping setting, not the writer's. */
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 256 * 1024;

    String url;
    String username;
    String password;
    String jndiName;
    DataSource dataSource;
    String table = Names.DEFAULT_TABLE;
    boolean createSchema = true;
    boolean notify = true;
    String notifyChannel = Names.NOTIFY_CHANNEL;
    int poolSize = LogWriterConfig.DEFAULT_POOL_SIZE;
    /** {@code null} until set: the default then depends on the connection source. */
    Integer writers;
    int batchSize = LogWriterConfig.DEFAULT_BATCH_SIZE;
    Duration flushInterval = Duration.buildByMilliseconds(LogWriterConfig.DEFAULT_FLUSH_INTERVAL.toMillis());
    Duration shutdownGracePeriod = Duration.buildByMilliseconds(LogWriterConfig.DEFAULT_SHUTDOWN_GRACE_PERIOD.toMillis());
    FileSize maxQueueBytes = new FileSize(LogWriterConfig.DEFAULT_MAX_QUEUE_BYTES);
    Duration maxBlockTime = Duration.buildByMilliseconds(LogWriterConfig.DEFAULT_MAX_BLOCK_TIME.toMillis());
    Duration foreignKeyGracePeriod = Duration.buildByMilliseconds(LogWriterConfig.DEFAULT_FOREIGN_KEY_GRACE_PERIOD.toMillis());
    int maxMessageLength = DEFAULT_MAX_MESSAGE_LENGTH;
    String redactKeys = String.join(",", Redaction.DEFAULT_WORDS);
    boolean redactMessages;
    String jobRunIdKey = Names.JOB_RUN_ID_KEY;
    String taskRunIdKey = Names.TASK_RUN_ID_KEY;
    String streamKey = Names.STREAM_KEY;
    boolean registerShutdownHook = true;
    String spoolDirectory;
    FileSize maxSpoolBytes = new FileSize(LogWriterConfig.DEFAULT_MAX_SPOOL_BYTES);
    Duration spoolSyncInterval = Duration.buildByMilliseconds(LogWriterConfig.DEFAULT_SPOOL_SYNC_INTERVAL.toMillis());
    String overflowPolicy;
    boolean jmx = true;
    boolean micrometer = true;
    SinkFactory sinkFactory;
    Sampling sampling;


    // ---- settings: each documented with its default and its effect in logback-sample.xml and README ----

    /** Settings at their defaults, for logback to fill from the appender's elements. */
    protected UnifiedLogSettings() {
    }

    /**
     * JDBC URL of the PostgreSQL database, {@code jdbc:postgresql://host:5432/db}. No default.
     *
     * @param url the value
     */
    public void setUrl(String url) {
        this.url = url;
    }

    /**
     * The user of {@code url}. No default.
     *
     * @param username the value
     */
    public void setUsername(String username) {
        this.username = username;
    }

    /**
     * The password of {@code url}, best given as {@code ${STRATAL_DB_PASSWORD}}; it is never printed. No default.
     *
     * @param password the value
     */
    public void setPassword(String password) {
        this.password = password;
    }

    /**
     * A DataSource in JNDI to use instead of {@code url}, e.g. {@code java:comp/env/jdbc/logs}.
     *
     * @param jndiName the value
     */
    public void setJndiName(String jndiName) {
        this.jndiName = jndiName;
    }

    /**
     * A DataSource to use instead of {@code url}; the application keeps owning it.
     *
     * @param dataSource the value
     */
    public void setDataSource(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * The table written to, {@code logs} or {@code schema.logs}. Default {@code logs}.
     *
     * @param table the value
     */
    public void setTable(String table) {
        this.table = table;
    }

    /**
     * Create the table and its indexes when missing, on the first connection. Never drops or alters; foreign
     * keys only to {@code job_runs}/{@code task_runs} where they exist. Default {@code true}.
     *
     * @param createSchema the value
     */
    public void setCreateSchema(boolean createSchema) {
        this.createSchema = createSchema;
    }

    /**
     * After each batch commits, {@code pg_notify(notifyChannel, table)} in the same transaction tells log
     * servers (the {@code serve} command) to stream the new rows at once; without it they find new rows by
     * polling every two seconds. One extra statement per batch. Default {@code true}.
     *
     * @param notify the value
     */
    public void setNotify(boolean notify) {
        this.notify = notify;
    }

    /**
     * The channel of {@link #setNotify notify}, a plain lower-case name. Default {@code stratal_logs}.
     *
     * @param notifyChannel the value
     */
    public void setNotifyChannel(String notifyChannel) {
        this.notifyChannel = notifyChannel;
    }

    /**
     * Connections in the appender's own pool (with {@code url}). The flusher uses one. Default 2.
     *
     * @param poolSize the value
     */
    public void setPoolSize(int poolSize) {
        this.poolSize = poolSize;
    }

    /**
     * Writers: connections that COPY at once, each with its own queue (sharing {@code maxQueueBytes}) and
     * flusher. A job run's records (with its tasks') and a thread's system records go through one writer at a
     * time (a run moves to a less-loaded writer only when none of its records is queued, parked or spooled), so
     * each keeps its logging order. Default 2 with {@code url} (no more than {@code poolSize}), 1 with a
     * {@code dataSource} or {@code jndiName} (the application's own connections). With {@code url}, {@code poolSize}
     * must be at least this.
     * With a {@code spoolDirectory}, each writer spools into {@code writer-<k>} inside it, with its share of
     * {@code maxSpoolBytes}. docs/PERFORMANCE.md measures what it gains.
     *
     * @param writers the value, 1 to 16
     */
    public void setWriters(int writers) {
        this.writers = writers;
    }

    /**
     * A batch is written as soon as this many records wait. Larger batches cost fewer transactions under
     * load (they reach the COPY ceiling, see docs/PERFORMANCE.md); at low rates flushInterval decides. Default 5000.
     *
     * @param batchSize the value
     */
    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    /**
     * ...or when this long has passed since the last batch: the most a quiet record waits. Default 250 ms.
     *
     * @param flushInterval the value
     */
    public void setFlushInterval(Duration flushInterval) {
        this.flushInterval = flushInterval;
    }

    /**
     * How long stopping keeps writing and waiting for the database. Default 10 seconds.
     *
     * @param shutdownGracePeriod the value
     */
    public void setShutdownGracePeriod(Duration shutdownGracePeriod) {
        this.shutdownGracePeriod = shutdownGracePeriod;
    }

    /**
     * The bound on the heap held by queued records (estimated). A burst beyond it waits for the database
     * (see {@code maxBlockTime}). Default 48 MB: about 125,000 typical events (a task line with two
     * key-value pairs, about 400 estimated bytes) or 240,000 plain ones.
     *
     * @param maxQueueBytes the value
     */
    public void setMaxQueueBytes(FileSize maxQueueBytes) {
        this.maxQueueBytes = maxQueueBytes;
    }

    /**
     * How long a logging thread waits for room in a full queue while the database commits nothing. While
     * batches commit, it waits as long as that takes: a burst is written at the database's pace and no
     * line is lost. A database that is unreachable or stops answering is waited out for this long; then the
     * lines are dropped and counted ({@code database_unavailable}, {@code database_stalled}), and later ones
     * at once until a batch commits again. 0 never waits. Default 5 seconds.
     *
     * @param maxBlockTime the value
     */
    public void setMaxBlockTime(Duration maxBlockTime) {
        this.maxBlockTime = maxBlockTime;
    }

    /**
     * How long rows wait for their job or task run to be committed (a job that logs before its transaction
     * commits its {@code job_runs} row) before they are written with the id moved into
     * {@code metadata.log.missing_parents}. Later rows of the same run wait behind them. Default 60 seconds.
     *
     * @param foreignKeyGracePeriod the value
     */
    public void setForeignKeyGracePeriod(Duration foreignKeyGracePeriod) {
        this.foreignKeyGracePeriod = foreignKeyGracePeriod;
    }

    /**
     * Messages and metadata strings longer than this many characters are cut and marked. Default 262144.
     *
     * @param maxMessageLength the value
     */
    public void setMaxMessageLength(int maxMessageLength) {
        this.maxMessageLength = maxMessageLength;
    }

    /**
     * Comma-separated words; a metadata value whose key contains one (ignoring case and punctuation) is
     * stored as {@code [REDACTED]}. Replaces the default list; empty redacts nothing.
     *
     * @param redactKeys the value
     */
    public void setRedactKeys(String redactKeys) {
        this.redactKeys = redactKeys;
    }

    /**
     * Also mask the values of {@code key=value} and {@code key: value} pairs in messages and exception text
     * whose key holds a {@code redactKeys} word ({@code "login failed, password=hunter2"}). Off by default:
     * messages are stored as logged. Costs one scan of the message per call when on (docs/PERFORMANCE.md).
     *
     * @param redactMessages the value
     */
    public void setRedactMessages(boolean redactMessages) {
        this.redactMessages = redactMessages;
    }

    /**
     * Drain the queue when the JVM exits, even where logback's own {@code <shutdownHook/>} is not configured.
     * Default {@code true}.
     *
     * @param registerShutdownHook the value
     */
    public void setRegisterShutdownHook(boolean registerShutdownHook) {
        this.registerShutdownHook = registerShutdownHook;
    }

    /**
     * A directory of this appender's own where records wait on disk while the database cannot take them (an
     * outage, a backlog), and across restarts. Without it, records are held in memory only. No default.
     *
     * @param spoolDirectory the value
     */
    public void setSpoolDirectory(String spoolDirectory) {
        this.spoolDirectory = spoolDirectory;
    }

    /**
     * The bound on the spool's size on disk; past it, records are dropped and counted. Default 1 GB.
     *
     * @param maxSpoolBytes the value
     */
    public void setMaxSpoolBytes(FileSize maxSpoolBytes) {
        this.maxSpoolBytes = maxSpoolBytes;
    }

    /**
     * The longest time spooled records stay in the operating system's cache before they are forced to the
     * disk: what a power loss during an outage can cost. Default 1 second.
     *
     * @param spoolSyncInterval the value
     */
    public void setSpoolSyncInterval(Duration spoolSyncInterval) {
        this.spoolSyncInterval = spoolSyncInterval;
    }

    /**
     * What a logging thread does when the queue is full: {@code SPOOL} (the default with a spool directory:
     * the backlog goes to disk, the caller waits for that), {@code BLOCK} (the default without: wait while
     * the database commits, drop while it is down or after maxBlockTime without a commit), or {@code DROP}
     * (never wait; DEBUG goes first at 80% full, INFO at 90%).
     *
     * @param overflowPolicy the value
     */
    public void setOverflowPolicy(String overflowPolicy) {
        this.overflowPolicy = overflowPolicy;
    }

    /**
     * Register an MXBean with the counters under
     * {@code io.stratal.logs:type=UnifiedLogAppender,context=<context>,name=<appender>}. Default {@code true}.
     *
     * @param jmx the value
     */
    public void setJmx(boolean jmx) {
        this.jmx = jmx;
    }

    /**
     * Bind the counters as {@code stratal.logs.*} meters to Micrometer's {@code Metrics.globalRegistry} when
     * Micrometer is on the classpath. Default {@code true}.
     *
     * @param micrometer the value
     */
    public void setMicrometer(boolean micrometer) {
        this.micrometer = micrometer;
    }

    /**
     * Where batches go instead of the database: for tests and benchmarks that measure the logging thread
     * alone. Default: none, the table. With it, no url, jndiName or dataSource is needed.
     *
     * @param sinkFactory the value
     */
    public void setSinkFactory(SinkFactory sinkFactory) {
        this.sinkFactory = sinkFactory;
    }

    /**
     * MDC key holding the job run id. Default {@code job_run_id}.
     *
     * @param jobRunIdKey the MDC key of the job run id
     */
    public void setJobRunIdKey(String jobRunIdKey) {
        this.jobRunIdKey = jobRunIdKey;
    }

    /**
     * MDC key holding the task run id. Default {@code task_run_id}.
     *
     * @param taskRunIdKey the MDC key of the task run id
     */
    public void setTaskRunIdKey(String taskRunIdKey) {
        this.taskRunIdKey = taskRunIdKey;
    }

    /**
     * MDC key holding the stream ({@code stdout}, {@code stderr}, {@code system}). Default {@code stream}.
     *
     * @param streamKey the MDC key of the stream
     */
    public void setStreamKey(String streamKey) {
        this.streamKey = streamKey;
    }

    /**
     * Rules that keep the first lines of a noisy message and then one in every so many, storing one summary row
     * for what they left out ({@code <sampling><rule>...</rule></sampling>}, see {@link Sampling}). Default:
     * none, every line is stored.
     *
     * @param sampling the rules
     */
    public void setSampling(Sampling sampling) {
        this.sampling = sampling;
    }
}
