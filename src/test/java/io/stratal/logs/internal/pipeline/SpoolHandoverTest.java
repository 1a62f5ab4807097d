package io.stratal.logs.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratal.logs.internal.spool.Spool;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who closes the spools of a handover: a writer's own, unless the first writer may still read it. */
class SpoolHandoverTest {

    @TempDir
    Path dir;
    private final RecordingStatus reporter = new RecordingStatus();

    private Spool spool(String name) throws IOException {
        return Spool.open(dir.resolve(name), Long.MAX_VALUE, w -> { });
    }

    @Test
    void aWriterEndingWhileTheFirstMayStillReadItsSpoolLeavesItToTheFirstToClose() throws IOException {
        Spool first = spool("writer-1");
        Spool second = spool("writer-2");
        SpoolHandover handover = new SpoolHandover(List.of(first, second), List.of(), true);

        assertThat(handover.closesLater(second)).isTrue();
        assertThatThrownBy(() -> spool("writer-2")).as("still open for the first writer").hasMessageContaining("in use");

        handover.closeAtFirstWritersEnd(reporter);
        spool("writer-2").close();
        assertThat(handover.closesLater(first)).as("the first writer has ended: each closes its own").isFalse();
        first.close();
    }

    @Test
    void onceTheHandoverIsDoneEachWriterClosesItsOwnSpool() throws IOException {
        Spool first = spool("writer-1");
        Spool second = spool("writer-2");
        SpoolHandover handover = new SpoolHandover(List.of(first, second), List.of(), true);
        handover.finish();

        assertThat(handover.closesLater(second)).isFalse();
        second.close();
        second.close(); // a second close does nothing
        handover.closeAtFirstWritersEnd(reporter);
        first.close();
        spool("writer-2").close();
    }
}
