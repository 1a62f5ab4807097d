package io.stratal.logs.archive;

/**
 * An archive that cannot be trusted or written: a manifest that does not match its file, a file that is not
 * whole, a directory that cannot be written. Its message says which file and what is wrong; nothing was deleted
 * because of the file it names.
 */
public class ArchiveException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * An archive problem.
     *
     * @param message which file, and what is wrong with it
     */
    public ArchiveException(String message) {
        super(message);
    }

    /**
     * An archive problem with its cause.
     *
     * @param message which file, and what is wrong with it
     * @param cause   what went wrong underneath
     */
    public ArchiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
