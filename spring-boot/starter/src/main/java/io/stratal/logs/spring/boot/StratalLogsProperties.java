package io.stratal.logs.spring.boot;

import io.stratal.logs.names.TableName;
import io.stratal.logs.pipeline.OverflowPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code stratal.logs.*} properties: the appender's settings in kebab case, with the library's defaults.
 * The database defaults to the application's own ({@code spring.datasource.url}, {@code username},
 * {@code password}), written through a small pool of the appender's own. A value that cannot work fails the
 * application's startup with Spring Boot's failure analysis, naming the property.
 */
@ConfigurationProperties(prefix = StratalLogsProperties.PREFIX)
public class StratalLogsProperties {

    /** The prefix of every property. */
    public static final String PREFIX = "stratal.logs";

    /** Store the application's logs in PostgreSQL. */
    private boolean enabled = true;

    /** PostgreSQL JDBC URL of the logs database. Defaults to spring.datasource.url. */
    private String url;

    /** User for url. Defaults to spring.datasource.username. */
    private String username;

    /** Password for url. Defaults to spring.datasource.password. */
    private String password;

    /** A DataSource in JNDI to write through instead of url, looked up on the first write. */
    private String jndiName;

    /** Table to write, "logs" or "schema.logs". */
    private String table = "logs";

    /** Create the table and its indexes on the first connection when missing; never drops or alters. */
    private boolean createSchema = true;

    /** Announce each committed batch with pg_notify, so that log servers stream new rows at once. */
    private boolean notify = true;

    /** The channel of notify: a plain lower-case name, the same as the log server's. */
    private String notifyChannel = "stratal_logs";

    /**
     * Carry the job and task scope of the thread that hands work over into @Async methods and into tasks given to
     * the TaskExecutor and TaskScheduler Spring Boot builds, and clear it afterwards on their pooled threads.
     */
    private boolean propagateScopes = true;

    /** Connections in the appender's own pool; at least writers. */
    private int poolSize = 2;

    /**
     * Connections that COPY at once, each with its own queue and flusher; a job run's records and a thread's system
     * records go through one at a time, in logging order. With a spool directory, each writer spools into writer-k inside it. Unset: 2,
     * or pool-size if that is smaller.
     */
    private Integer writers;

    /** A batch is written as soon as this many records wait. */
    private int batchSize = 5000;

    /** The longest a record waits before it is written, when batch-size records do not come together sooner. */
    private Duration flushInterval = Duration.ofMillis(250);

    /** Bound on the heap held by queued and in-flight records; past it, callers wait for the database. */
    private DataSize maxQueueBytes = DataSize.ofMegabytes(48);

    /**
     * A logging thread that finds the queue full waits while the database commits; it drops its line only after
     * this long without a commit. 0 never waits.
     */
    private Duration maxBlockTime = Duration.ofSeconds(5);

    /** How long stopping keeps writing and waiting for an unreachable database. */
    private Duration shutdownGracePeriod = Duration.ofSeconds(10);

    /**
     * Drain the queue from a JVM shutdown hook of the appender's own. Unset, the starter leaves the stop to Spring
     * Boot's logging shutdown (logging.register-shutdown-hook) and registers a hook only where that is off.
     */
    private Boolean registerShutdownHook;

    /** How long rows wait for their job or task run to be committed before they are written without the link. */
    private Duration foreignKeyGracePeriod = Duration.ofSeconds(60);

    /** A directory where records wait on disk while the database cannot take them, and across restarts. */
    private String spoolDirectory;

    /** Bound on the spool's size on disk; past it, records are dropped and counted. */
    private DataSize maxSpoolBytes = DataSize.ofGigabytes(1);

    /** The longest spooled records stay in the operating system's cache before they are forced to disk. */
    private Duration spoolSyncInterval = Duration.ofSeconds(1);

    /**
     * When the queue is full: spool to disk, block while the database commits, or drop. Unset: spool with a
     * spool directory, else block.
     */
    private OverflowPolicy overflowPolicy;

    /** Register an MXBean with the appender's counters. */
    private boolean jmx = true;

    /** Publish the appender's counters as stratal.logs.* meters in the application's MeterRegistry. */
    private boolean micrometer = true;

    /** Messages and metadata strings longer than this many characters are cut, and the cut noted. */
    private int maxMessageLength = 262144;

    /** A metadata value whose key contains one of these words is stored as [REDACTED]; replaces the default list. */
    private List<String> redactKeys = Arrays.asList("password", "passwd", "secret", "token", "apikey",
            "authorization", "credential", "privatekey", "cookie", "sessionid");

    /** Also mask the values of key=value pairs in messages and exception text whose key holds a redact-keys word. */
    private boolean redactMessages;

    /** MDC key of the job run id. */
    private String jobRunIdKey = "job_run_id";

    /** MDC key of the task run id. */
    private String taskRunIdKey = "task_run_id";

    /** MDC key of the stream. */
    private String streamKey = "stream";

    /** The read API, the live streams and the log viewer, served beside the application. */
    private final Server server = new Server();

    /** Counted sampling: rules that keep the first lines of a noisy message, then one in every so many. */
    private final Sampling sampling = new Sampling();

    /** Properties at their defaults, for Spring Boot to bind. */
    public StratalLogsProperties() {
    }

    /** {@return the read API's properties} */
    public Server getServer() {
        return server;
    }

    /** {@return the sampling rules' properties} */
    public Sampling getSampling() {
        return sampling;
    }

    /**
     * Counted sampling, as the appender's {@code <sampling>} element sets it: each rule keeps the first lines of a
     * key (logger, message template, run) in each window, then one in every so many, and stores one summary row
     * for what it left out. No rules (the default): every line is stored.
     */
    public static class Sampling {

        /** Keys counted at once; past it the oldest windows close early, with their summaries. */
        private int maxKeys = 10_000;

        /** The rules, in order; the first that takes a line decides. */
        private List<Rule> rules = new ArrayList<>();

        /** Sampling properties at their defaults: no rules. */
        public Sampling() {
        }

        /** {@return the cap on keys counted at once} */
        public int getMaxKeys() {
            return maxKeys;
        }

        /**
         * Sets the cap on keys counted at once.
         *
         * @param maxKeys 1 or more
         */
        public void setMaxKeys(int maxKeys) {
            this.maxKeys = atLeast("sampling.max-keys", maxKeys, 1);
        }

        /** {@return the rules, in order} */
        public List<Rule> getRules() {
            return rules;
        }

        /**
         * Sets the rules.
         *
         * @param rules the rules, in order
         */
        public void setRules(List<Rule> rules) {
            this.rules = rules == null ? new ArrayList<>() : rules;
        }

        /** One rule ({@code stratal.logs.sampling.rules[0].logger=com.example.Poller}, ...). */
        public static class Rule {

            /** What summaries, log.sample and the meters call the rule; default its logger, or *. */
            private String name;

            /** Logger name the rule takes, with the loggers below it; default every logger. */
            private String logger;

            /** Highest level sampled: TRACE, DEBUG, INFO, WARN or ERROR. */
            private String level = "INFO";

            /** Lines kept per key and window before sampling starts. */
            private long first = 10;

            /** Then one line kept in every this many; 0 keeps none. */
            private long thenEvery = 100;

            /** How long a key's count runs; its summary is stored when it ends at the latest. */
            private Duration window = Duration.ofMinutes(1);

            /** A rule at its defaults. */
            public Rule() {
            }

            /** {@return the name, or {@code null}} */
            public String getName() {
                return name;
            }

            /**
             * Sets the name.
             *
             * @param name the name
             */
            public void setName(String name) {
                this.name = name;
            }

            /** {@return the logger prefix, or {@code null} for every logger} */
            public String getLogger() {
                return logger;
            }

            /**
             * Sets the logger prefix.
             *
             * @param logger a logger name
             */
            public void setLogger(String logger) {
                this.logger = logger;
            }

            /** {@return the highest level sampled} */
            public String getLevel() {
                return level;
            }

            /**
             * Sets the highest level sampled.
             *
             * @param level TRACE, DEBUG, INFO, WARN or ERROR
             */
            public void setLevel(String level) {
                String upper = level == null ? "" : level.trim().toUpperCase(java.util.Locale.ROOT);
                if (!List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR").contains(upper)) {
                    throw new IllegalArgumentException("level must be TRACE, DEBUG, INFO, WARN or ERROR, got " + level);
                }
                this.level = upper;
            }

            /** {@return lines kept per key and window before sampling starts} */
            public long getFirst() {
                return first;
            }

            /**
             * Sets the lines kept per key and window before sampling starts.
             *
             * @param first 0 or more
             */
            public void setFirst(long first) {
                if (first < 0) {
                    throw new IllegalArgumentException("first must be at least 0, got " + first);
                }
                this.first = first;
            }

            /** {@return one line kept in every this many after the first ones} */
            public long getThenEvery() {
                return thenEvery;
            }

            /**
             * Sets how many lines one kept line stands for after the first ones.
             *
             * @param thenEvery 0 (keep none) or more
             */
            public void setThenEvery(long thenEvery) {
                if (thenEvery < 0) {
                    throw new IllegalArgumentException("then-every must be at least 0, got " + thenEvery);
                }
                this.thenEvery = thenEvery;
            }

            /** {@return the window} */
            public Duration getWindow() {
                return window;
            }

            /**
             * Sets the window.
             *
             * @param window above zero
             */
            public void setWindow(Duration window) {
                this.window = positive("window", window);
            }
        }
    }

    /**
     * The read API, the live streams and the log viewer ({@code LogServer}, as {@code serve} runs it) on a port of
     * their own beside the application, under the same safety rules: loopback only unless a token is set.
     * Needs Javalin on the class path ({@code io.javalin:javalin}).
     */
    public static class Server {

        /** Serve the read API and the viewer beside the application. */
        private boolean enabled;

        /** Port to listen on; 0 picks a free one. */
        private int port = 8090;

        /** Address to listen on: loopback by default; any other needs a token. */
        private String bind = "127.0.0.1";

        /** Bearer token every API request must carry; required off loopback. */
        private String token;

        /** Serve an address other than loopback without a token, on purpose. */
        private boolean allowNoToken;

        /** Host names (besides loopback ones) the server answers to, when it listens on another address. */
        private List<String> allowedHosts = new ArrayList<>();

        /** Origins of web pages that may read the API (CORS) and open its WebSocket. */
        private List<String> allowedOrigins = new ArrayList<>();

        /** Live stream clients served at once. */
        private int maxStreamClients = 100;

        /** How often the live streams look for new rows when no notification comes. */
        private Duration pollInterval = Duration.ofSeconds(2);

        /** Read API properties at their defaults. */
        public Server() {
        }

        /** {@return whether the read API is served} */
        public boolean isEnabled() {
            return enabled;
        }

        /**
         * Sets whether the read API is served.
         *
         * @param enabled whether the read API is served
         */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** {@return the port} */
        public int getPort() {
            return port;
        }

        /**
         * Sets the port.
         *
         * @param port 0 to 65535; 0 picks a free one
         */
        public void setPort(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("server.port must be a port number 0..65535, got " + port);
            }
            this.port = port;
        }

        /** {@return the address} */
        public String getBind() {
            return bind;
        }

        /**
         * Sets the address.
         *
         * @param bind an address or host name of this machine
         */
        public void setBind(String bind) {
            if (bind == null || bind.isBlank()) {
                throw new IllegalArgumentException("server.bind must name an address, such as 127.0.0.1");
            }
            this.bind = bind.trim();
        }

        /** {@return the token, or {@code null}} */
        public String getToken() {
            return token;
        }

        /**
         * Sets the token.
         *
         * @param token the bearer token; not blank
         */
        public void setToken(String token) {
            if (token != null && token.isBlank()) {
                throw new IllegalArgumentException("server.token is blank; give a real token, or leave it unset to "
                        + "serve loopback without one");
            }
            this.token = token;
        }

        /** {@return whether an address other than loopback may be served without a token} */
        public boolean isAllowNoToken() {
            return allowNoToken;
        }

        /**
         * Sets whether an address other than loopback may be served without a token.
         *
         * @param allowNoToken whether an address other than loopback may be served without a token
         */
        public void setAllowNoToken(boolean allowNoToken) {
            this.allowNoToken = allowNoToken;
        }

        /** {@return the host names answered to} */
        public List<String> getAllowedHosts() {
            return allowedHosts;
        }

        /**
         * Sets the host names answered to.
         *
         * @param allowedHosts host names besides the loopback ones
         */
        public void setAllowedHosts(List<String> allowedHosts) {
            this.allowedHosts = allowedHosts == null ? new ArrayList<>() : allowedHosts;
        }

        /** {@return the origins that may read the API} */
        public List<String> getAllowedOrigins() {
            return allowedOrigins;
        }

        /**
         * Sets the origins that may read the API.
         *
         * @param allowedOrigins origins such as https://dashboard.example.com
         */
        public void setAllowedOrigins(List<String> allowedOrigins) {
            this.allowedOrigins = allowedOrigins == null ? new ArrayList<>() : allowedOrigins;
        }

        /** {@return the stream clients served at once} */
        public int getMaxStreamClients() {
            return maxStreamClients;
        }

        /**
         * Sets the stream clients served at once.
         *
         * @param maxStreamClients at least 1
         */
        public void setMaxStreamClients(int maxStreamClients) {
            this.maxStreamClients = atLeast("server.max-stream-clients", maxStreamClients, 1);
        }

        /** {@return how often streams look for new rows} */
        public Duration getPollInterval() {
            return pollInterval;
        }

        /**
         * Sets how often streams look for new rows.
         *
         * @param pollInterval 10 ms to 10 s
         */
        public void setPollInterval(Duration pollInterval) {
            if (pollInterval == null || pollInterval.compareTo(Duration.ofMillis(10)) < 0
                    || pollInterval.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException("server.poll-interval must be 10ms to 10s, got " + pollInterval);
            }
            this.pollInterval = pollInterval;
        }
    }

    private static int atLeast(String property, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(property + " must be at least " + min + ", got " + value);
        }
        return value;
    }

    private static Duration positive(String property, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(property + " must be above zero, got " + value);
        }
        return value;
    }

    private static Duration notNegative(String property, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(property + " must be zero or more, got " + value);
        }
        return value;
    }

    private static DataSize atLeastOneMegabyte(String property, DataSize value) {
        if (value == null || value.toBytes() < DataSize.ofMegabytes(1).toBytes()) {
            throw new IllegalArgumentException(property + " must be at least 1MB, got " + value);
        }
        return value;
    }

    private static String mdcKey(String property, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(property + " must name an MDC key");
        }
        return value.trim();
    }

    /** {@return whether logs are stored} */
    public boolean isEnabled() {
        return enabled;
    }

    /**
     * Sets whether logs are stored.
     *
     * @param enabled whether logs are stored
     */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** {@return the JDBC URL, or {@code null} for spring.datasource.url} */
    public String getUrl() {
        return url;
    }

    /**
     * Sets a PostgreSQL JDBC URL.
     *
     * @param url a PostgreSQL JDBC URL
     */
    public void setUrl(String url) {
        if (url != null && !url.isBlank() && !url.trim().startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/database)");
        }
        this.url = url;
    }

    /** {@return the user, or {@code null} for spring.datasource.username} */
    public String getUsername() {
        return username;
    }

    /**
     * Sets the user.
     *
     * @param username the user
     */
    public void setUsername(String username) {
        this.username = username;
    }

    /** {@return the password, or {@code null} for spring.datasource.password} */
    public String getPassword() {
        return password;
    }

    /**
     * Sets the password.
     *
     * @param password the password
     */
    public void setPassword(String password) {
        this.password = password;
    }

    /** {@return the JNDI name of a DataSource, or {@code null}} */
    public String getJndiName() {
        return jndiName;
    }

    /**
     * Sets the JNDI name of a DataSource.
     *
     * @param jndiName the JNDI name of a DataSource
     */
    public void setJndiName(String jndiName) {
        this.jndiName = jndiName;
    }

    /** {@return the table} */
    public String getTable() {
        return table;
    }

    /**
     * Sets "logs" or "schema.logs".
     *
     * @param table "logs" or "schema.logs"
     */
    public void setTable(String table) {
        if (TableName.parseOrNull(table) == null) {
            throw new IllegalArgumentException("table must be a plain table name such as logs or myschema.logs "
                    + "(letters, digits and _), got \"" + table + "\"");
        }
        this.table = table.trim();
    }

    /** {@return whether the table is created when missing} */
    public boolean isCreateSchema() {
        return createSchema;
    }

    /**
     * Sets whether the table is created when missing.
     *
     * @param createSchema whether the table is created when missing
     */
    public void setCreateSchema(boolean createSchema) {
        this.createSchema = createSchema;
    }

    /** {@return whether committed batches are announced} */
    public boolean isNotify() {
        return notify;
    }

    /**
     * Sets whether committed batches are announced.
     *
     * @param notify whether committed batches are announced
     */
    public void setNotify(boolean notify) {
        this.notify = notify;
    }

    /** {@return the notification channel} */
    public String getNotifyChannel() {
        return notifyChannel;
    }

    /**
     * Sets a plain lower-case name.
     *
     * @param notifyChannel a plain lower-case name
     */
    public void setNotifyChannel(String notifyChannel) {
        if (notifyChannel == null || !TableName.isIdentifier(notifyChannel.trim())) {
            throw new IllegalArgumentException("notify-channel must be a plain lower-case name such as stratal_logs "
                    + "(letters, digits and _), got \"" + notifyChannel + "\"; set notify=false for no notification");
        }
        this.notifyChannel = notifyChannel.trim();
    }

    /** {@return whether scopes follow work handed to Spring Boot's executors and schedulers} */
    public boolean isPropagateScopes() {
        return propagateScopes;
    }

    /**
     * Sets whether scopes follow work handed to Spring Boot's executors and schedulers.
     *
     * @param propagateScopes whether scopes follow work handed to Spring Boot's executors and schedulers
     */
    public void setPropagateScopes(boolean propagateScopes) {
        this.propagateScopes = propagateScopes;
    }

    /** {@return connections in the appender's pool} */
    public int getPoolSize() {
        return poolSize;
    }

    /**
     * Sets connections in the appender's pool, at least 1.
     *
     * @param poolSize connections in the appender's pool, at least 1
     */
    public void setPoolSize(int poolSize) {
        this.poolSize = atLeast("pool-size", poolSize, 1);
    }

    /** {@return connections that COPY at once, or {@code null} for the appender's default (2, at most pool-size)} */
    public Integer getWriters() {
        return writers;
    }

    /**
     * Sets the connections that COPY at once, 1 to 16; {@code null} for the appender's default.
     *
     * @param writers connections that COPY at once
     */
    public void setWriters(Integer writers) {
        this.writers = writers == null ? null : atLeast("writers", writers, 1);
    }

    /** {@return records a batch is written at} */
    public int getBatchSize() {
        return batchSize;
    }

    /**
     * Sets records a batch is written at, at least 1.
     *
     * @param batchSize records a batch is written at, at least 1
     */
    public void setBatchSize(int batchSize) {
        this.batchSize = atLeast("batch-size", batchSize, 1);
    }

    /** {@return the most a quiet record waits} */
    public Duration getFlushInterval() {
        return flushInterval;
    }

    /**
     * Sets the most a quiet record waits, above zero.
     *
     * @param flushInterval the most a quiet record waits, above zero
     */
    public void setFlushInterval(Duration flushInterval) {
        this.flushInterval = positive("flush-interval", flushInterval);
    }

    /** {@return the bound on queued records' heap} */
    public DataSize getMaxQueueBytes() {
        return maxQueueBytes;
    }

    /**
     * Sets the bound on queued records' heap, at least 1MB.
     *
     * @param maxQueueBytes the bound on queued records' heap, at least 1MB
     */
    public void setMaxQueueBytes(DataSize maxQueueBytes) {
        this.maxQueueBytes = atLeastOneMegabyte("max-queue-bytes", maxQueueBytes);
    }

    /** {@return how long a caller waits without a commit} */
    public Duration getMaxBlockTime() {
        return maxBlockTime;
    }

    /**
     * Sets how long a caller waits without a commit, zero or more.
     *
     * @param maxBlockTime how long a caller waits without a commit, zero or more
     */
    public void setMaxBlockTime(Duration maxBlockTime) {
        this.maxBlockTime = notNegative("max-block-time", maxBlockTime);
    }

    /** {@return how long stopping waits for the database} */
    public Duration getShutdownGracePeriod() {
        return shutdownGracePeriod;
    }

    /**
     * Sets how long stopping waits for the database, zero or more.
     *
     * @param shutdownGracePeriod how long stopping waits for the database, zero or more
     */
    public void setShutdownGracePeriod(Duration shutdownGracePeriod) {
        this.shutdownGracePeriod = notNegative("shutdown-grace-period", shutdownGracePeriod);
    }

    /** {@return whether the appender registers a shutdown hook of its own, or {@code null} to decide by Spring Boot's} */
    public Boolean getRegisterShutdownHook() {
        return registerShutdownHook;
    }

    /**
     * Sets whether the appender registers a shutdown hook of its own.
     *
     * @param registerShutdownHook whether the appender registers a shutdown hook of its own
     */
    public void setRegisterShutdownHook(Boolean registerShutdownHook) {
        this.registerShutdownHook = registerShutdownHook;
    }

    /** {@return how long rows wait for their run's row} */
    public Duration getForeignKeyGracePeriod() {
        return foreignKeyGracePeriod;
    }

    /**
     * Sets how long rows wait for their run's row, zero or more.
     *
     * @param foreignKeyGracePeriod how long rows wait for their run's row, zero or more
     */
    public void setForeignKeyGracePeriod(Duration foreignKeyGracePeriod) {
        this.foreignKeyGracePeriod = notNegative("foreign-key-grace-period", foreignKeyGracePeriod);
    }

    /** {@return the spool directory, or {@code null} for none} */
    public String getSpoolDirectory() {
        return spoolDirectory;
    }

    /**
     * Sets a directory of the appender's own.
     *
     * @param spoolDirectory a directory of the appender's own
     */
    public void setSpoolDirectory(String spoolDirectory) {
        this.spoolDirectory = spoolDirectory;
    }

    /** {@return the bound on the spool's size} */
    public DataSize getMaxSpoolBytes() {
        return maxSpoolBytes;
    }

    /**
     * Sets the bound on the spool's size, at least 1MB.
     *
     * @param maxSpoolBytes the bound on the spool's size, at least 1MB
     */
    public void setMaxSpoolBytes(DataSize maxSpoolBytes) {
        this.maxSpoolBytes = atLeastOneMegabyte("max-spool-bytes", maxSpoolBytes);
    }

    /** {@return the longest spooled records stay unsynced} */
    public Duration getSpoolSyncInterval() {
        return spoolSyncInterval;
    }

    /**
     * Sets the longest spooled records stay unsynced, above zero.
     *
     * @param spoolSyncInterval the longest spooled records stay unsynced, above zero
     */
    public void setSpoolSyncInterval(Duration spoolSyncInterval) {
        this.spoolSyncInterval = positive("spool-sync-interval", spoolSyncInterval);
    }

    /** {@return what a full queue does, or {@code null} for the default} */
    public OverflowPolicy getOverflowPolicy() {
        return overflowPolicy;
    }

    /**
     * Sets what a full queue does.
     *
     * @param overflowPolicy what a full queue does
     */
    public void setOverflowPolicy(OverflowPolicy overflowPolicy) {
        this.overflowPolicy = overflowPolicy;
    }

    /** {@return whether an MXBean is registered} */
    public boolean isJmx() {
        return jmx;
    }

    /**
     * Sets whether an MXBean is registered.
     *
     * @param jmx whether an MXBean is registered
     */
    public void setJmx(boolean jmx) {
        this.jmx = jmx;
    }

    /** {@return whether meters are published} */
    public boolean isMicrometer() {
        return micrometer;
    }

    /**
     * Sets whether meters are published.
     *
     * @param micrometer whether meters are published
     */
    public void setMicrometer(boolean micrometer) {
        this.micrometer = micrometer;
    }

    /** {@return the longest message kept whole} */
    public int getMaxMessageLength() {
        return maxMessageLength;
    }

    /**
     * Sets the longest message kept whole, at least 1024.
     *
     * @param maxMessageLength the longest message kept whole, at least 1024
     */
    public void setMaxMessageLength(int maxMessageLength) {
        this.maxMessageLength = atLeast("max-message-length", maxMessageLength, 1024);
    }

    /** {@return the words whose keys are redacted} */
    public List<String> getRedactKeys() {
        return redactKeys;
    }

    /**
     * Sets the words whose keys are redacted; empty redacts nothing.
     *
     * @param redactKeys the words whose keys are redacted; empty redacts nothing
     */
    public void setRedactKeys(List<String> redactKeys) {
        this.redactKeys = redactKeys == null ? new ArrayList<>() : redactKeys;
    }

    /** {@return whether messages are redacted too} */
    public boolean isRedactMessages() {
        return redactMessages;
    }

    /**
     * Sets whether messages are redacted too.
     *
     * @param redactMessages whether messages are redacted too
     */
    public void setRedactMessages(boolean redactMessages) {
        this.redactMessages = redactMessages;
    }

    /** {@return the MDC key of the job run id} */
    public String getJobRunIdKey() {
        return jobRunIdKey;
    }

    /**
     * Sets the MDC key of the job run id.
     *
     * @param jobRunIdKey the MDC key of the job run id
     */
    public void setJobRunIdKey(String jobRunIdKey) {
        this.jobRunIdKey = mdcKey("job-run-id-key", jobRunIdKey);
    }

    /** {@return the MDC key of the task run id} */
    public String getTaskRunIdKey() {
        return taskRunIdKey;
    }

    /**
     * Sets the MDC key of the task run id.
     *
     * @param taskRunIdKey the MDC key of the task run id
     */
    public void setTaskRunIdKey(String taskRunIdKey) {
        this.taskRunIdKey = mdcKey("task-run-id-key", taskRunIdKey);
    }

    /** {@return the MDC key of the stream} */
    public String getStreamKey() {
        return streamKey;
    }

    /**
     * Sets the MDC key of the stream.
     *
     * @param streamKey the MDC key of the stream
     */
    public void setStreamKey(String streamKey) {
        this.streamKey = mdcKey("stream-key", streamKey);
    }
}
