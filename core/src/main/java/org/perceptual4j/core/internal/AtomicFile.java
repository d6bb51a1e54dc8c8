package org.perceptual4j.core.internal;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An output file written through a hidden temporary file in the same directory and moved over the
 * target with an atomic rename (plain replace where the file system has no atomic move), so the target
 * is never seen half-written and an existing target stays untouched on failure.
 */
public final class AtomicFile {
    private final Path target;
    private final Path temp;

    private AtomicFile(Path target, Path temp) {
        this.target = target;
        this.temp = temp;
    }

    /**
     * Creates the empty temporary file next to {@code file} (with the default permissions for new files).
     *
     * @throws IOException naming {@code file} if the temporary file cannot be created
     */
    public static AtomicFile create(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        String name = target.getFileName().toString();
        try {
            for (int attempt = 0; ; attempt++) {
                String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
                try {
                    return new AtomicFile(target, Files.createFile(dir.resolve("." + name + "." + suffix + ".tmp")));
                } catch (FileAlreadyExistsException e) {
                    if (attempt >= 100) {
                        throw e;
                    }
                }
            }
        } catch (IOException e) {
            throw cannotWrite(file, e);
        }
    }

    /** The temporary file to write. */
    public Path temp() {
        return temp;
    }

    /** Moves the (flushed and closed) temporary file over the target. */
    public void commit() throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes the temporary file; a failure to delete is added to {@code cause} as suppressed. */
    public void discard(Throwable cause) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException suppressed) {
            if (cause != null) {
                cause.addSuppressed(suppressed);
            }
        }
    }

    /** "FILE: cannot write: ExceptionClass: message", keeping {@code e} as the cause. */
    public static IOException cannotWrite(Path file, IOException e) {
        String m = e.getMessage();
        return new IOException(file + ": cannot write: " + e.getClass().getSimpleName() + (m == null ? "" : ": " + m), e);
    }
}
