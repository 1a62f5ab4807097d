package io.stratal.logs.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every filter test of {@link LogFilterIT} again with pages that read at most 5 rows for {@code q} and
 * {@code meta.}: pages come back partial or empty, and the walk by cursor still finds every match once, in
 * both orders, across ties and rows without a timestamp.
 */
class BoundedScanIT extends LogFilterIT {

    private static final int BOUND = 5;

    @Override
    int maxRowsScanned() {
        return BOUND;
    }

    @Test
    void aRareMatchComesAfterPagesThatReadTheirBoundAndFoundNothing() throws Exception {
        LogFilter rare = LogFilter.jobRun(job).where(LogConditions.parse(Map.of("meta.region", List.of("eu"))));
        List<LogPage> pages = new ArrayList<>();
        PageRequest request = new PageRequest(100, 0, null, true);
        while (true) {
            LogPage page = reader.page(rare, request);
            pages.add(page);
            if (!page.hasMore()) {
                break;
            }
            request = new PageRequest(100, 0, page.nextCursor(), true);
        }
        assertThat(pages).as("at least one page per 5 rows of the run").hasSizeGreaterThan(8);
        assertThat(pages).anySatisfy(page -> assertThat(page.logs()).isEmpty());
        assertThat(pages).allSatisfy(page -> assertThat(page.logs()).hasSizeLessThanOrEqualTo(BOUND));
        assertThat(pages.stream().mapToInt(page -> page.logs().size()).sum()).isEqualTo(10);
    }

    @Test
    void pagesThatStopAmongRowsWithoutATimestampGoOnFromThere() throws Exception {
        for (int i = 0; i < 12; i++) {
            db.execute("INSERT INTO logs (type, job_run_id, timestamp, message) VALUES ('job', '" + job + "', NULL, '"
                    + (i == 7 ? "the needle" : "hay " + i) + "')");
        }
        LogFilter needle = LogFilter.jobRun(job).where(LogConditions.parse(Map.of("q", List.of("needle"))));
        assertThat(selectBothWays(needle)).extracting(StoredLog::message).containsExactly("the needle");
        LogFilter hay = LogFilter.jobRun(job).where(LogConditions.parse(Map.of("q", List.of("hay"))));
        assertThat(selectBothWays(hay)).filteredOn(row -> row.message().startsWith("hay ")).hasSize(11)
                .allSatisfy(row -> assertThat(row.timestamp()).isNull());
    }

    @Test
    void pagingByOffsetIsNotBounded() throws Exception {
        LogFilter rare = LogFilter.jobRun(job).where(LogConditions.parse(Map.of("meta.region", List.of("eu"))));
        LogPage page = reader.page(rare, new PageRequest(100, 1, null, false));
        assertThat(page.logs()).as("offset 1 counts matches, so it reads them all").hasSize(9);
        assertThat(page.hasMore()).isFalse();
    }
}
