package org.perceptual4j.fast;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The image files of a folder tree, for training data and folder stylization. */
final class ImageFiles {
    /** Extensions (lower case) of the formats {@code ImageReader} decodes. */
    static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");
    static final String DESCRIPTION = "png, jpg, jpeg, bmp, gif";

    private ImageFiles() {
    }

    /**
     * The regular files under {@code dir} (recursively, not following symbolic links to directories)
     * whose extension is an image format's, skipping hidden files and folders (names starting with '.'),
     * sorted by their path relative to {@code dir} so the order does not depend on the file system.
     *
     * @throws NoSuchFileException if {@code dir} does not exist
     * @throws IOException if it is not a directory or cannot be listed; the message names it
     */
    static List<Path> list(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no such directory");
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": expected a directory of images, got a file");
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir) && !hidden(dir.relativize(p)) && Files.isRegularFile(p) && isImage(p))
                    .sorted(Comparator.comparing(p -> dir.relativize(p).toString()))
                    .collect(Collectors.toList());
        } catch (java.io.UncheckedIOException e) {
            throw new IOException(dir + ": cannot list the directory: " + ModelArchive.describe(e.getCause()), e.getCause());
        }
    }

    /** {@link #list}, failing with an {@code IOException} naming {@code dir} when it holds no image file. */
    static List<Path> listSome(Path dir) throws IOException {
        List<Path> files = list(dir);
        if (files.isEmpty()) {
            throw new IOException(dir + ": no image files (" + DESCRIPTION + ") in this directory or below");
        }
        return files;
    }

    static boolean isImage(Path file) {
        return EXTENSIONS.contains(extension(file));
    }

    /** Lower-case extension without the dot, or "". */
    static String extension(Path file) {
        Path name = file.getFileName();
        String n = name == null ? "" : name.toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }
}
