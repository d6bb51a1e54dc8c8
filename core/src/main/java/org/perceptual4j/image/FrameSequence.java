package org.perceptual4j.image;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.internal.Checks;

/**
 * The numbered image files of one directory, as video frames exported by ffmpeg
 * ({@code ffmpeg -i clip.mp4 frames/frame_%04d.png}), in the order of their numbers. Frames are decoded
 * one at a time by {@link #read(int)}, so a long sequence is never held in memory:
 *
 * <pre>{@code
 * FrameSequence frames = FrameSequence.open(Path.of("frames"));
 * for (int i = 0; i < frames.size(); i++) {
 *     INDArray frame = frames.read(i);                 // [1, 3, height(), width()]
 *     Path name = frames.files().get(i).getFileName();  // e.g. frame_0001.png
 * }
 * }</pre>
 *
 * <ul>
 *   <li>Frames are the PNG and JPEG files ({@code .png}, {@code .jpg}, {@code .jpeg}, any case) of the
 *       directory itself (not its subdirectories); hidden files and other files are ignored.</li>
 *   <li>A frame's number is the last run of digits in its name; frames are sorted by its numeric value
 *       ({@code frame_2.png} before {@code frame_10.png}), with or without leading zeros.</li>
 *   <li>All frames must share the text around the number and the extension (one sequence per
 *       directory), and no number may appear twice ({@code frame_1.png} and {@code frame_01.png}).</li>
 *   <li>{@link #open} reads every file's header (not its pixels): all frames must have the same size,
 *       within the reader's pixel limit, so these errors appear before any frame is processed.</li>
 * </ul>
 *
 * Errors are {@link IOException}s naming the directory or the file. Immutable and thread-safe (it holds
 * the file names only).
 */
public final class FrameSequence {
    private static final Pattern NUMBERED = Pattern.compile("(.*?)(\\d+)(\\D*)");

    private final Path directory;
    private final List<Path> files;
    private final ImageReader reader;
    private final int height;
    private final int width;

    private FrameSequence(Path directory, List<Path> files, ImageReader reader, int height, int width) {
        this.directory = directory;
        this.files = files;
        this.reader = reader;
        this.height = height;
        this.width = width;
    }

    /**
     * Lists and checks the frames of a directory with the {@linkplain ImageReader default reader settings}.
     *
     * @see #open(Path, ImageReader)
     */
    public static FrameSequence open(Path directory) throws IOException {
        return open(directory, ImageReader.builder().build());
    }

    /**
     * Lists the numbered frames of a directory and checks their headers, reading them later with
     * {@code reader}.
     *
     * @throws NoSuchFileException if the directory does not exist
     * @throws IOException naming the directory if it is not a directory, has no numbered PNG or JPEG
     *     frame, or holds frames of more than one name pattern or two frames with the same number
     * @throws ImageFormatException naming the file if a frame is not a readable image or differs in size
     *     from the first frame ({@link ImageTooLargeException} over the reader's pixel limit)
     */
    public static FrameSequence open(Path directory, ImageReader reader) throws IOException {
        Checks.requireNonNull(directory, "directory");
        Checks.requireNonNull(reader, "reader");
        if (!Files.exists(directory)) {
            throw new NoSuchFileException(directory.toString(), null, "no such directory");
        }
        if (!Files.isDirectory(directory)) {
            throw new IOException(directory + ": not a directory");
        }
        List<Path> files = list(directory);
        int[] size = reader.readSize(files.get(0));
        for (Path f : files.subList(1, files.size())) {
            int[] s = reader.readSize(f);
            if (s[0] != size[0] || s[1] != size[1]) {
                throw new ImageFormatException(f + ": " + s[1] + " x " + s[0] + " pixels, expected " + size[1] + " x "
                        + size[0] + " like the first frame " + files.get(0).getFileName());
            }
        }
        return new FrameSequence(directory, files, reader, size[0], size[1]);
    }

    /** A numbered frame file: the text before and after its number, and the number. */
    private record Numbered(Path file, String prefix, BigInteger number, String suffix) {
    }

    private static List<Path> list(Path directory) throws IOException {
        List<Numbered> frames = new ArrayList<>();
        try (Stream<Path> entries = Files.list(directory)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String name = p.getFileName().toString();
                String lower = name.toLowerCase(Locale.ROOT);
                boolean image = lower.endsWith(".png") || lower.endsWith(".jpg") || lower.endsWith(".jpeg");
                if (!image || name.startsWith(".") || !Files.isRegularFile(p)) {
                    continue;
                }
                Matcher m = NUMBERED.matcher(name);
                if (!m.matches()) {
                    throw new IOException(directory + ": " + name + " has no frame number; expected only numbered "
                            + "frames like frame_0001.png (move other images out of the directory)");
                }
                frames.add(new Numbered(p, m.group(1), new BigInteger(m.group(2)), m.group(3)));
            }
        }
        if (frames.isEmpty()) {
            throw new IOException(directory + ": no numbered PNG or JPEG frames (like frame_0001.png)");
        }
        frames.sort(Comparator.comparing(Numbered::number).thenComparing(n -> n.file().getFileName().toString()));
        Numbered first = frames.get(0);
        for (int i = 0; i < frames.size(); i++) {
            Numbered n = frames.get(i);
            if (!n.prefix().equals(first.prefix()) || !n.suffix().equals(first.suffix())) {
                throw new IOException(directory + ": frames of more than one sequence: " + first.file().getFileName()
                        + " and " + n.file().getFileName() + "; expected one name pattern per directory");
            }
            if (i > 0 && n.number().equals(frames.get(i - 1).number())) {
                throw new IOException(directory + ": two frames numbered " + n.number() + ": "
                        + frames.get(i - 1).file().getFileName() + " and " + n.file().getFileName());
            }
        }
        return frames.stream().map(Numbered::file).toList();
    }

    /** The directory. */
    public Path directory() {
        return directory;
    }

    /** The frame files in frame order. */
    public List<Path> files() {
        return files;
    }

    /** The number of frames. */
    public int size() {
        return files.size();
    }

    /** The height of every frame. */
    public int height() {
        return height;
    }

    /** The width of every frame. */
    public int width() {
        return width;
    }

    /**
     * Decodes frame {@code index}.
     *
     * @return a new {@code [1, 3, height(), width()]} {@code FLOAT} image
     * @throws IndexOutOfBoundsException if {@code index} is not in [0, size())
     * @throws IOException naming the file if it cannot be read or no longer has the sequence's size
     */
    public INDArray read(int index) throws IOException {
        Path file = files.get(index);
        INDArray image = reader.read(file);
        if (image.size(2) != height || image.size(3) != width) {
            throw new ImageFormatException(file + ": " + image.size(3) + " x " + image.size(2) + " pixels, expected "
                    + width + " x " + height + " like the first frame " + files.get(0).getFileName());
        }
        return image;
    }

    @Override
    public String toString() {
        return "FrameSequence[" + directory + ", " + files.size() + " frames of " + width + " x " + height + "]";
    }
}
