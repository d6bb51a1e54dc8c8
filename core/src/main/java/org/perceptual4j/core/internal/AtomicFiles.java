package org.perceptual4j.core.internal;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/** Files that are never half-written: content goes to a temporary file that is then renamed over the target. */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the whole content of a file, given the (existing, empty) temporary file to write into. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path temp) throws IOException;
    }

    /**
     * Writes {@code file} through a hidden temporary file in the same directory, which {@code content}
     * fills (and should flush to disk), then moves it over the target with an atomic rename (plain replace
     * where the file system has no atomic move). On failure the temporary file is deleted and an existing
     * target is untouched; I/O errors are rethrown as an {@code IOException} whose message starts with
     * {@code file} and says "cannot write".
     */
    public static void write(Path file, Content content) throws IOException {
        Path target = file.toAbsolutePath();
        Path temp;
        try {
            temp = createTemp(target.getParent(), target.getFileName().toString());
        } catch (IOException e) {
            throw new IOException(file + ": cannot write: " + describe(e), e);
        }
        try {
            content.writeTo(temp);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof IOException io) {
                throw new IOException(file + ": cannot write: " + describe(io), io);
            }
            throw e;
        }
    }

    /** An empty hidden file next to the target, created with the default permissions for new files. */
    private static Path createTemp(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
            try {
                return Files.createFile(dir.resolve("." + name + "." + suffix + ".tmp"));
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }

    /** "ExceptionClass: message". */
    public static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
