package org.perceptual4j.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.NoSuchElementException;
import javax.imageio.ImageIO;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageInputStreamImpl;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.internal.Checks;

/**
 * Reads an animated GIF frame by frame, each frame composited onto the logical screen the way browsers
 * show it. Only the current canvas is kept in memory, so long animations can be processed:
 *
 * <pre>{@code
 * try (GifReader gif = GifReader.open(Path.of("in.gif"))) {
 *     while (gif.hasNext()) {
 *         GifFrame frame = gif.next();     // [1, 3, height(), width()], delayMillis()
 *     }
 * }
 * }</pre>
 *
 * <ul>
 *   <li>The canvas starts transparent; each frame's pixels are drawn at the frame's offset (clipped to
 *       the logical screen), its transparent colour leaving the canvas unchanged. Before the next frame
 *       is drawn, the frame is disposed of as its graphic control extension says: kept ("none", "do not
 *       dispose" and the undefined values 4-7), its rectangle cleared to transparent ("restore to
 *       background", as browsers do, ignoring the background colour index), or the canvas restored to
 *       what it was before the frame ("restore to previous").</li>
 *   <li>What is still transparent is composited over the reader's
 *       {@linkplain ImageReader.Builder#background(float, float, float) background colour} (white by
 *       default).</li>
 *   <li>Local and global colour tables and interlaced frames are decoded by the JDK's GIF reader.
 *       Interlaced rows are put in place here: the JDK misplaces them in frames of at most 4 rows.</li>
 *   <li>A logical screen of width or height 0 takes the size of the first frame's bottom-right corner.</li>
 *   <li>Delays: the stored hundredths of a second times 10, see {@link GifFrame}. Frames without a
 *       graphic control extension have delay 0.</li>
 *   <li>{@link #loopCount()}: the NETSCAPE2.0 (or ANIMEXTS1.0) loop count stored before the first frame,
 *       or {@link GifWriter#PLAY_ONCE} without one.</li>
 * </ul>
 *
 * <p>Before any pixel is decoded, {@link #open} walks the whole file: the logical screen and every
 * frame must be within the reader's {@linkplain ImageReader.Builder#maxPixels(long) pixel limit}
 * ({@link ImageTooLargeException}), there must be at least one frame, and a file cut off before the GIF
 * trailer is reported as corrupt rather than shown with frames missing. Errors are {@link IOException}s
 * whose message starts with the file name. Not thread-safe; close it (try-with-resources).
 */
public final class GifReader implements Closeable {
    private static final String FORMAT = "javax_imageio_gif_image_1.0";

    private final String name;
    private final GifStructure structure;
    private final int width;
    private final int height;
    private final float[] background;
    private final javax.imageio.ImageReader decoder;
    private final ImageInputStream stream;
    private final int loopCount;

    /** ARGB canvas of the logical screen, wrapped by {@code canvasImage}. */
    private final BufferedImage canvasImage;
    private final int[] canvas;
    private int[] beforePrevious;
    private GifStructure.Frame previous;
    private String previousDisposal = "none";
    private int index;
    private boolean closed;

    private GifReader(String name, GifStructure structure, int width, int height, float[] background,
            javax.imageio.ImageReader decoder, ImageInputStream stream) throws IOException {
        this.name = name;
        this.structure = structure;
        this.width = width;
        this.height = height;
        this.background = background;
        this.decoder = decoder;
        this.stream = stream;
        this.canvasImage = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        this.canvas = ((DataBufferInt) canvasImage.getRaster().getDataBuffer()).getData();
        this.loopCount = loopCount(metadata(0));
    }

    /**
     * Opens a GIF with the {@linkplain ImageReader default reader settings} (100 megapixel limit, white
     * background).
     *
     * @see #open(Path, ImageReader)
     */
    public static GifReader open(Path file) throws IOException {
        return open(file, ImageReader.builder().build());
    }

    /**
     * Opens a GIF, using the pixel limit and background colour of {@code settings}.
     *
     * @throws NoSuchFileException if the file does not exist
     * @throws ImageTooLargeException if the logical screen or a frame has more pixels than the limit
     * @throws ImageFormatException if the file is empty, not a GIF, has no frame, or is truncated or corrupt
     * @throws IOException on other read errors; messages start with the file name
     */
    public static GifReader open(Path file, ImageReader settings) throws IOException {
        Checks.requireNonNull(settings, "settings");
        ImageReader.requireNonEmptyFile(file);
        String name = file.toString();
        GifStructure structure;
        try (ImageInputStream in = ImageReader.openStream(file)) {
            structure = GifStructure.scan(in, name);
        }
        if (structure.frames.isEmpty()) {
            throw new ImageFormatException(name + ": the GIF has no frames");
        }
        GifStructure.Frame first = structure.frames.get(0);
        int w = structure.screenWidth;
        int h = structure.screenHeight;
        if (w == 0 || h == 0) {
            w = first.left() + first.width();
            h = first.top() + first.height();
        }
        long limit = settings.maxPixels();
        if ((long) w * h > limit) {
            throw new ImageTooLargeException(name, w, h, limit);
        }
        for (int i = 0; i < structure.frames.size(); i++) {
            GifStructure.Frame f = structure.frames.get(i);
            if ((long) f.width() * f.height() > limit) {
                throw new ImageTooLargeException(name + " (frame " + i + ")", f.width(), f.height(), limit);
            }
        }
        if (w < 1 || h < 1) {
            throw new ImageFormatException(name + ": corrupt GIF: logical screen and first frame are empty");
        }
        long[] interlaced = structure.frames.stream().filter(GifStructure.Frame::interlaced)
                .mapToLong(GifStructure.Frame::packedOffset).toArray();
        ImageInputStream stream = new FlagClearingStream(ImageReader.openStream(file), interlaced);
        javax.imageio.ImageReader decoder = ImageIO.getImageReadersByFormatName("gif").next();
        try {
            decoder.setInput(stream, true, false);
            return new GifReader(name, structure, w, h, settings.background(), decoder, stream);
        } catch (IOException | RuntimeException | Error e) {
            decoder.dispose();
            stream.close();
            if (e instanceof ImageFormatException f) {
                throw f;
            }
            if (e instanceof IOException || e instanceof RuntimeException) {
                throw corrupt(name, 0, e);
            }
            throw e;
        }
    }

    /**
     * Whether a file is a GIF by its content (it starts with the signature {@code GIF87a} or
     * {@code GIF89a}), whatever its name; only the first 6 bytes are read. An empty file is not a GIF.
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws IOException if it is a directory or cannot be read; the message names the file
     */
    public static boolean isGif(Path file) throws IOException {
        Checks.requireNonNull(file, "file");
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a directory, not an image file");
        }
        try (ImageInputStream in = ImageReader.openStream(file)) {
            return GifStructure.isGif(in);
        } catch (java.io.FileNotFoundException e) {
            throw Files.exists(file) ? new IOException(file + ": cannot read (" + e.getMessage() + ")", e)
                    : new NoSuchFileException(file.toString(), null, "no such file");
        }
    }

    /** Width of the logical screen, which is the width of every frame. */
    public int width() {
        return width;
    }

    /** Height of the logical screen, which is the height of every frame. */
    public int height() {
        return height;
    }

    /** Number of frames (known before any is decoded). */
    public int frameCount() {
        return structure.frames.size();
    }

    /**
     * The stored loop count: {@link GifWriter#LOOP_FOREVER} (0), a number of repetitions (1 to 65535,
     * players differ in whether it counts the first play) or {@link GifWriter#PLAY_ONCE} (-1) when the
     * GIF has no loop extension. Pass it to {@link GifWriter#open(Path, int)} to keep it.
     */
    public int loopCount() {
        return loopCount;
    }

    /** Whether {@link #next()} has another frame. */
    public boolean hasNext() {
        return index < structure.frames.size();
    }

    /**
     * Decodes and composites the next frame.
     *
     * @return a new {@code [1, 3, height(), width()]} {@code FLOAT} image with its delay
     * @throws NoSuchElementException after the last frame
     * @throws IllegalStateException after {@link #close()}
     * @throws ImageFormatException naming the file and frame if its data is corrupt
     */
    public GifFrame next() throws IOException {
        if (closed) {
            throw new IllegalStateException(name + ": reader closed");
        }
        if (!hasNext()) {
            throw new NoSuchElementException(name + ": no frame after the last (" + frameCount() + ")");
        }
        int i = index;
        GifStructure.Frame frame = structure.frames.get(i);
        IIOMetadataNode gce;
        BufferedImage pixels;
        try {
            gce = child(metadata(i), "GraphicControlExtension");
            pixels = decoder.read(i);
        } catch (IOException | RuntimeException e) {
            throw corrupt(name, i, e);
        }
        if (pixels.getWidth() != frame.width() || pixels.getHeight() != frame.height()) {
            throw new ImageFormatException(name + ": corrupt GIF: frame " + i + " decodes to " + pixels.getWidth()
                    + " x " + pixels.getHeight() + ", its descriptor says " + frame.width() + " x " + frame.height());
        }
        dispose();
        String disposal = gce == null ? "none" : gce.getAttribute("disposalMethod");
        if (disposal.equals("restoreToPrevious")) {
            beforePrevious = canvas.clone();
        }
        draw(pixels, frame);
        previous = frame;
        previousDisposal = disposal;
        index++;
        float[] chw = Pixels.toPlanarRgb(canvasImage, background);
        int delay = gce == null ? 0 : 10 * Integer.parseInt(gce.getAttribute("delayTime"));
        return new GifFrame(Nd4j.create(chw, new long[] {1, 3, height, width}, DataType.FLOAT), delay);
    }

    /** Disposes of the previous frame (GIF89a specification, graphic control extension). */
    private void dispose() {
        if (previous == null) {
            return;
        }
        if (previousDisposal.equals("restoreToBackgroundColor")) {
            int x0 = Math.min(previous.left(), width);
            int x1 = Math.min(previous.left() + previous.width(), width);
            int y1 = Math.min(previous.top() + previous.height(), height);
            for (int y = previous.top(); y < y1; y++) {
                Arrays.fill(canvas, y * width + x0, y * width + x1, 0);
            }
        } else if (previousDisposal.equals("restoreToPrevious")) {
            System.arraycopy(beforePrevious, 0, canvas, 0, canvas.length);
        }
    }

    private void draw(BufferedImage pixels, GifStructure.Frame frame) {
        int w = frame.width();
        int h = frame.height();
        int[] rowOf = frame.interlaced() ? interlacedRows(h) : null;
        int[] row = new int[w];
        int x1 = Math.min(frame.left() + w, width);
        for (int k = 0; k < h; k++) {
            int y = frame.top() + (rowOf == null ? k : rowOf[k]);
            if (y >= height) {
                continue;
            }
            pixels.getRGB(0, k, w, 1, row, 0, w);
            for (int x = frame.left(); x < x1; x++) {
                int p = row[x - frame.left()];
                if ((p >>> 24) != 0) {
                    canvas[y * width + x] = p | 0xff000000;
                }
            }
        }
    }

    /** The image row of each row in the order an interlaced GIF stores them (passes 0/8, 4/8, 2/4, 1/2). */
    static int[] interlacedRows(int h) {
        int[] rows = new int[h];
        int k = 0;
        int[][] passes = {{0, 8}, {4, 8}, {2, 4}, {1, 2}};
        for (int[] pass : passes) {
            for (int y = pass[0]; y < h; y += pass[1]) {
                rows[k++] = y;
            }
        }
        return rows;
    }

    private IIOMetadataNode metadata(int i) throws IOException {
        return (IIOMetadataNode) decoder.getImageMetadata(i).getAsTree(FORMAT);
    }

    /** The first child element called {@code nodeName}, or null. */
    static IIOMetadataNode child(IIOMetadataNode parent, String nodeName) {
        for (int i = 0; i < parent.getLength(); i++) {
            if (parent.item(i).getNodeName().equals(nodeName)) {
                return (IIOMetadataNode) parent.item(i);
            }
        }
        return null;
    }

    private static int loopCount(IIOMetadataNode first) {
        IIOMetadataNode apps = child(first, "ApplicationExtensions");
        if (apps == null) {
            return GifWriter.PLAY_ONCE;
        }
        for (int i = 0; i < apps.getLength(); i++) {
            IIOMetadataNode app = (IIOMetadataNode) apps.item(i);
            String id = app.getAttribute("applicationID") + app.getAttribute("authenticationCode");
            if ((id.equals("NETSCAPE2.0") || id.equals("ANIMEXTS1.0")) && app.getUserObject() instanceof byte[] data
                    && data.length >= 3 && data[0] == 1) {
                return (data[1] & 0xff) | ((data[2] & 0xff) << 8);
            }
        }
        return GifWriter.PLAY_ONCE;
    }

    private static ImageFormatException corrupt(String name, int frame, Throwable e) {
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new ImageFormatException(name + ": corrupt GIF data in frame " + frame + ": " + detail, e);
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            decoder.dispose();
            stream.close();
        }
    }

    /**
     * The file's bytes with bit 0x40 (interlaced) cleared at the given offsets, the packed bytes of the
     * interlaced frames' image descriptors, so that the JDK decodes their rows in stored order.
     */
    private static final class FlagClearingStream extends ImageInputStreamImpl {
        private final ImageInputStream in;
        private final long[] offsets;

        FlagClearingStream(ImageInputStream in, long[] sortedOffsets) {
            this.in = in;
            this.offsets = sortedOffsets;
        }

        @Override
        public int read() throws IOException {
            checkClosed();
            bitOffset = 0;
            in.seek(streamPos);
            int b = in.read();
            if (b >= 0) {
                if (Arrays.binarySearch(offsets, streamPos) >= 0) {
                    b &= ~0x40;
                }
                streamPos++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            checkClosed();
            bitOffset = 0;
            in.seek(streamPos);
            int n = in.read(b, off, len);
            if (n > 0) {
                int from = Arrays.binarySearch(offsets, streamPos);
                for (int i = from >= 0 ? from : -from - 1; i < offsets.length && offsets[i] < streamPos + n; i++) {
                    b[off + (int) (offsets[i] - streamPos)] &= ~0x40;
                }
                streamPos += n;
            }
            return n;
        }

        @Override
        public long length() {
            try {
                return in.length();
            } catch (IOException e) {
                return -1;
            }
        }

        @Override
        public void close() throws IOException {
            super.close();
            in.close();
        }
    }
}
