package io.stratal.logs.internal.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratal.logs.LogLevel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The sampler alone, on a clock the test moves: counting per key and window, summaries, the key cap. */
class SamplerTest {

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final List<Sampler.Summary<String>> summaries = new ArrayList<>();

    private static SamplingRule rule(String name, String logger, LogLevel level, long first, long every, Duration window) {
        return new SamplingRule(name, logger, level, first, every, window);
    }

    private Sampler<String> sampler(int maxKeys, SamplingRule... rules) {
        return new Sampler<>(List.of(rules), maxKeys, clock::get, s -> {
            synchronized (summaries) {
                summaries.add(s);
            }
        });
    }

    private static boolean kept(Sampler.Verdict verdict) {
        return verdict != null && verdict != Sampler.LEFT_OUT;
    }

    @Test
    void aMillionCallsOfOneTemplateKeepTheFirstHundredThenOneInEveryThousandAndTheSummaryCountsTheRest() {
        Sampler<String> sampler = sampler(100, rule("items", "", LogLevel.INFO, 100, 1000, Duration.ofHours(1)));
        List<Integer> keptAt = new ArrayList<>();
        for (int i = 1; i <= 1_000_000; i++) {
            if (kept(sampler.decide("com.example.Importer", LogLevel.INFO, "item {} done", "task-1", "job-1", "line " + i))) {
                keptAt.add(i);
            }
        }
        assertThat(keptAt).hasSize(100 + 1000);
        assertThat(keptAt.subList(0, 100)).containsExactlyElementsOf(range(1, 100));
        for (int k = 0; k < 1000; k++) {
            assertThat(keptAt.get(100 + k)).as("one in every 1000 after the first 100").isEqualTo(101 + k * 1000);
        }
        assertThat(summaries).as("no window ended yet").isEmpty();
        sampler.closeAll();
        assertThat(summaries).hasSize(1);
        Sampler.Summary<String> summary = summaries.get(0);
        assertThat(summary.leftOut()).isEqualTo(1_000_000 - 1100);
        assertThat(summary.kept()).isEqualTo(1100);
        assertThat(summary.representative()).as("the first line left out").isEqualTo("line 102");
        assertThat(sampler.getLinesLeftOutByRule()).isEqualTo(Map.of("items", 1_000_000L - 1100));
        assertThat(sampler.getSummariesByRule()).isEqualTo(Map.of("items", 1L));
    }

    @Test
    void summariesOfSeveralWindowsAddUpToEveryLineLeftOut() {
        Sampler<String> sampler = sampler(100, rule("r", "", LogLevel.INFO, 100, 1000, Duration.ofSeconds(1)));
        long kept = 0;
        for (int i = 0; i < 1_000_000; i++) {
            if (i % 100_000 == 0) {
                clock.addAndGet(Duration.ofMillis(400).toNanos()); // a window holds about 250,000 calls
            }
            if (kept(sampler.decide("a.B", LogLevel.INFO, "item {} done", null, null, "x"))) {
                kept++;
            }
        }
        sampler.closeAll();
        assertThat(summaries).hasSizeGreaterThan(1);
        assertThat(summaries.stream().mapToLong(Sampler.Summary::leftOut).sum()).isEqualTo(1_000_000 - kept);
        assertThat(summaries.stream().mapToLong(Sampler.Summary::kept).sum()).isEqualTo(kept);
    }

    @Test
    void thenEveryZeroKeepsNothingAfterTheFirstLines() {
        Sampler<String> sampler = sampler(100, rule("r", "", LogLevel.INFO, 3, 0, Duration.ofMinutes(1)));
        int kept = 0;
        for (int i = 0; i < 50; i++) {
            kept += kept(sampler.decide("a", LogLevel.INFO, "poll", null, null, "x")) ? 1 : 0;
        }
        assertThat(kept).isEqualTo(3);
        sampler.closeAll();
        assertThat(summaries.get(0).leftOut()).isEqualTo(47);
    }

    @Test
    void aKeptLineCarriesItsRuleAndTheNumberOfLinesItStandsFor() {
        Sampler<String> sampler = sampler(100, rule("poller", "", LogLevel.INFO, 1, 60, Duration.ofMinutes(1)));
        assertThat(sampler.decide("a", LogLevel.INFO, "poll", null, null, "x").mark()).isEqualTo(Map.of("rule", "poller", "rate", 1L));
        assertThat(sampler.decide("a", LogLevel.INFO, "poll", null, null, "x").mark()).isEqualTo(Map.of("rule", "poller", "rate", 60L));
        assertThat(sampler.decide("a", LogLevel.INFO, "poll", null, null, "x")).isSameAs(Sampler.LEFT_OUT);
    }

    @Test
    void aWindowThatRanOutIsSummarisedByTheNextLineOfItsKeyOrByASweep() {
        Sampler<String> sampler = sampler(100, rule("r", "", LogLevel.INFO, 1, 0, Duration.ofSeconds(10)));
        sampler.decide("a", LogLevel.INFO, "t1", null, null, "1");
        sampler.decide("a", LogLevel.INFO, "t1", null, null, "2");
        sampler.decide("a", LogLevel.INFO, "t2", null, null, "3");
        sampler.decide("a", LogLevel.INFO, "t2", null, null, "4");
        clock.addAndGet(Duration.ofSeconds(9).toNanos());
        sampler.sweep();
        assertThat(summaries).as("nothing ran out yet").isEmpty();
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(kept(sampler.decide("a", LogLevel.INFO, "t1", null, null, "5"))).as("a new window keeps its first line").isTrue();
        assertThat(summaries).extracting(Sampler.Summary::template).containsExactly("t1");
        sampler.sweep();
        assertThat(summaries).extracting(Sampler.Summary::template).containsExactly("t1", "t2");
        assertThat(summaries.get(1).from()).isBefore(summaries.get(1).to().plusNanos(1));
        assertThat(sampler.getOpenKeys()).isEqualTo(1);
    }

    @Test
    void aWindowThatLeftNothingOutEndsWithoutASummary() {
        Sampler<String> sampler = sampler(100, rule("r", "", LogLevel.INFO, 5, 0, Duration.ofSeconds(1)));
        sampler.decide("a", LogLevel.INFO, "t", null, null, "1");
        clock.addAndGet(Duration.ofSeconds(2).toNanos());
        sampler.sweep();
        assertThat(summaries).isEmpty();
        assertThat(sampler.getOpenKeys()).isZero();
    }

    @Test
    void theKeyIsLoggerTemplateAndRun() {
        Sampler<String> sampler = sampler(100, rule("r", "", LogLevel.INFO, 1, 0, Duration.ofMinutes(1)));
        assertThat(kept(sampler.decide("a", LogLevel.INFO, "item {} done", "t1", "j", "x"))).isTrue();
        assertThat(kept(sampler.decide("a", LogLevel.INFO, "item {} done", "t1", "j", "x"))).as("same key").isFalse();
        assertThat(kept(sampler.decide("b", LogLevel.INFO, "item {} done", "t1", "j", "x"))).as("another logger").isTrue();
        assertThat(kept(sampler.decide("a", LogLevel.INFO, "item {} failed", "t1", "j", "x"))).as("another template").isTrue();
        assertThat(kept(sampler.decide("a", LogLevel.INFO, "item {} done", "t2", "j", "x"))).as("another run").isTrue();
        assertThat(kept(sampler.decide("a", LogLevel.INFO, "item {} done", null, null, "x"))).as("no run").isTrue();
        assertThat(sampler.getOpenKeys()).isEqualTo(5);
    }

    @Test
    void theLevelIsTheHighestSampledAndWarnAndErrorOnlyWhenARuleNamesThem() {
        Sampler<String> sampler = sampler(100,
                rule("info", "", LogLevel.INFO, 0, 0, Duration.ofMinutes(1)));
        assertThat(sampler.decide("a", LogLevel.DEBUG, "t", null, null, "x")).isSameAs(Sampler.LEFT_OUT);
        assertThat(sampler.decide("a", LogLevel.INFO, "t", null, null, "x")).isSameAs(Sampler.LEFT_OUT);
        assertThat(sampler.decide("a", LogLevel.WARN, "t", null, null, "x")).as("no rule takes WARN").isNull();
        assertThat(sampler.decide("a", LogLevel.ERROR, "t", null, null, "x")).isNull();

        Sampler<String> warn = sampler(100, rule("warn", "", LogLevel.WARN, 0, 0, Duration.ofMinutes(1)));
        assertThat(warn.decide("a", LogLevel.WARN, "t", null, null, "x")).isSameAs(Sampler.LEFT_OUT);
        assertThat(warn.decide("a", LogLevel.ERROR, "t", null, null, "x")).isNull();
    }

    @Test
    void theSummaryHasTheHighestLevelOfTheLinesItStandsFor() {
        Sampler<String> sampler = sampler(100, rule("r", "", LogLevel.WARN, 0, 0, Duration.ofMinutes(1)));
        sampler.decide("a", LogLevel.DEBUG, "t", null, null, "x");
        sampler.decide("a", LogLevel.WARN, "t", null, null, "y");
        sampler.decide("a", LogLevel.INFO, "t", null, null, "z");
        sampler.closeAll();
        assertThat(summaries.get(0).level()).isEqualTo(LogLevel.WARN);
        assertThat(summaries.get(0).representative()).isEqualTo("x");
        assertThat(summaries.get(0).message()).isEqualTo("3 lines like \"t\" left out by sampling (kept 0 of 3)");
        assertThat(summaries.get(0).metadata()).containsEntry("rule", "r").containsEntry("template", "t")
                .containsEntry("kept", 0L).containsEntry("left_out", 3L).containsEntry("window", "PT1M")
                .containsKeys("from", "to");
    }

    @Test
    void theLoggerIsANamePrefixAtADotAndTheFirstRuleThatTakesALineDecides() {
        Sampler<String> sampler = sampler(100,
                rule("poller", "com.example.Poller", LogLevel.INFO, 0, 0, Duration.ofMinutes(1)),
                rule("rest", "com.example", LogLevel.INFO, 1, 0, Duration.ofMinutes(1)));
        assertThat(sampler.decide("com.example.Poller", LogLevel.INFO, "t", null, null, "x")).isSameAs(Sampler.LEFT_OUT);
        assertThat(sampler.decide("com.example.Poller.Inner", LogLevel.INFO, "t", null, null, "x")).isSameAs(Sampler.LEFT_OUT);
        assertThat(sampler.decide("com.example.PollerX", LogLevel.INFO, "t", null, null, "x").rule().name()).isEqualTo("rest");
        assertThat(sampler.decide("com.examples.Other", LogLevel.INFO, "t", null, null, "x")).as("no rule").isNull();
        assertThat(sampler.decide("org.other", LogLevel.INFO, "t", null, null, "x")).isNull();
    }

    @Test
    void theEndOfARunClosesItsWindowsAndThoseOfItsTasks() {
        Sampler<String> sampler = sampler(100, rule("r", "", LogLevel.INFO, 0, 0, Duration.ofMinutes(1)));
        sampler.decide("a", LogLevel.INFO, "t", "task-1", "job-1", "task 1");
        sampler.decide("a", LogLevel.INFO, "t", "task-2", "job-1", "task 2");
        sampler.decide("a", LogLevel.INFO, "t", "job-1", "job-1", "job 1");
        sampler.decide("a", LogLevel.INFO, "t", "task-3", "job-2", "task 3");
        sampler.closeRun("task-1");
        assertThat(summaries).extracting(Sampler.Summary::representative).containsExactly("task 1");
        sampler.closeRun("job-1");
        assertThat(summaries).extracting(Sampler.Summary::representative).containsExactlyInAnyOrder("task 1", "task 2", "job 1");
        assertThat(sampler.getOpenKeys()).isEqualTo(1);
    }

    @Test
    void pastTheKeyCapTheOldestWindowsCloseEarlyWithTheirSummaries() {
        Sampler<String> sampler = sampler(16, rule("r", "", LogLevel.INFO, 0, 0, Duration.ofMinutes(1)));
        for (int k = 0; k < 16; k++) {
            clock.incrementAndGet();
            sampler.decide("a", LogLevel.INFO, "template " + k, null, null, "key " + k);
        }
        assertThat(summaries).isEmpty();
        clock.incrementAndGet();
        sampler.decide("a", LogLevel.INFO, "template 16", null, null, "key 16");
        assertThat(summaries).as("the oldest eighth and the one over the cap")
                .extracting(Sampler.Summary::representative).containsExactly("key 0", "key 1", "key 2");
        assertThat(sampler.getOpenKeys()).isEqualTo(14);
        assertThat(sampler.getKeysClosedEarly()).isEqualTo(3);
        for (int k = 17; k < 1000; k++) {
            sampler.decide("a", LogLevel.INFO, "template " + k, null, null, "key " + k);
            assertThat(sampler.getOpenKeys()).isLessThanOrEqualTo(16);
        }
        sampler.closeAll();
        assertThat(summaries.stream().mapToLong(Sampler.Summary::leftOut).sum()).as("every line is in a summary").isEqualTo(1000);
    }

    @Test
    void concurrentCallersCountEveryLineOnce() throws Exception {
        Sampler<String> sampler = sampler(100, rule("r", "", LogLevel.INFO, 10, 7, Duration.ofMillis(1)));
        AtomicLong kept = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 100_000; i++) {
                    if (i % 1000 == 0) {
                        clock.addAndGet(Duration.ofMillis(1).toNanos() / 3);
                    }
                    if (kept(sampler.decide("a", LogLevel.INFO, "t", null, null, "x"))) {
                        kept.incrementAndGet();
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        sampler.closeAll();
        long leftOut = summaries.stream().mapToLong(Sampler.Summary::leftOut).sum();
        assertThat(leftOut + kept.get()).isEqualTo(400_000);
        assertThat(sampler.getLinesLeftOutByRule().get("r")).isEqualTo(leftOut);
    }

    @Test
    void afterCloseAllNoLineIsCountedWhereNoSummaryWouldFollow() {
        Sampler<String> sampler = sampler(100, rule("r", "", LogLevel.INFO, 0, 0, Duration.ofMinutes(1)));
        sampler.decide("a", LogLevel.INFO, "t", null, null, "x");
        sampler.closeAll();
        assertThat(summaries).hasSize(1);
        assertThat(sampler.decide("a", LogLevel.INFO, "t", null, null, "y")).as("stored, not counted").isNull();
        assertThat(sampler.getOpenKeys()).isZero();
        assertThat(sampler.getLinesLeftOutByRule()).isEqualTo(Map.of("r", 1L));
    }

    @Test
    void twoRulesThatTakeOneTemplateAtTwoLevelsCountItApart() {
        Sampler<String> sampler = sampler(100, rule("debug", "", LogLevel.DEBUG, 1, 0, Duration.ofMinutes(1)),
                rule("info", "", LogLevel.INFO, 2, 0, Duration.ofMinutes(1)));
        assertThat(sampler.decide("a", LogLevel.DEBUG, "t", null, null, "x").rule().name()).isEqualTo("debug");
        assertThat(kept(sampler.decide("a", LogLevel.INFO, "t", null, null, "x"))).isTrue();
        assertThat(kept(sampler.decide("a", LogLevel.INFO, "t", null, null, "x"))).as("info's own count: 2 kept").isTrue();
        assertThat(sampler.decide("a", LogLevel.DEBUG, "t", null, null, "x")).isSameAs(Sampler.LEFT_OUT);
        assertThat(sampler.getOpenKeys()).isEqualTo(2);
    }

    @Test
    void aRuleRefusesNegativeCountsAndAnEmptyWindow() {
        assertThatThrownBy(() -> rule("r", "", LogLevel.INFO, -1, 0, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> rule("r", "", LogLevel.INFO, 0, -1, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> rule("r", "", LogLevel.INFO, 0, 0, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }
}
