package io.stratal.logs.bench;

import io.stratal.logs.archive.LogArchive;
import io.stratal.logs.archive.LogRestore;
import io.stratal.logs.names.TableName;
import io.stratal.logs.testing.TestDatabase;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.postgresql.PGConnection;

/**
 * Archive and restore of one UTC day of {@code rows} rows (a task line with two key-value pairs, logger and thread),
 * against references in the same run: raw {@code COPY ... TO STDOUT} of the same rows through a gzip stream
 * (what reading and compressing costs at the least), and raw {@code COPY FROM STDIN} of them back (the write
 * ceiling). Prints rows/s, the ratios, the files' size against the table's, and the heap's peak.
 */
final class ArchiveBench {

    private static final TableName LOGS = TableName.parseOrNull("logs");

    private ArchiveBench() {
    }

    static void run(int rows) throws Exception {
        System.out.printf("%n9. Archive and restore: one UTC day of %,d rows (a task line with two key-value pairs, logger%n", rows);
        System.out.println("   and thread), seed schema, against raw COPY of the same rows in the same run.");
        Path dir = Files.createTempDirectory("stratal-archive-bench");
        try (TestDatabase db = TestDatabase.create().migrated()) {
            UUID job = UUID.randomUUID();
            UUID task = UUID.randomUUID();
            db.execute("INSERT INTO job_runs (id, job_name) VALUES ('" + job + "', 'nightly-import')",
                    "INSERT INTO task_runs (id, job_run_id, task_name) VALUES ('" + task + "', '" + job + "', 'load')",
                    "INSERT INTO logs (type, job_run_id, task_run_id, timestamp, level, stream, message, metadata)"
                            + " SELECT 'task', '" + job + "', '" + task + "', timestamp '2026-11-01' + i * interval '1 second' * 86399 / "
                            + rows + ", CASE WHEN i % 50 = 0 THEN 'warn' ELSE 'info' END, 'stdout',"
                            + " 'Processed batch ' || i || ' of the nightly import: 250 records, 3 skipped',"
                            + " jsonb_build_object('rows', i, 'source', 's3://bucket/key', 'log',"
                            + " jsonb_build_object('logger', 'com.example.bench.Importer', 'thread', 'worker-' || (i % 8)))"
                            + " FROM generate_series(1, " + rows + ") i",
                    "VACUUM ANALYZE logs");
            long heapBytes = db.count("SELECT pg_relation_size('logs')");
            long totalBytes = db.count("SELECT pg_total_relation_size('logs')");
            LocalDateTime cutoff = LocalDate.of(2026, 11, 2).atStartOfDay();
            resetPeaks();

            Path reference = dir.resolve("reference.csv.gz");
            long copyOut;
            try (Connection c = db.connect(); OutputStream out = new GZIPOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(reference), 1 << 16), 1 << 16)) {
                long start = System.nanoTime();
                c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (SELECT id, type, job_run_id, task_run_id, timestamp, level,"
                        + " stream, message, metadata FROM logs WHERE timestamp < '" + cutoff + "' ORDER BY id) TO STDOUT", out);
                copyOut = System.nanoTime() - start;
            }
            long archive;
            LogArchive.Result result;
            try (Connection c = db.connect()) {
                long start = System.nanoTime();
                result = new LogArchive(LOGS).archive(c, cutoff, dir);
                archive = System.nanoTime() - start;
            }
            Path file = result.days().get(0).file();
            long fileBytes = Files.size(file);
            long verify;
            try (Connection c = db.connect()) {
                long start = System.nanoTime();
                LogArchive.Result again = new LogArchive(LOGS).archive(c, cutoff, dir); // reads back, merges, writes nothing
                verify = System.nanoTime() - start;
                if (again.added() != 0) {
                    throw new IllegalStateException("a second archive added rows");
                }
            }
            long peakAfterArchive = heapPeak();

            db.execute("TRUNCATE logs");
            long copyIn;
            try (Connection c = db.connect(); java.io.InputStream in = new java.util.zip.GZIPInputStream(Files.newInputStream(reference))) {
                long start = System.nanoTime();
                c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY logs (id, type, job_run_id, task_run_id, timestamp, level,"
                        + " stream, message, metadata) FROM STDIN", in);
                copyIn = System.nanoTime() - start;
            }
            db.execute("TRUNCATE logs");
            long restore;
            LogRestore.Result restored;
            try (Connection c = db.connect()) {
                long start = System.nanoTime();
                restored = new LogRestore(LOGS).restore(c, file);
                restore = System.nanoTime() - start;
            }
            if (restored.restored() != rows) {
                throw new IllegalStateException("restored " + restored.restored() + " of " + rows);
            }
            System.out.printf("   archive: %,.0f rows/s (%.1f s); raw COPY out + gzip of the same rows: %,.0f rows/s; ratio %.2f%n",
                    rate(rows, archive), archive / 1e9, rate(rows, copyOut), (double) copyOut / archive);
            System.out.printf("   a second archive of the day (read the file back, merge with the table, write nothing): %.1f s%n",
                    verify / 1e9);
            System.out.printf("   restore: %,.0f rows/s (%.1f s); raw COPY in of the same rows: %,.0f rows/s; ratio %.2f%n",
                    rate(rows, restore), restore / 1e9, rate(rows, copyIn), (double) copyIn / restore);
            System.out.printf("   file %,.1f MB (%d bytes a row); the table %,.1f MB (heap %,.1f MB): the file is %.1f%% of the table%n",
                    fileBytes / 1048576.0, fileBytes / rows, totalBytes / 1048576.0, heapBytes / 1048576.0, 100.0 * fileBytes / totalBytes);
            System.out.printf("   JVM heap peak during archive and read-back: %,.0f MB (max heap %,d MB)%n",
                    peakAfterArchive / 1048576.0, Runtime.getRuntime().maxMemory() >> 20);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static double rate(long rows, long nanos) {
        return rows / (nanos / 1e9);
    }

    private static void resetPeaks() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long heapPeak() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }
}
