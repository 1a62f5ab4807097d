package io.stratal.logs.logback;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.stratal.logs.internal.ScopeEnds;
import io.stratal.logs.internal.sampling.Sampler;
import io.stratal.logs.internal.sampling.SamplingRule;
import io.stratal.logs.pipeline.SamplingMXBean;
import io.stratal.logs.pipeline.StatusListener;
import io.stratal.logs.writer.LogWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The appender's sampling, in front of the mapping: the {@link Sampler} over logback events, the thread that
 * closes windows that ran out ({@code stratal-sampling-<name>}), and the listener that closes a run's windows
 * when its scope ends. Summaries are mapped to rows and offered to the writer on whichever thread closed them.
 */
final class SamplingStage {

    /** What {@link #decide} answers for a line to leave out. */
    static final Map<String, Object> LEAVE_OUT = Map.of();

    private final Sampler<ILoggingEvent> sampler;
    private final EventMapper mapper;
    private final ScheduledExecutorService sweeper;
    private final Consumer<String> scopeEnds;
    private volatile boolean stopped;

    SamplingStage(List<SamplingRule> rules, int maxKeys, String appenderName, EventMapper mapper, LogWriter writer,
                  StatusListener status) {
        this.mapper = mapper;
        this.sampler = new Sampler<>(rules, maxKeys, System::nanoTime, summary -> {
            String failure;
            try {
                failure = writer.offer(mapper.summary(summary)) ? null : "the writer did not take it (counted as dropped)";
            } catch (RuntimeException e) {
                failure = e.toString();
            }
            if (failure != null) {
                status.warn("could not store a sampling summary: " + summary.leftOut() + " lines like \"" + summary.template()
                        + "\" left out by rule \"" + summary.rule().name() + "\" go uncounted in the table; " + failure);
            }
        });
        long shortest = rules.stream().map(SamplingRule::window).min(Duration::compareTo).orElseThrow().toMillis();
        long period = Math.max(10, Math.min(1000, shortest / 4));
        this.sweeper = Executors.newSingleThreadScheduledExecutor(work -> {
            Thread thread = new Thread(work, "stratal-sampling-" + appenderName);
            thread.setDaemon(true);
            return thread;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
        this.scopeEnds = sampler::closeRun;
        ScopeEnds.listen(scopeEnds);
    }

    private void sweep() {
        try {
            sampler.sweep();
        } catch (RuntimeException e) {
            // the next sweep tries again; a summary's own failure is reported where it is offered
        }
    }

    /**
     * {@return {@code null} when no rule takes the event, {@link #LEAVE_OUT}, or what a kept line carries as
     * {@code log.sample}}
     */
    Map<String, Object> decide(ILoggingEvent event) {
        if (stopped) {
            return null; // a line that comes during the stop goes where the writer sends it, never uncounted
        }
        // logback reads the thread's name and MDC lazily: fix both now, on the caller's thread, as the event may
        // be the one a summary is made from, on another thread
        event.getThreadName();
        Map<String, String> mdc = EventMapper.mdcOf(event);
        Sampler.Verdict verdict = sampler.decide(event.getLoggerName(), EventMapper.level(event.getLevel()),
                event.getMessage(), mapper.runOf(mdc), mapper.jobRunOf(mdc), event);
        if (verdict == null) {
            return null;
        }
        return verdict == Sampler.LEFT_OUT ? LEAVE_OUT : verdict.mark();
    }

    SamplingMXBean counters() {
        return sampler;
    }

    /** Stops the sweeps and stores the summary of every open window, before the writer stops. */
    void stop() {
        stopped = true;
        ScopeEnds.unlisten(scopeEnds);
        sweeper.shutdown(); // a sweep under way finishes: its summaries are offered whole, not interrupted
        try {
            sweeper.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sampler.closeAll();
    }
}
