package io.stratal.logs.archive;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lock one archive run holds on its directory ({@code .stratal-archive.lock}), so that two runs (a scheduled
 * archive and a retention, say) never write or delete from one directory at once; closing it lets the next run in.
 */
final class ArchiveLock implements Closeable {

    static final String FILE = ".stratal-archive.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private ArchiveLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code dir}.
     *
     * @throws ArchiveException when another run holds it
     */
    static ArchiveLock take(Path dir) throws IOException, ArchiveException {
        Path file = dir.resolve(FILE);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException sameJvm) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new ArchiveException("another archive or retention run is writing to " + dir + " (it holds " + FILE
                    + "); try again when it has ended");
        }
        return new ArchiveLock(channel, lock);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
