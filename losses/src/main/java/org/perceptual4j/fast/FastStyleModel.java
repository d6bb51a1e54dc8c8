package org.perceptual4j.fast;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.perceptual4j.core.internal.Checks;
import org.perceptual4j.image.ImageReader;
import org.perceptual4j.image.Images;

/**
 * A trained fast style-transfer network with its description: stylizes an image of any size in one
 * forward pass of a {@link TransformNet}.
 *
 * <pre>{@code
 * FastStyleModel model = FastStyleModel.load(Path.of("starry.p4jstyle"));
 * Images.write(model.stylize(Images.read(Path.of("photo.jpg"))), Path.of("photo_starry.png"));
 * }</pre>
 *
 * <p>A folder of images: {@link #stylizeFolder}. Animated GIFs (frame delays and loop count kept) and
 * numbered video frames, optionally with less flicker: a {@link org.perceptual4j.video.VideoStylizer}
 * given {@link #stylizer()}.
 *
 * <h2>File</h2>
 * One file ({@link #save}, {@link #load}) holds the architecture, the weights and the {@link Metadata}: a
 * ZIP archive with {@code model.properties} (format name and version, library version, architecture,
 * style name, iterations, training settings) and one NumPy {@code .npy} float32 array per parameter under
 * {@code parameters/} (names and shapes of {@link TransformNet.Architecture#parameterShapes()}), so it can be
 * inspected with {@code unzip} and {@code numpy.load}. Saving writes a temporary file and renames it, so a
 * model file is never half-written; loading checks every entry's CRC, the format version and every shape,
 * and reports problems as {@link ModelFormatException}s naming the file. Save and load round-trip the
 * weights bit for bit. Checkpoints written by {@link FastStyleTrainer} are in the same format with training
 * state added, and load as models too.
 *
 * <p>Immutable and thread-safe.
 */
public final class FastStyleModel {
    /** The model file format version this library writes; it reads versions 1 to this. */
    public static final int FORMAT_VERSION = 1;
    /** The value of the {@code format} property that identifies the files. */
    static final String FORMAT_NAME = "perceptual4j-fast-style";
    static final String PROPERTIES_ENTRY = "model.properties";
    static final String PARAMETER_PREFIX = "parameters/";
    static final String KIND_MODEL = "model";
    static final String KIND_CHECKPOINT = "checkpoint";

    private final TransformNet network;
    private final Metadata metadata;

    /**
     * What a model file says about the model besides its weights.
     *
     * @param styleName the style image's name (usually its file name), or "" if unknown
     * @param iterations training iterations (batches) done
     * @param settings the training settings, e.g. {@code contentWeight=1.0}, sorted by key
     * @param libraryVersion the Perceptual4J version that wrote the file (or, for a model not read from a
     *     file, this library's)
     * @param formatVersion the file format version it was read from ({@link #FORMAT_VERSION} for a model
     *     not read from a file); {@link #save} always writes {@link #FORMAT_VERSION}
     */
    public record Metadata(String styleName, long iterations, Map<String, String> settings, String libraryVersion,
            int formatVersion) {
        public Metadata {
            Checks.requireNonNull(styleName, "styleName");
            Checks.requireNonNull(settings, "settings");
            Checks.requireNonNull(libraryVersion, "libraryVersion");
            if (iterations < 0) {
                throw new IllegalArgumentException("iterations: expected a value >= 0, got " + iterations);
            }
            settings = Collections.unmodifiableMap(new TreeMap<>(settings));
        }

        /** Metadata for a model made by this library now: the current library and format versions. */
        public static Metadata of(String styleName, long iterations, Map<String, String> settings) {
            return new Metadata(styleName, iterations, settings, FastStyleModel.libraryVersion(), FORMAT_VERSION);
        }
    }

    private FastStyleModel(TransformNet network, Metadata metadata) {
        this.network = network;
        this.metadata = metadata;
    }

    /**
     * A model of a given network, e.g. an untrained {@link TransformNet#random} one for benchmarks or one
     * built from imported weights with {@link TransformNet#fromParameters}.
     */
    public static FastStyleModel of(TransformNet network, Metadata metadata) {
        return new FastStyleModel(Checks.requireNonNull(network, "network"), Checks.requireNonNull(metadata, "metadata"));
    }

    public TransformNet network() {
        return network;
    }

    public Metadata metadata() {
        return metadata;
    }

    /**
     * Stylizes images of any size (odd sizes included) in one forward pass.
     *
     * @param rgb {@code [N, 3, H, W]}, RGB in [0, 1]; N images of the same size are stylized as one batch
     * @return a new FLOAT array of the same shape, RGB clamped to [0, 1]
     * @throws IllegalArgumentException if the array is not NCHW with 3 channels
     */
    public INDArray stylize(INDArray rgb) {
        return clamp(network.output(rgb));
    }

    /**
     * A function that stylizes images of one size ({@code [N, 3, height, width]}, RGB [0, 1]) like
     * {@link #stylize(INDArray)}, with the computation built once, here: for benchmarks and servers that
     * know the size in advance. Thread-safe. See {@link TransformNet#inference(long, long)}.
     */
    public UnaryOperator<INDArray> stylizer(long height, long width) {
        TransformNet.Inference inference = network.inference(height, width);
        return rgb -> clamp(inference.output(rgb));
    }

    /**
     * A function that stylizes images like {@link #stylize(INDArray)}, building the computation for the
     * size of the first image it is given and reusing it while the size stays the same (an image of
     * another size builds it anew, replacing the old one). This is the stylizer for animations and video,
     * whose frames all share one size: hand it to a {@link org.perceptual4j.video.VideoStylizer}, which
     * reads the frames, optionally reduces flicker and writes the result:
     *
     * <pre>{@code
     * VideoStylizer video = VideoStylizer.builder().stabilize(true).build();
     * video.stylizeGif(Path.of("cat.gif"), Path.of("cat_starry.gif"), model.stylizer());  // delays, loop count kept
     * video.stylizeFrames(Path.of("frames"), Path.of("stylized"), model.stylizer());       // frame_0001.png, ...
     * }</pre>
     *
     * ({@code model::stylize} would work too but builds the computation for every frame, about a second
     * each on a busy 2-core machine.) Thread-safe; the prepared computation is held until the function
     * is garbage-collected.
     */
    public UnaryOperator<INDArray> stylizer() {
        AtomicReference<Prepared> last = new AtomicReference<>();
        return rgb -> {
            Checks.requireImage(rgb, "image");
            Prepared p = last.get();
            if (p == null || p.height() != rgb.size(2) || p.width() != rgb.size(3)) {
                p = new Prepared(rgb.size(2), rgb.size(3), stylizer(rgb.size(2), rgb.size(3)));
                last.set(p);
            }
            return p.stylizer().apply(rgb);
        };
    }

    /** A stylizer prepared for one size. */
    private record Prepared(long height, long width, UnaryOperator<INDArray> stylizer) {
    }

    private static INDArray clamp(INDArray out) {
        Transforms.max(out, 0.0, false);
        Transforms.min(out, 1.0, false);
        return out;
    }

    /** Called after each image of {@link #stylizeFolder}. */
    @FunctionalInterface
    public interface FolderListener {
        /**
         * @param done images handled so far, this one included
         * @param total images found
         * @param input the image file
         * @param failure why it could not be stylized (message names the file), or {@code null} if it was written
         */
        void onImage(int done, int total, Path input, IOException failure);
    }

    /**
     * What {@link #stylizeFolder} did.
     *
     * @param total image files found
     * @param written output files written, in input order
     * @param failures input files that could not be read or written, with the reason (message names the file)
     * @param complete false if the thread was interrupted before all images were handled
     */
    public record FolderResult(int total, List<Path> written, Map<Path, String> failures, boolean complete) {
        public FolderResult {
            written = List.copyOf(written);
            failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
        }
    }

    /**
     * Stylizes every image under {@code inputDir} (recursively; png, jpg, jpeg, bmp, gif; hidden files
     * skipped) into {@code outputDir}, mirroring the relative paths and names. PNG and JPEG outputs keep their
     * input's name; BMP and GIF inputs (GIF: first frame) give PNG files ({@code a/b.gif} becomes
     * {@code a/b.png}). Directories are created as needed; existing files are replaced (atomically). An image
     * that cannot be read or written is reported and skipped. Interrupting the thread stops after the
     * current image.
     *
     * @param reader decodes the inputs (pixel limit, background for alpha)
     * @param listener called after each image, or {@code null}
     * @throws IOException if the input folder does not exist or holds no image file, the output folder
     *     is the input folder, or two inputs would give the same output name (nothing written then)
     */
    public FolderResult stylizeFolder(Path inputDir, Path outputDir, ImageReader reader, FolderListener listener)
            throws IOException {
        Checks.requireNonNull(inputDir, "inputDir");
        Checks.requireNonNull(outputDir, "outputDir");
        Checks.requireNonNull(reader, "reader");
        List<Path> inputs = ImageFiles.listSome(inputDir);
        if (inputDir.toAbsolutePath().normalize().equals(outputDir.toAbsolutePath().normalize())) {
            throw new IOException(outputDir + ": the output directory must differ from the input directory "
                    + "(outputs would replace the inputs)");
        }
        Map<Path, Path> outputs = new LinkedHashMap<>();
        Map<Path, Path> seen = new HashMap<>();
        for (Path in : inputs) {
            Path out = outputDir.resolve(outputName(inputDir.relativize(in)).toString());
            Path earlier = seen.putIfAbsent(out.normalize(), in);
            if (earlier != null) {
                throw new IOException(in + " and " + earlier + " would both be written to " + out + "; rename one of them");
            }
            outputs.put(in, out);
        }
        List<Path> written = new ArrayList<>();
        Map<Path, String> failures = new LinkedHashMap<>();
        int done = 0;
        UnaryOperator<INDArray> stylizer = stylizer(); // reused while consecutive images share a size
        for (Map.Entry<Path, Path> e : outputs.entrySet()) {
            if (Thread.currentThread().isInterrupted()) {
                return new FolderResult(inputs.size(), written, failures, false);
            }
            IOException failure = null;
            try {
                INDArray styled = stylizer.apply(reader.read(e.getKey()));
                Path parent = e.getValue().toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Images.write(styled, e.getValue());
                written.add(e.getValue());
            } catch (IOException ex) {
                failure = ex;
                failures.put(e.getKey(), ex.getMessage() == null ? ex.toString() : ex.getMessage());
            }
            done++;
            if (listener != null) {
                listener.onImage(done, inputs.size(), e.getKey(), failure);
            }
        }
        return new FolderResult(inputs.size(), written, failures, true);
    }

    /** The output name of an input path: PNG and JPEG keep it, other formats get {@code .png}. */
    static Path outputName(Path relative) {
        String ext = ImageFiles.extension(relative);
        if (ext.equals("png") || ext.equals("jpg") || ext.equals("jpeg")) {
            return relative;
        }
        String name = relative.getFileName().toString();
        String stem = name.substring(0, name.length() - ext.length() - 1);
        return relative.resolveSibling(stem + ".png");
    }

    // ------------------------------------------------------------------------------------ file

    /**
     * Writes the model to one file, atomically (an existing file is replaced as a whole; on failure it is
     * untouched). The directory must exist.
     *
     * @throws IOException naming the file
     */
    public void save(Path file) throws IOException {
        Checks.requireNonNull(file, "file");
        archive(KIND_MODEL).write(file);
    }

    /** The archive entries of this model; checkpoints add their own. */
    ModelArchive.Writer archive(String kind) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("format", FORMAT_NAME);
        p.put("formatVersion", Integer.toString(FORMAT_VERSION));
        p.put("kind", kind);
        p.put("libraryVersion", libraryVersion());
        p.put("architecture.width", Integer.toString(network.architecture().width()));
        p.put("architecture.residualBlocks", Integer.toString(network.architecture().residualBlocks()));
        p.put("style.name", metadata.styleName());
        p.put("iterations", Long.toString(metadata.iterations()));
        metadata.settings().forEach((k, v) -> p.put("setting." + k, v));
        ModelArchive.Writer w = new ModelArchive.Writer().properties(PROPERTIES_ENTRY, p);
        for (String name : network.architecture().parameterShapes().keySet()) {
            w.array(PARAMETER_PREFIX + name + ".npy", network.parameter(name));
        }
        return w;
    }

    /**
     * Reads a model file (or a {@link FastStyleTrainer} checkpoint).
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws ModelFormatException if it is not a model file, is corrupt or truncated, or has a newer format
     *     version than this library reads; the message names the file
     * @throws IOException on other read errors
     */
    public static FastStyleModel load(Path file) throws IOException {
        Checks.requireNonNull(file, "file");
        return fromArchive(ModelArchive.read(file));
    }

    static FastStyleModel fromArchive(ModelArchive.Contents c) throws ModelFormatException {
        Path file = c.file();
        if (!c.has(PROPERTIES_ENTRY)) {
            throw new ModelFormatException(file + ": not a Perceptual4J fast-style model (no " + PROPERTIES_ENTRY + ")");
        }
        Map<String, String> p = c.properties(PROPERTIES_ENTRY);
        if (!FORMAT_NAME.equals(p.get("format"))) {
            throw new ModelFormatException(file + ": not a Perceptual4J fast-style model (format '" + p.get("format")
                    + "', expected '" + FORMAT_NAME + "')");
        }
        int version = intProperty(p, "formatVersion", file);
        String writtenBy = p.getOrDefault("libraryVersion", "unknown");
        if (version < 1 || version > FORMAT_VERSION) {
            throw new ModelFormatException(file + ": model format version " + version + " (written by Perceptual4J "
                    + writtenBy + ") is not supported: this library (" + libraryVersion() + ") reads versions 1 to "
                    + FORMAT_VERSION + (version > FORMAT_VERSION ? "; use a newer Perceptual4J" : ""));
        }
        TransformNet.Architecture architecture;
        try {
            architecture = new TransformNet.Architecture(intProperty(p, "architecture.width", file),
                    intProperty(p, "architecture.residualBlocks", file));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file + ": corrupt file: architecture " + e.getMessage(), e);
        }
        Map<String, INDArray> params = new LinkedHashMap<>();
        for (String name : architecture.parameterShapes().keySet()) {
            params.put(name, c.array(PARAMETER_PREFIX + name + ".npy"));
        }
        TransformNet net;
        try {
            net = TransformNet.fromParameters(architecture, params);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file + ": corrupt file: " + e.getMessage(), e);
        }
        Map<String, String> settings = new TreeMap<>();
        p.forEach((k, v) -> {
            if (k.startsWith("setting.")) {
                settings.put(k.substring("setting.".length()), v);
            }
        });
        long iterations = longProperty(p, "iterations", file);
        if (iterations < 0) {
            throw new ModelFormatException(file + ": corrupt file: iterations " + iterations);
        }
        return new FastStyleModel(net, new Metadata(p.getOrDefault("style.name", ""), iterations, settings, writtenBy, version));
    }

    static int intProperty(Map<String, String> p, String key, Path file) throws ModelFormatException {
        long v = longProperty(p, key, file);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new ModelFormatException(file + ": corrupt file: " + key + " = " + v);
        }
        return (int) v;
    }

    static long longProperty(Map<String, String> p, String key, Path file) throws ModelFormatException {
        String s = p.get(key);
        if (s == null) {
            throw new ModelFormatException(file + ": corrupt or incomplete file: property " + key + " is missing");
        }
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw new ModelFormatException(file + ": corrupt file: " + key + " = '" + s + "' is not an integer", e);
        }
    }

    private static volatile String libraryVersion;

    /** This library's version, from the build ("unknown" when not built by Maven). */
    static String libraryVersion() {
        String v = libraryVersion;
        if (v == null) {
            v = "unknown";
            try (InputStream in = FastStyleModel.class.getResourceAsStream("library.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    String s = p.getProperty("version", "");
                    if (!s.isBlank() && !s.contains("${")) {
                        v = s.strip();
                    }
                }
            } catch (IOException e) {
                // keep "unknown"
            }
            libraryVersion = v;
        }
        return v;
    }

    @Override
    public String toString() {
        return "FastStyleModel[" + network + ", style=" + metadata.styleName() + ", iterations=" + metadata.iterations() + "]";
    }
}
