package io.stratal.logs.internal.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratal.logs.LogRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Frames put ahead of the others, and reading that goes on where it stood after a clean close. */
class SpoolPutFirstTest extends SpoolFixture {

    @Test
    void framesPutFirstAreReadNextAndThenReadingGoesOnWhereItWas() throws IOException {
        UUID aId = UUID.randomUUID();
        try (Spool spool = open()) {
            spool.append(aId, List.of(record("a")));
            spool.append(UUID.randomUUID(), List.of(record("b")));
            spool.append(UUID.randomUUID(), List.of(record("c")));
            spool.done(spool.peek()); // "a" is written
            spool.peek(); // "b" is being written
            long pending = spool.pendingBytes();
            Spool.Frame first = frame("first 1", "first 2");
            assertThat(spool.putFirst(List.of(first, frame("first 3")), Long.MAX_VALUE, null)).isTrue();
            assertThat(segments()).hasSize(2);
            assertThat(spool.pendingBytes()).as("the new segment's frames, and what was read not counted again")
                    .isEqualTo(pending + Files.size(segments().get(0)) - Spool.MAGIC.length);
            Spool.Frame next = spool.peek();
            assertThat(next.id()).isEqualTo(first.id());
            spool.done(next);
            Spool.Frame third = spool.peek();
            assertThat(spool.done(third)).as("the new segment's batch ids, when it is done").hasSize(2).contains(first.id());
            Spool.Frame b = spool.peek();
            assertThat(b.records()).extracting(LogRecord::message).containsExactly("b");
            spool.done(b);
            assertThat(spool.done(spool.peek())).as("the interrupted segment's ids, \"a\" included").hasSize(3).contains(aId);
            assertThat(spool.isEmpty()).isTrue();
            assertThat(segments()).isEmpty();
        }
    }

    @Test
    void framesPutFirstComeFirstAfterARestartThenThePartlyReadSegmentWhereItStood() throws IOException {
        try (Spool spool = open()) {
            spool.append(UUID.randomUUID(), List.of(record("a")));
            spool.append(UUID.randomUUID(), List.of(record("b")));
            spool.done(spool.peek());
            spool.putFirst(List.of(frame("first")), Long.MAX_VALUE, null);
            assertThat(spool.putFirst(List.of(frame("before first")), Long.MAX_VALUE, null)).as("again, below it").isTrue();
        }
        try (Spool spool = open()) {
            assertThat(readAll(spool)).containsExactly("before first", "first", "b");
        }
        assertThat(segments()).isEmpty();
    }

    @Test
    void framesPutFirstAreDatedNoLaterThanTheOldestSegmentNorThanAskedSoAHandoverTakesThemFirst() throws IOException {
        try (Spool spool = open()) {
            spool.append(UUID.randomUUID(), List.of(record("old")));
        }
        java.nio.file.attribute.FileTime longAgo = java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(segments().get(0), longAgo);
        try (Spool spool = open()) {
            spool.putFirst(List.of(frame("older")), Long.MAX_VALUE, null);
            assertThat(spool.nextEarlierFrameTime()).isEqualTo(longAgo.toMillis());
        }
        assertThat(Files.getLastModifiedTime(segments().get(0))).isEqualTo(longAgo);
        try (Spool spool = open()) {
            spool.putFirst(List.of(frame("oldest")), longAgo.toMillis() - 5_000, null);
        }
        assertThat(Files.getLastModifiedTime(segments().get(0)).toMillis()).isEqualTo(longAgo.toMillis() - 5_000);
        try (Spool spool = open()) {
            assertThat(readAll(spool)).containsExactly("oldest", "older", "old");
        }
    }

    @Test
    void aPutFirstCutShortByACrashLeavesNoSegmentAndItsLeftoverIsRemoved() throws IOException {
        try (Spool spool = open()) {
            spool.append(UUID.randomUUID(), List.of(record("kept")));
        }
        Path left = dir.resolve(segments().get(0).getFileName().toString().replace("1000000", "0999999") + ".tmp");
        Files.write(left, new byte[] {1, 2, 3});
        try (Spool spool = open()) {
            assertThat(readAll(spool)).containsExactly("kept");
        }
        assertThat(Files.exists(left)).isFalse();
    }

    @Test
    void aSpoolWithNoNumberLeftBelowItsOldestSegmentSaysSoAndWritesNothing() throws IOException {
        try (Spool spool = open()) {
            spool.append(UUID.randomUUID(), List.of(record("a")));
        }
        Path only = segments().get(0);
        Files.move(only, only.resolveSibling(String.format("segment-%020d.spool", 0)));
        try (Spool spool = open()) {
            assertThat(spool.putFirst(List.of(frame("first")), Long.MAX_VALUE, null)).isFalse();
            assertThat(readAll(spool)).containsExactly("a");
        }
    }

    @Test
    void framesPutFirstIntoAnEmptySpoolAreSimplyItsFrames() throws IOException {
        try (Spool spool = open()) {
            assertThat(spool.putFirst(List.of(frame("only")), Long.MAX_VALUE, null)).isTrue();
            spool.append(UUID.randomUUID(), List.of(record("then")));
            assertThat(readAll(spool)).containsExactly("only", "then");
        }
    }

    @Test
    void framesPutFirstKeepTheSizeBound() throws IOException {
        try (Spool spool = Spool.open(dir, 2_000, warnings::add)) {
            spool.append(UUID.randomUUID(), List.of(record("fits")));
            List<LogRecord> many = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                many.add(record("more " + i));
            }
            assertThatThrownBy(() -> spool.putFirst(List.of(new Spool.Frame(UUID.randomUUID(), many)), Long.MAX_VALUE, null))
                    .isInstanceOf(Spool.SpoolFullException.class);
            assertThat(readAll(spool)).containsExactly("fits");
        }
    }

    @Test
    void afterACleanCloseReadingGoesOnWhereItStoodAndAfterACrashFromTheFirstFrame() throws IOException {
        UUID aId = UUID.randomUUID();
        try (Spool spool = open()) {
            spool.append(aId, List.of(record("a")));
            spool.append(UUID.randomUUID(), List.of(record("b")));
            spool.append(UUID.randomUUID(), List.of(record("c")));
            spool.done(spool.peek());
            spool.peek(); // "b" peeked, not done
        }
        assertThat(Files.exists(dir.resolve(Spool.READ_POSITIONS))).isTrue();
        try (Spool spool = open()) {
            assertThat(Files.exists(dir.resolve(Spool.READ_POSITIONS))).as("gone while open: a crash reads from the first frame")
                    .isFalse();
        } // closed without reading: where it stood is kept
        try (Spool spool = open()) {
            Spool.Frame b = spool.peek();
            assertThat(b.records()).extracting(LogRecord::message).containsExactly("b");
            spool.done(b);
            assertThat(spool.done(spool.peek())).as("the segment's ids, the one done before the stop included").contains(aId);
        }
        assertThat(segments()).isEmpty();
        assertThat(Files.exists(dir.resolve(Spool.READ_POSITIONS))).isFalse();

        try (Spool spool = open()) {
            spool.append(UUID.randomUUID(), List.of(record("d")));
            spool.append(UUID.randomUUID(), List.of(record("e")));
            spool.done(spool.peek());
        }
        Files.delete(dir.resolve(Spool.READ_POSITIONS)); // as if it had crashed instead of closing
        try (Spool spool = open()) {
            assertThat(readAll(spool)).containsExactly("d", "e");
        }
    }

    @Test
    void aSegmentDoneWhileRowsWaitInMemoryStaysOnDiskUntilReleasedAndACrashReadsItAgain() throws IOException {
        UUID aId = UUID.randomUUID();
        Path crashed;
        try (Spool spool = open()) {
            spool.append(aId, List.of(record("a")));
            spool.doneKeepingFile(spool.peek());
            assertThat(spool.holdsKeptFiles()).as("the frame ended its segment").isTrue();
            assertThat(spool.isEmpty()).isTrue();
            assertThat(spool.peek()).as("not read again in this run").isNull();
            assertThat(segments()).hasSize(1);

            spool.append(UUID.randomUUID(), List.of(record("b")));
            assertThat(spool.putFirst(List.of(frame("p")), Long.MAX_VALUE, null)).isTrue();
            assertThat(segments()).as("new segments take numbers of their own, above and below the kept one").hasSize(3);
            crashed = crashCopy();
            assertThat(readAll(spool)).containsExactly("p", "b");
            assertThat(spool.releaseKept()).containsExactly(aId);
            assertThat(spool.holdsKeptFiles()).isFalse();
            assertThat(spool.releaseKept()).isEmpty();
        }
        assertThat(segments()).isEmpty();
        try (Spool spool = Spool.open(crashed, Long.MAX_VALUE, warnings::add)) {
            assertThat(readAll(spool)).as("a crash before the release: the kept segment in its place").containsExactly("p", "a", "b");
        }
        assertThat(warnings).isEmpty();
    }

    @Test
    void aSegmentFoundReadToItsEndWhenPeekingIsKeptTooWhenAsked() throws IOException {
        try (Spool spool = open()) {
            spool.append(UUID.randomUUID(), List.of(record("a")));
        }
        Files.write(segments().get(0), new byte[] {0, 0, 0}, java.nio.file.StandardOpenOption.APPEND); // a cut-short tail
        try (Spool spool = open()) {
            spool.doneKeepingFile(spool.peek(true));
            assertThat(spool.holdsKeptFiles()).as("the damaged tail is still to be read").isFalse();
            assertThat(spool.peek(true)).isNull();
            assertThat(warnings).singleElement().satisfies(w -> assertThat(w).contains("damaged"));
            assertThat(spool.holdsKeptFiles()).isTrue();
            assertThat(segments()).as("kept while rows wait in memory").hasSize(1);
            assertThat(spool.releaseKept()).hasSize(1);
        }
        assertThat(segments()).isEmpty();
    }

    @Test
    void aFramePeekedAndPutFirstInPartIsDoneOnlyOnceItsRestIsOnDisk() throws IOException {
        try (Spool spool = open()) {
            spool.append(UUID.randomUUID(), List.of(record("a1"), record("a2")));
            spool.append(UUID.randomUUID(), List.of(record("b")));
            Spool.Frame a = spool.peek();
            assertThat(spool.putFirst(List.of(frame("a2 and a parked row")), Long.MAX_VALUE, a)).isTrue();
            assertThat(readAll(spool)).containsExactly("a2 and a parked row", "b");
        }
        try (Spool spool = Spool.open(dir, 1_000, warnings::add)) {
            spool.append(UUID.randomUUID(), List.of(record("c")));
            Spool.Frame c = spool.peek();
            List<LogRecord> many = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                many.add(record("more " + i));
            }
            assertThatThrownBy(() -> spool.putFirst(List.of(new Spool.Frame(UUID.randomUUID(), many)), Long.MAX_VALUE, c))
                    .isInstanceOf(Spool.SpoolFullException.class);
            assertThat(spool.peek()).as("not put away: the frame stays").isSameAs(c);
        }
        try (Spool spool = open()) {
            assertThat(readAll(spool)).containsExactly("c");
        }
    }

    @Test
    void aReadPositionsFileThatIsDamagedOrMeansAnotherSegmentIsIgnoredAndTheSegmentReadFromItsStart() throws IOException {
        try (Spool spool = open()) {
            spool.append(UUID.randomUUID(), List.of(record("a")));
            spool.append(UUID.randomUUID(), List.of(record("b")));
            spool.done(spool.peek());
        }
        Path positions = dir.resolve(Spool.READ_POSITIONS);
        String saved = Files.readString(positions);
        Files.write(positions, new byte[] {(byte) 0xC3, 0x28, '\n'});
        try (Spool spool = open()) {
            assertThat(warnings).singleElement().satisfies(w -> assertThat(w).contains("cannot be read"));
            assertThat(readAll(spool)).containsExactly("a", "b");
        }
        for (Path segment : segments()) {
            Files.delete(segment);
        }
        try (Spool spool = open()) { // the same segment number, other frames
            spool.append(UUID.randomUUID(), List.of(record("x")));
            spool.append(UUID.randomUUID(), List.of(record("y")));
        }
        Files.writeString(positions, saved);
        try (Spool spool = open()) {
            assertThat(readAll(spool)).as("the saved position was for the segment's earlier frames").containsExactly("x", "y");
        }
    }
}
