package io.stratal.logs.internal.sampling;

import io.stratal.logs.LogLevel;
import io.stratal.logs.pipeline.SamplingMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Counted sampling, before a line is mapped or queued. A line that a rule takes is counted under its key
 * (logger, message template, run); in each window of the key the first {@code first} lines are kept, then
 * one in every {@code thenEvery}. What a key leaves out in a window becomes one {@link Summary} when the
 * window ends (found by the next line of the key or by {@link #sweep}), when its run's scope ends
 * ({@link #closeRun}), when the key is evicted past {@code maxKeys} (oldest window first), or at
 * {@link #closeAll}. Summaries are handed to the consumer outside every lock.
 *
 * <p>Thread-safe. A call costs a rule match, one small key and a map lookup; nothing else is allocated,
 * kept or left out.
 *
 * @param <E> what the caller keeps of the first line left out in a window, to build the summary row from
 */
public final class Sampler<E> implements SamplingMXBean {

    /** How many keys are counted at once unless the configuration says otherwise. */
    public static final int DEFAULT_MAX_KEYS = 10_000;

    /** What {@link #decide} answers for a line the sampler leaves out. */
    public static final Verdict LEFT_OUT = new Verdict(null, 0);

    /**
     * What is said of a line that is kept under a rule.
     *
     * @param rule the rule that took it, or {@code null} for {@link #LEFT_OUT}
     * @param mark what the line carries as {@code log.sample}
     */
    public record Verdict(SamplingRule rule, Map<String, Object> mark) {
        private Verdict(SamplingRule rule, long rate) {
            this(rule, rule == null ? null : rule.mark(rate));
        }
    }

    /**
     * What one key left out in one window.
     *
     * @param rule           the rule
     * @param template       the message template of the key
     * @param representative the first line left out, as the caller kept it
     * @param level          the highest level among the lines left out
     * @param kept           lines of the key kept in the window
     * @param leftOut        lines left out
     * @param from           when the window began
     * @param to             when it ended, or was closed early
     */
    public record Summary<E>(SamplingRule rule, String template, E representative, LogLevel level, long kept, long leftOut,
                             Instant from, Instant to) {

        /** {@return the row's message: how many lines like the template were left out, and what was kept} */
        public String message() {
            return leftOut + (leftOut == 1 ? " line" : " lines") + " like \"" + template + "\" left out by sampling (kept "
                    + kept + " of " + (kept + leftOut) + ")";
        }

        /** {@return what the row carries as {@code log.sampled}} */
        public Map<String, Object> metadata() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("rule", rule.name());
            out.put("template", template);
            out.put("kept", kept);
            out.put("left_out", leftOut);
            out.put("window", rule.window().toString());
            out.put("from", from.toString());
            out.put("to", to.toString());
            return out;
        }
    }

    /** The rule is part of the key: a template logged at two levels that two rules take is counted by each apart. */
    private record Key(String logger, String template, String run, Compiled rule) {
    }

    /** The per-rule state: the rule, its two verdicts (made once), its counters. */
    private static final class Compiled {
        final SamplingRule rule;
        final Verdict first;
        final Verdict every;
        final long windowNanos;
        final LongAdder leftOut = new LongAdder();
        final LongAdder summaries = new LongAdder();

        Compiled(SamplingRule rule) {
            this.rule = rule;
            this.first = new Verdict(rule, 1);
            this.every = new Verdict(rule, rule.thenEvery());
            this.windowNanos = rule.window().toNanos();
        }
    }

    /** One key's count in its current window; guarded by itself. */
    private static final class Window<E> {
        final Key key;
        final Compiled rule;
        final String jobRun;
        final long startNanos;
        final long endNanos;
        final Instant from;
        long seen;
        long kept;
        long leftOut;
        LogLevel highest;
        E representative;
        boolean closed;

        Window(Key key, Compiled rule, String jobRun, long now, Instant from) {
            this.key = key;
            this.rule = rule;
            this.jobRun = jobRun;
            this.startNanos = now;
            this.endNanos = now + rule.windowNanos;
            this.from = from;
        }

        Verdict count(LogLevel level, E line) {
            long n = ++seen;
            SamplingRule r = rule.rule;
            if (n <= r.first()) {
                kept++;
                return rule.first;
            }
            if (r.thenEvery() > 0 && (n - r.first() - 1) % r.thenEvery() == 0) {
                kept++;
                return rule.every;
            }
            leftOut++;
            rule.leftOut.increment();
            if (representative == null) {
                representative = line;
            }
            if (highest == null || level.compareTo(highest) > 0) {
                highest = level;
            }
            return LEFT_OUT;
        }

        /** Closes the window; {@return its summary, or {@code null} when it left nothing out}. Under the lock. */
        Summary<E> close(Instant to) {
            closed = true;
            if (leftOut == 0) {
                return null;
            }
            Summary<E> summary = new Summary<>(rule.rule, key.template, representative, highest, kept, leftOut, from, to);
            representative = null;
            return summary;
        }
    }

    private final List<Compiled> rules;
    private final int maxKeys;
    private final LongSupplier nanoTime;
    private final Consumer<Summary<E>> summaries;
    private final ConcurrentHashMap<Key, Window<E>> windows = new ConcurrentHashMap<>();
    private final ReentrantLock eviction = new ReentrantLock();
    private final LongAdder closedEarly = new LongAdder();
    private volatile boolean closed;

    /**
     * @param rules     in order; the first that takes a line decides
     * @param maxKeys   keys counted at once; past it the oldest windows close early, with their summaries
     * @param nanoTime  the clock windows are measured by ({@code System::nanoTime})
     * @param summaries where summaries go; called outside every lock, on the thread that closed the window
     */
    public Sampler(List<SamplingRule> rules, int maxKeys, LongSupplier nanoTime, Consumer<Summary<E>> summaries) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be 1 or more");
        }
        this.rules = rules.stream().map(Compiled::new).toList();
        this.maxKeys = maxKeys;
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.summaries = Objects.requireNonNull(summaries, "summaries");
    }

    /**
     * Counts one line.
     *
     * @param logger   the logger's name
     * @param level    the line's level
     * @param template the message before its arguments are filled in
     * @param run      the task run id, else the job run id, else {@code null}
     * @param jobRun   the job run id or {@code null}, so that the end of a job closes its tasks' windows
     * @param line     what to keep should this be the first line left out in its window
     * @return {@code null} when no rule takes the line, {@link #LEFT_OUT}, or the verdict of a kept line
     */
    public Verdict decide(String logger, LogLevel level, String template, String run, String jobRun, E line) {
        Compiled rule = match(logger, level);
        if (rule == null) {
            return null;
        }
        if (closed) {
            return null; // stopped: the line is stored, never counted where no summary follows
        }
        Key key = new Key(logger, template == null ? "" : template, run, rule);
        while (true) {
            long now = nanoTime.getAsLong();
            Window<E> window = windows.get(key);
            if (window == null) {
                window = new Window<>(key, rule, jobRun, now, Instant.now());
                Window<E> raced = windows.putIfAbsent(key, window);
                if (raced != null) {
                    window = raced;
                } else if (windows.size() > maxKeys) {
                    evictOldest();
                }
            }
            Summary<E> ended = null;
            boolean stopped = false;
            synchronized (window) {
                if (closed) {
                    // closeAll began after the check above: this window may be one it does not see
                    stopped = true;
                    if (!window.closed) {
                        windows.remove(key, window);
                        ended = window.close(Instant.now());
                    }
                } else if (!window.closed) {
                    if (now - window.endNanos < 0) {
                        return window.count(level, line);
                    }
                    windows.remove(key, window);
                    ended = window.close(Instant.now());
                }
            }
            emit(ended); // outside the lock; a window that ran out: its summary first, then this line opens the next one
            if (stopped) {
                return null;
            }
        }
    }

    private Compiled match(String logger, LogLevel level) {
        for (int i = 0; i < rules.size(); i++) {
            Compiled rule = rules.get(i);
            if (rule.rule.takes(logger, level)) {
                return rule;
            }
        }
        return null;
    }

    /** Closes the windows that have run out. */
    public void sweep() {
        long now = nanoTime.getAsLong();
        closeWhere(w -> now - w.endNanos >= 0, false);
    }

    /** Closes the windows of a run that ended: keys of {@code runId}, and of the tasks of job run {@code runId}. */
    public void closeRun(String runId) {
        if (runId != null && !windows.isEmpty()) {
            closeWhere(w -> runId.equals(w.key.run) || runId.equals(w.jobRun), false);
        }
    }

    /**
     * Closes every window, as the appender stops; from then on no line is counted ({@link #decide} answers
     * {@code null}, so the line is stored).
     */
    public void closeAll() {
        closed = true;
        while (!windows.isEmpty()) { // a caller that passed the check before the flag may still add one
            closeWhere(w -> true, false);
        }
    }

    private void closeWhere(java.util.function.Predicate<Window<E>> which, boolean early) {
        for (Window<E> window : windows.values()) {
            if (which.test(window)) {
                close(window, early);
            }
        }
    }

    private void close(Window<E> window, boolean early) {
        Summary<E> summary;
        synchronized (window) {
            if (window.closed) {
                return;
            }
            windows.remove(window.key, window);
            summary = window.close(Instant.now());
        }
        if (early) {
            closedEarly.increment();
        }
        emit(summary);
    }

    /** Past the cap: the oldest eighth of the keys close now, so that eviction is rare and its cost shared. */
    private void evictOldest() {
        if (!eviction.tryLock()) {
            return; // another thread is evicting
        }
        try {
            int excess = windows.size() - maxKeys;
            if (excess <= 0) {
                return;
            }
            List<Window<E>> all = new ArrayList<>(windows.values());
            all.sort(Comparator.comparingLong(w -> w.startNanos));
            int toClose = Math.min(all.size(), excess + Math.max(1, maxKeys / 8));
            for (int i = 0; i < toClose; i++) {
                close(all.get(i), true);
            }
        } finally {
            eviction.unlock();
        }
    }

    private void emit(Summary<E> summary) {
        if (summary != null) {
            rulesOf(summary.rule()).summaries.increment();
            summaries.accept(summary);
        }
    }

    private Compiled rulesOf(SamplingRule rule) {
        for (Compiled compiled : rules) {
            if (compiled.rule == rule) {
                return compiled;
            }
        }
        throw new IllegalStateException("not a rule of this sampler: " + rule.name());
    }

    /** {@return the rules, in order} */
    public List<SamplingRule> rules() {
        return rules.stream().map(c -> c.rule).toList();
    }

    @Override
    public Map<String, Long> getLinesLeftOutByRule() {
        return byRule(rule -> rule.leftOut);
    }

    @Override
    public Map<String, Long> getSummariesByRule() {
        return byRule(rule -> rule.summaries);
    }

    private Map<String, Long> byRule(java.util.function.Function<Compiled, LongAdder> counter) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Compiled rule : rules) {
            out.put(rule.rule.name(), counter.apply(rule).sum());
        }
        return out;
    }

    @Override
    public int getOpenKeys() {
        return windows.size();
    }

    @Override
    public long getKeysClosedEarly() {
        return closedEarly.sum();
    }
}
