package io.stratal.logs.logback;

import ch.qos.logback.core.util.Duration;
import io.stratal.logs.LogLevel;
import io.stratal.logs.internal.sampling.SamplingRule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The appender's {@code <sampling>} element: rules that keep the first lines of a noisy message and then one in
 * every so many, and store a summary row for what they left out.
 *
 * <pre>{@code
 * <sampling>
 *   <!-- a poller: the first 5 "no new files" lines of each minute, then 1 in 60 -->
 *   <rule>
 *     <name>poller</name>
 *     <logger>com.example.ingest.Poller</logger>
 *     <first>5</first>
 *     <thenEvery>60</thenEvery>
 *   </rule>
 *   <!-- a per-item loop: 100 lines per template and task run, then 1 in 1000; DEBUG and INFO only -->
 *   <rule>
 *     <name>items</name>
 *     <logger>com.example.ingest.Importer</logger>
 *     <first>100</first>
 *     <thenEvery>1000</thenEvery>
 *     <window>10 minutes</window>
 *   </rule>
 * </sampling>
 * }</pre>
 *
 * A line is counted under its key: the logger, the message template (the SLF4J pattern before its arguments,
 * so {@code "item {} done"} is one key), and the task run id, else the job run id, else none. The first rule
 * whose logger and level take a line decides. See {@link Rule} for each field and its default.
 */
public class Sampling {

    /** Keys counted at once unless {@code <maxKeys>} says otherwise. */
    public static final int DEFAULT_MAX_KEYS = 10_000;

    private final List<Rule> rules = new ArrayList<>();
    private int maxKeys = DEFAULT_MAX_KEYS;

    /** An empty set of rules, for logback to fill from the element. */
    public Sampling() {
    }

    /**
     * Adds a rule after those already added; the first rule that takes a line decides.
     *
     * @param rule the rule
     */
    public void addRule(Rule rule) {
        rules.add(rule);
    }

    /** {@return the rules, in order} */
    public List<Rule> getRules() {
        return List.copyOf(rules);
    }

    /**
     * How many keys are counted at once (default 10,000; each holds about half a kilobyte and the first line
     * it left out). Past it, the keys whose windows began first close early, with their summaries.
     *
     * @param maxKeys the value
     */
    public void setMaxKeys(int maxKeys) {
        this.maxKeys = maxKeys;
    }

    /** {@return the cap on keys counted at once} */
    public int getMaxKeys() {
        return maxKeys;
    }

    /**
     * The rules checked, in order. A value that cannot be used is named in a warning and replaced by its default;
     * a rule whose level is not a level is left out, so that its lines are all stored.
     */
    List<SamplingRule> check(SettingsCheck check) {
        List<SamplingRule> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            String prefix = rule.logger == null ? "" : rule.logger.trim();
            String given = rule.name == null || rule.name.isBlank() ? (prefix.isEmpty() ? "*" : prefix) : rule.name.trim();
            String setting = "sampling rule " + (i + 1) + " (\"" + given + "\")";
            LogLevel level = level(rule.level);
            if (level == null) {
                check.warn(setting + ": level \"" + rule.level + "\" is not TRACE, DEBUG, INFO, WARN or ERROR; the rule is"
                        + " left out and its lines are all stored");
                continue;
            }
            String name = given;
            for (int n = 2; !names.add(name); n++) {
                name = given + "#" + n;
            }
            if (!name.equals(given)) {
                check.warn(setting + ": another rule has the name \"" + given + "\", calling this one \"" + name
                        + "\"; give each rule its own <name>");
            }
            long first = check.atLeast(setting + " first", rule.first, 0, Rule.DEFAULT_FIRST);
            long every = check.atLeast(setting + " thenEvery", rule.thenEvery, 0, Rule.DEFAULT_THEN_EVERY);
            java.time.Duration window = check.positive(setting + " window", rule.window, java.time.Duration.ofMinutes(1));
            out.add(new SamplingRule(name, prefix, level, first, every, window));
        }
        return out;
    }

    /** The cap, or the default with a warning when it is below 1. */
    int checkedMaxKeys(SettingsCheck check) {
        return check.atLeast("sampling maxKeys", maxKeys, 1, DEFAULT_MAX_KEYS);
    }

    private static LogLevel level(String level) {
        if (level == null || level.isBlank()) {
            return LogLevel.INFO;
        }
        switch (level.trim().toUpperCase(Locale.ROOT)) {
            case "TRACE":
            case "DEBUG":
                return LogLevel.DEBUG;
            case "INFO":
                return LogLevel.INFO;
            case "WARN":
                return LogLevel.WARN;
            case "ERROR":
                return LogLevel.ERROR;
            default:
                return null;
        }
    }

    /** One {@code <rule>}. Every field has a default, so an empty rule samples every logger's INFO and DEBUG. */
    public static class Rule {

        /** Lines kept per key and window unless {@code <first>} says otherwise. */
        public static final int DEFAULT_FIRST = 10;
        /** Then one line in this many unless {@code <thenEvery>} says otherwise. */
        public static final int DEFAULT_THEN_EVERY = 100;

        private String name;
        private String logger;
        private String level = "INFO";
        private long first = DEFAULT_FIRST;
        private long thenEvery = DEFAULT_THEN_EVERY;
        private Duration window = Duration.buildByMinutes(1);

        /** A rule with every field at its default. */
        public Rule() {
        }

        /**
         * What summaries, {@code log.sample} and the counters call the rule. Default: its logger, or {@code *}
         * when it takes every logger. Two rules may not share a name.
         *
         * @param name the value
         */
        public void setName(String name) {
            this.name = name;
        }

        /**
         * The loggers the rule takes: a logger name, which also takes the loggers below it
         * ({@code com.example} takes {@code com.example.Poller}). Default: every logger.
         *
         * @param logger the value
         */
        public void setLogger(String logger) {
            this.logger = logger;
        }

        /**
         * The highest level the rule samples: {@code TRACE}, {@code DEBUG}, {@code INFO} (default), {@code WARN}
         * or {@code ERROR}. WARN and ERROR lines are never sampled unless a rule names their level.
         *
         * @param level the value
         */
        public void setLevel(String level) {
            this.level = level;
        }

        /**
         * Lines kept per key and window before sampling starts (default 10).
         *
         * @param first the value, 0 or more
         */
        public void setFirst(long first) {
            this.first = first;
        }

        /**
         * After the first lines, one line kept in every this many (default 100); {@code 0} keeps none.
         *
         * @param thenEvery the value, 0 or more
         */
        public void setThenEvery(long thenEvery) {
            this.thenEvery = thenEvery;
        }

        /**
         * How long a key's count runs before it starts again, and when at the latest its summary is stored
         * (default 1 minute; a logback duration such as {@code 30 seconds} or {@code 10 minutes}).
         *
         * @param window the value
         */
        public void setWindow(Duration window) {
            this.window = window;
        }

        /** {@return the name as set, or {@code null}} */
        public String getName() {
            return name;
        }

        /** {@return the logger prefix as set, or {@code null} for every logger} */
        public String getLogger() {
            return logger;
        }

        /** {@return the highest level sampled, as set} */
        public String getLevel() {
            return level;
        }

        /** {@return lines kept per key and window before sampling starts} */
        public long getFirst() {
            return first;
        }

        /** {@return one line kept in every this many after the first ones; 0 keeps none} */
        public long getThenEvery() {
            return thenEvery;
        }

        /** {@return the window} */
        public Duration getWindow() {
            return window;
        }
    }
}
