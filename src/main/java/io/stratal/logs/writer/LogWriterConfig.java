package io.stratal.logs.writer;

import io.stratal.logs.internal.util.Checks;
import io.stratal.logs.pipeline.SinkFactory;
import io.stratal.logs.pipeline.OverflowPolicy;
import io.stratal.logs.names.Names;
import io.stratal.logs.names.TableName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Everything a {@link LogWriter} runs with, validated and immutable, with every default in one place. An
 * adapter (the logback appender, a Spring Boot starter) turns its own settings into one of these and hands
 * it to {@link LogWriter#start}; the engine never sees the adapter's mutable configuration.
 *
 * <pre>{@code
 * LogWriterConfig config = LogWriterConfig.builder("UNIFIED")
 *         .url("jdbc:postgresql://localhost:5432/stratal", "stratal", password)
 *         .spoolDirectory(Path.of("/var/lib/myapp/log-spool"))
 *         .build();
 * }</pre>
 *
 * Exactly one connection source is set: a JDBC URL (the writer keeps a small HikariCP pool of its own), a
 * JNDI name, or a DataSource the application owns. A {@link SinkFactory} replaces the database altogether
 * (benchmarks, tests).
 */
public final class LogWriterConfig {

    /** Records a batch holds at most, by default: large batches are what reaches COPY's ceiling under load. */
    public static final int DEFAULT_BATCH_SIZE = 5000;
    /** The longest a record waits for its batch, by default. */
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(250);
    /** The queue's bound in estimated heap bytes, by default: about 125,000 typical records. */
    public static final long DEFAULT_MAX_QUEUE_BYTES = 48L * 1024 * 1024;
    /** How long a caller waits for room without the database making progress, by default. */
    public static final Duration DEFAULT_MAX_BLOCK_TIME = Duration.ofSeconds(5);
    /** How long a stop keeps writing, by default. */
    public static final Duration DEFAULT_SHUTDOWN_GRACE_PERIOD = Duration.ofSeconds(10);
    /** The first pause after a connection failure, by default. */
    public static final Duration DEFAULT_MIN_RETRY_BACKOFF = Duration.ofMillis(100);
    /** The longest pause between retries, by default. */
    public static final Duration DEFAULT_MAX_RETRY_BACKOFF = Duration.ofSeconds(10);
    /** How long rows wait for their job or task run, by default. */
    public static final Duration DEFAULT_FOREIGN_KEY_GRACE_PERIOD = Duration.ofSeconds(60);
    /** How often spooled records are forced to disk while the database is away, by default. */
    public static final Duration DEFAULT_SPOOL_SYNC_INTERVAL = Duration.ofSeconds(1);
    /** The spool's bound on disk, by default. */
    public static final long DEFAULT_MAX_SPOOL_BYTES = 1024L * 1024 * 1024;
    /** Connections in the writer's own pool, by default. */
    public static final int DEFAULT_POOL_SIZE = 2;
    /**
     * Connections that COPY at once, by default, with the writer's own pool ({@link Builder#url}): two, or
     * {@link Builder#poolSize} if that is smaller. Borrowing the application's connections (a data source, JNDI) or
     * writing to a sink of its own, the default is one. Two writers were faster than one in every shape measured, at
     * the same CPU per row (docs/PERFORMANCE.md §1b).
     */
    public static final int DEFAULT_WRITERS = 2;
    /** More writers than this gain nothing on any machine measured (docs/PERFORMANCE.md §1b). */
    public static final int MAX_WRITERS = 16;

    private final String name;
    private final String url;
    private final String username;
    private final String password;
    private final int poolSize;
    private final int writers;
    private final String jndiName;
    private final DataSource dataSource;
    private final SinkFactory sinkFactory;
    private final TableName table;
    private final boolean createSchema;
    private final String notifyChannel;
    private final Path spoolDirectory;
    private final long maxSpoolBytes;
    private final Duration spoolSyncInterval;
    private final int batchSize;
    private final Duration flushInterval;
    private final long maxQueueBytes;
    private final Duration maxBlockTime;
    private final Duration shutdownGracePeriod;
    private final Duration minRetryBackoff;
    private final Duration maxRetryBackoff;
    private final Duration foreignKeyGracePeriod;
    private final OverflowPolicy overflowPolicy;

    private LogWriterConfig(Builder b) {
        this.name = b.name;
        this.url = b.url;
        this.username = b.username;
        this.password = b.password;
        this.poolSize = b.poolSize;
        this.writers = b.writers > 0 ? b.writers : b.url != null ? Math.min(DEFAULT_WRITERS, b.poolSize) : 1;
        this.jndiName = b.jndiName;
        this.dataSource = b.dataSource;
        this.sinkFactory = b.sinkFactory;
        this.table = b.table;
        this.createSchema = b.createSchema;
        this.notifyChannel = b.notifyChannel;
        this.spoolDirectory = b.spoolDirectory;
        this.maxSpoolBytes = b.maxSpoolBytes;
        this.spoolSyncInterval = b.spoolSyncInterval;
        this.batchSize = b.batchSize;
        this.flushInterval = b.flushInterval;
        this.maxQueueBytes = b.maxQueueBytes;
        this.maxBlockTime = b.maxBlockTime;
        this.shutdownGracePeriod = b.shutdownGracePeriod;
        this.minRetryBackoff = b.minRetryBackoff;
        this.maxRetryBackoff = b.maxRetryBackoff;
        this.foreignKeyGracePeriod = b.foreignKeyGracePeriod;
        this.overflowPolicy = b.overflowPolicy;
    }

    /**
     * A builder starting from the defaults.
     *
     * @param name the writer's name, in its threads' names and its reports
     * @return the builder
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** {@return the writer's name, in its flusher thread's ({@code stratal-flusher-<name>}) and in its reports} */
    public String name() {
        return name;
    }

    /** {@return the JDBC URL of the writer's own pool, or {@code null}} */
    public String url() {
        return url;
    }

    /** {@return the user of {@link #url()}, or {@code null}} */
    public String username() {
        return username;
    }

    /** {@return the password of {@link #url()}, or {@code null}} */
    public String password() {
        return password;
    }

    /** {@return connections in the writer's own pool (with {@link #url()}); the flusher uses one} */
    public int poolSize() {
        return poolSize;
    }

    /**
     * {@return the writers: connections that COPY at once, each with its own queue and flusher; a job run's
     * records, and a thread's system records, go through one at a time, in logging order}
     */
    public int writers() {
        return writers;
    }

    /** {@return a DataSource in JNDI to use instead of a URL, or {@code null}} */
    public String jndiName() {
        return jndiName;
    }

    /** {@return a DataSource the application owns, or {@code null}} */
    public DataSource dataSource() {
        return dataSource;
    }

    /** {@return where batches go instead of the table, or {@code null} for the table} */
    public SinkFactory sinkFactory() {
        return sinkFactory;
    }

    /** {@return the table the writer writes, {@code logs} by default} */
    public TableName table() {
        return table;
    }

    /** {@return whether the writer creates the table, its indexes and the ledger when missing (it never drops or alters)} */
    public boolean createSchema() {
        return createSchema;
    }

    /** {@return the channel each committed batch is announced on, or {@code null} for no announcement} */
    public String notifyChannel() {
        return notifyChannel;
    }

    /** {@return where records wait on disk while the database cannot take them, or {@code null} for no spool} */
    public Path spoolDirectory() {
        return spoolDirectory;
    }

    /** {@return the bound on the spool's size on disk; past it records are dropped and counted} */
    public long maxSpoolBytes() {
        return maxSpoolBytes;
    }

    /** {@return the longest time spooled records stay in the operating system's cache before they are forced to disk} */
    public Duration spoolSyncInterval() {
        return spoolSyncInterval;
    }

    /** {@return a batch goes out as soon as this many records wait..} */
    public int batchSize() {
        return batchSize;
    }

    /** {@return the longest a record waits for its batch: a batch also goes out when this long has passed} */
    public Duration flushInterval() {
        return flushInterval;
    }

    /** {@return the bound on the estimated heap of queued records (the batch being written and parked rows included)} */
    public long maxQueueBytes() {
        return maxQueueBytes;
    }

    /**
     * How long a logging thread waits for room in a full queue while the database commits nothing; while it
     * commits, the thread waits as long as that takes.
     *
     * @return the wait without progress; zero never waits
     */
    public Duration maxBlockTime() {
        return maxBlockTime;
    }

    /** {@return how long {@code stop()} keeps writing, and waiting for the database} */
    public Duration shutdownGracePeriod() {
        return shutdownGracePeriod;
    }

    /** {@return the first pause after a connection failure} */
    public Duration minRetryBackoff() {
        return minRetryBackoff;
    }

    /** {@return the longest pause between retries} */
    public Duration maxRetryBackoff() {
        return maxRetryBackoff;
    }

    /** {@return how long rows wait for their job or task run to be committed before the id moves into metadata} */
    public Duration foreignKeyGracePeriod() {
        return foreignKeyGracePeriod;
    }

    /** {@return what a logging thread does when the queue is full, as set; {@code null} for the default} */
    public OverflowPolicy overflowPolicy() {
        return overflowPolicy;
    }

    /**
     * The policy in force: as set, or by default {@link OverflowPolicy#SPOOL} with a spool and
     * {@link OverflowPolicy#BLOCK} without one (SPOOL without an open spool is BLOCK too).
     *
     * @param spoolOpen whether the writer has a spool it could open
     * @return the policy the writer follows
     */
    public OverflowPolicy overflowPolicy(boolean spoolOpen) {
        if (overflowPolicy == null || (overflowPolicy == OverflowPolicy.SPOOL && !spoolOpen)) {
            return spoolOpen ? OverflowPolicy.SPOOL : OverflowPolicy.BLOCK;
        }
        return overflowPolicy;
    }

    /** Collects settings; every one starts at its default. Values are checked as they are set. */
    public static final class Builder {
        private final String name;
        private String url;
        private String username;
        private String password;
        private int poolSize = DEFAULT_POOL_SIZE;
        /** 0 until set: the default depends on the connection source. */
        private int writers;
        private String jndiName;
        private DataSource dataSource;
        private SinkFactory sinkFactory;
        private TableName table = TableName.parseOrNull(Names.DEFAULT_TABLE);
        private boolean createSchema = true;
        private String notifyChannel = Names.NOTIFY_CHANNEL;
        private Path spoolDirectory;
        private long maxSpoolBytes = DEFAULT_MAX_SPOOL_BYTES;
        private Duration spoolSyncInterval = DEFAULT_SPOOL_SYNC_INTERVAL;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
        private long maxQueueBytes = DEFAULT_MAX_QUEUE_BYTES;
        private Duration maxBlockTime = DEFAULT_MAX_BLOCK_TIME;
        private Duration shutdownGracePeriod = DEFAULT_SHUTDOWN_GRACE_PERIOD;
        private Duration minRetryBackoff = DEFAULT_MIN_RETRY_BACKOFF;
        private Duration maxRetryBackoff = DEFAULT_MAX_RETRY_BACKOFF;
        private Duration foreignKeyGracePeriod = DEFAULT_FOREIGN_KEY_GRACE_PERIOD;
        private OverflowPolicy overflowPolicy;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /**
         * A pool of the writer's own (HikariCP, {@link #poolSize} connections) for a PostgreSQL JDBC URL.
         *
         * @param url      {@code jdbc:postgresql://host:5432/database}
         * @param username the user, or {@code null}
         * @param password the password, or {@code null}
         * @return this
         */
        public Builder url(String url, String username, String password) {
            this.url = Objects.requireNonNull(url, "url");
            this.username = username;
            this.password = password;
            return this;
        }

        /**
         * Connections in the writer's own pool; the flusher uses one at a time. Default 2.
         *
         * @param connections 1 or more
         * @return this
         */
        public Builder poolSize(int connections) {
            this.poolSize = Checks.atLeast("poolSize", connections, 1);
            return this;
        }

        /**
         * Writers: connections that COPY at once, each with a queue ({@code maxQueueBytes} shared among them) and
         * a flusher of its own. Records are routed by job run id (a task's records by its job run's when it is
         * known, else by the task run's), and system records by thread, so each run and each thread keeps its
         * logging order. Default {@link #DEFAULT_WRITERS} (two, no more than {@link #poolSize}) with a {@link #url},
         * else 1 (a data source or JNDI lends the application's own connections). With a {@link #url},
         * {@link #poolSize} must be at least this. With a
         * {@link #spoolDirectory}, each writer spools into {@code writer-<k>} inside it, with its share of
         * {@link #maxSpoolBytes}; what a run with another writer count left there is written first.
         *
         * @param writers 1 to {@link #MAX_WRITERS}
         * @return this
         */
        public Builder writers(int writers) {
            this.writers = Checks.atLeast("writers", writers, 1);
            if (writers > MAX_WRITERS) {
                throw new IllegalArgumentException("writers: " + writers + " is more than " + MAX_WRITERS);
            }
            return this;
        }

        /**
         * A {@code DataSource} in JNDI instead of a URL, looked up on the first write.
         *
         * @param jndiName e.g. {@code java:comp/env/jdbc/logs}
         * @return this
         */
        public Builder jndiName(String jndiName) {
            this.jndiName = Objects.requireNonNull(jndiName, "jndiName");
            return this;
        }

        /**
         * A {@code DataSource} the application owns, instead of a URL; the writer never closes it.
         *
         * @param dataSource the data source
         * @return this
         */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /**
         * Where batches go instead of a table: for tests and benchmarks. No connection source is needed with it.
         *
         * @param factory makes the sink as the writer starts
         * @return this
         */
        public Builder sinkFactory(SinkFactory factory) {
            this.sinkFactory = Objects.requireNonNull(factory, "sinkFactory");
            return this;
        }

        /**
         * The table to write. Default {@code logs}.
         *
         * @param table the table
         * @return this
         */
        public Builder table(TableName table) {
            this.table = Objects.requireNonNull(table, "table");
            return this;
        }

        /**
         * Whether to create the table, its indexes and the ledger when missing, on the first connection. It never
         * drops or alters. Default {@code true}.
         *
         * @param create whether to create what is missing
         * @return this
         */
        public Builder createSchema(boolean create) {
            this.createSchema = create;
            return this;
        }

        /**
         * The channel each committed batch is announced on, so log servers stream the new rows at once. Default
         * {@code stratal_logs}.
         *
         * @param channel a plain lower-case name, or {@code null} for no announcement
         * @return this
         */
        public Builder notifyChannel(String channel) {
            this.notifyChannel = Checks.channel("notifyChannel", channel);
            return this;
        }

        /**
         * A directory of this writer's own where records wait on disk while the database cannot take them.
         *
         * @param directory the directory, or {@code null} for none (the default)
         * @return this
         */
        public Builder spoolDirectory(Path directory) {
            this.spoolDirectory = directory;
            return this;
        }

        /**
         * The bound on the spool's size on disk; past it records are dropped and counted. Default 1 GB.
         *
         * @param bytes 1 or more
         * @return this
         */
        public Builder maxSpoolBytes(long bytes) {
            this.maxSpoolBytes = Checks.atLeast("maxSpoolBytes", bytes, 1);
            return this;
        }

        /**
         * The longest spooled records stay in the operating system's cache before they are forced to disk: what a
         * power loss during an outage can cost. Default 1 s.
         *
         * @param interval above zero
         * @return this
         */
        public Builder spoolSyncInterval(Duration interval) {
            this.spoolSyncInterval = Checks.positive("spoolSyncInterval", interval);
            return this;
        }

        /**
         * A batch goes out as soon as this many records wait. Default 5000.
         *
         * @param records 1 or more
         * @return this
         */
        public Builder batchSize(int records) {
            this.batchSize = Checks.atLeast("batchSize", records, 1);
            return this;
        }

        /**
         * A batch also goes out when this long has passed since the last one: the longest a quiet record waits.
         * Default 250 ms.
         *
         * @param interval above zero
         * @return this
         */
        public Builder flushInterval(Duration interval) {
            this.flushInterval = Checks.positive("flushInterval", interval);
            return this;
        }

        /**
         * The bound on the estimated heap of queued records, the batch being written and parked rows included.
         * Default 48 MB.
         *
         * @param bytes 1 or more
         * @return this
         */
        public Builder maxQueueBytes(long bytes) {
            this.maxQueueBytes = Checks.atLeast("maxQueueBytes", bytes, 1);
            return this;
        }

        /**
         * How long a logging thread waits for room in a full queue while the database commits nothing; then the
         * record is dropped and counted. Default 5 s.
         *
         * @param time zero or more; zero never waits
         * @return this
         */
        public Builder maxBlockTime(Duration time) {
            this.maxBlockTime = Checks.notNegative("maxBlockTime", time);
            return this;
        }

        /**
         * How long a stop keeps writing, and waiting for an unreachable database; what is left then goes to the
         * spool, or is counted as lost. Default 10 s.
         *
         * @param period zero or more
         * @return this
         */
        public Builder shutdownGracePeriod(Duration period) {
            this.shutdownGracePeriod = Checks.notNegative("shutdownGracePeriod", period);
            return this;
        }

        /**
         * The pauses between retries while the database is unavailable: from {@code min}, doubling with jitter, up
         * to {@code max}. Default 100 ms to 10 s.
         *
         * @param min the first pause, above zero
         * @param max the longest pause, above zero
         * @return this
         */
        public Builder retryBackoff(Duration min, Duration max) {
            this.minRetryBackoff = Checks.positive("minRetryBackoff", min);
            this.maxRetryBackoff = Checks.positive("maxRetryBackoff", max);
            return this;
        }

        /**
         * How long rows wait for their job or task run to be committed; then they are written with the id moved
         * into {@code metadata}. Default 60 s.
         *
         * @param period zero or more
         * @return this
         */
        public Builder foreignKeyGracePeriod(Duration period) {
            this.foreignKeyGracePeriod = Checks.notNegative("foreignKeyGracePeriod", period);
            return this;
        }

        /**
         * What a logging thread does when the queue is full.
         *
         * @param policy the policy, or {@code null} for the default: SPOOL with a spool, BLOCK without
         * @return this
         */
        public Builder overflowPolicy(OverflowPolicy policy) {
            this.overflowPolicy = policy;
            return this;
        }

        /**
         * The configuration, immutable.
         *
         * @return the configuration
         * @throws IllegalStateException when more than one connection source is set
         */
        public LogWriterConfig build() {
            if ((url != null ? 1 : 0) + (jndiName != null ? 1 : 0) + (dataSource != null ? 1 : 0) > 1) {
                throw new IllegalStateException("set only one of url, jndiName and dataSource");
            }
            if (url != null && writers > 0 && poolSize < writers) {
                throw new IllegalStateException("poolSize " + poolSize + " is below writers " + writers + ": each writer"
                        + " holds a connection while it writes; set poolSize to at least " + writers);
            }
            return new LogWriterConfig(this);
        }
    }
}
