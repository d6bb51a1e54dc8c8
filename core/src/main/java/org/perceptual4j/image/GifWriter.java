package org.perceptual4j.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.FileImageOutputStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.internal.AtomicFile;
import org.perceptual4j.core.internal.Checks;

/**
 * Encodes animated GIFs from frames in the library's image format ({@code [1, 3, H, W]}, RGB in [0, 1]),
 * through the JDK's GIF encoder, with a graphic control extension per frame (its delay, no
 * transparency, disposal "none") and, unless the loop count is {@link #PLAY_ONCE}, a NETSCAPE2.0
 * application extension holding the loop count. Frames are not interlaced. Immutable and thread-safe;
 * {@link #open(Path, int)} returns an {@link Output} that takes the frames one at a time, so an
 * animation never has to be held in memory:
 *
 * <pre>{@code
 * try (GifWriter.Output out = GifWriter.builder().build().open(Path.of("out.gif"), GifWriter.LOOP_FOREVER)) {
 *     for (INDArray frame : frames) {
 *         out.append(frame, 40);   // 40 ms: 25 frames per second
 *     }
 *     out.commit();
 * }
 * }</pre>
 *
 * <p>Colours: every frame gets its own palette of up to 256 colours (median cut refined by k-means,
 * starting from the previous frame's palette so that unchanged regions keep their colours); a frame
 * with at most 256 distinct 8-bit colours is stored exactly. Values are clamped to [0, 1] and rounded to
 * 8 bits first, as {@link ImageWriter} does. {@linkplain Builder#dither(boolean) Dithering} is off by
 * default: error diffusion patterns change from frame to frame and flicker.
 *
 * <p>Nothing is half-written: frames go to a hidden temporary file in the target's directory, which
 * {@link Output#commit()} moves over the target atomically; closing an output that was not committed
 * (or failed) deletes the temporary file and leaves an existing target untouched.
 */
public final class GifWriter {
    /** Loop count of an animation that repeats forever (NETSCAPE2.0 loop count 0). */
    public static final int LOOP_FOREVER = 0;
    /** Loop count of an animation without a NETSCAPE2.0 extension: players show it once. */
    public static final int PLAY_ONCE = -1;
    /** Largest loop count a GIF can store. */
    public static final int MAX_LOOP_COUNT = 65_535;
    /** Largest frame delay a GIF can store: 65535 hundredths of a second. */
    public static final int MAX_DELAY_MILLIS = 655_350;

    private static final String FORMAT = "javax_imageio_gif_image_1.0";

    private final boolean dither;

    private GifWriter(Builder b) {
        this.dither = b.dither;
    }

    /** A builder with the defaults: no dithering. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether colours are reduced with Floyd-Steinberg error diffusion. */
    public boolean dither() {
        return dither;
    }

    @Override
    public String toString() {
        return "GifWriter[dither=" + dither + "]";
    }

    /**
     * Starts writing an animated GIF.
     *
     * @param file the target, a name ending in {@code .gif}; its directory must exist
     * @param loopCount {@link #LOOP_FOREVER}, {@link #PLAY_ONCE} or the number of repetitions, 1 to
     *     {@link #MAX_LOOP_COUNT}, stored as it is (players differ in whether it counts the first play)
     * @throws IllegalArgumentException if the name does not end in .gif or the loop count is out of range
     * @throws IOException naming the file if the temporary file cannot be created
     */
    public Output open(Path file, int loopCount) throws IOException {
        requireGifName(file);
        requireLoopCount(loopCount);
        return new Output(file, loopCount, dither);
    }

    /**
     * Writes a whole animation: {@code open(file, loopCount)}, every frame appended, then committed.
     *
     * @throws IllegalArgumentException if there is no frame or the frames differ in size
     * @see #open(Path, int)
     */
    public void write(List<GifFrame> frames, int loopCount, Path file) throws IOException {
        Checks.requireNonNull(frames, "frames");
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("frames: expected at least one frame, got none");
        }
        try (Output out = open(file, loopCount)) {
            for (GifFrame f : frames) {
                out.append(Checks.requireNonNull(f, "frame"));
            }
            out.commit();
        }
    }

    static void requireGifName(Path file) {
        Checks.requireNonNull(file, "file");
        Path name = file.getFileName();
        if (name == null || !name.toString().toLowerCase(Locale.ROOT).endsWith(".gif")) {
            throw new IllegalArgumentException("file: expected a name ending in .gif, got " + file);
        }
    }

    private static void requireLoopCount(int loopCount) {
        if (loopCount < PLAY_ONCE || loopCount > MAX_LOOP_COUNT) {
            throw new IllegalArgumentException("loopCount: expected " + PLAY_ONCE + " (play once), " + LOOP_FOREVER
                    + " (forever) or a count up to " + MAX_LOOP_COUNT + ", got " + loopCount);
        }
    }

    /**
     * An animated GIF being written: append the frames in order, then {@link #commit()}. Not
     * thread-safe. Use with try-with-resources: {@link #close()} discards an uncommitted output.
     */
    public static final class Output implements Closeable {
        private final Path file;
        private final int loopCount;
        private final PaletteQuantizer quantizer;
        private final AtomicFile atomic;
        private final RandomAccessFile raf;
        private final FileImageOutputStream stream;
        private final javax.imageio.ImageWriter encoder;
        private final ImageWriteParam param;
        private long[] shape;
        private int frames;
        private boolean open = true;

        private Output(Path file, int loopCount, boolean dither) throws IOException {
            this.file = file;
            this.loopCount = loopCount;
            this.quantizer = new PaletteQuantizer(dither);
            Iterator<javax.imageio.ImageWriter> writers = ImageIO.getImageWritersByFormatName("gif");
            if (!writers.hasNext()) {
                throw new IOException(file + ": cannot write: no GIF encoder in this Java runtime");
            }
            this.encoder = writers.next();
            this.atomic = AtomicFile.create(file);
            RandomAccessFile r = null;
            FileImageOutputStream s = null;
            try {
                r = new RandomAccessFile(atomic.temp().toFile(), "rw");
                s = new FileImageOutputStream(r);
                encoder.setOutput(s);
                param = encoder.getDefaultWriteParam();
                param.setProgressiveMode(ImageWriteParam.MODE_DISABLED);
                encoder.prepareWriteSequence(null);
            } catch (IOException | RuntimeException | Error e) {
                encoder.dispose();
                closeQuietly(r, e);
                atomic.discard(e);
                if (e instanceof IOException io) {
                    throw AtomicFile.cannotWrite(file, io);
                }
                throw e;
            }
            this.raf = r;
            this.stream = s;
        }

        /** The number of frames appended so far. */
        public int frameCount() {
            return frames;
        }

        /** Appends a frame; see {@link #append(INDArray, int)}. */
        public void append(GifFrame frame) throws IOException {
            Checks.requireNonNull(frame, "frame");
            append(frame.image(), frame.delayMillis());
        }

        /**
         * Appends a frame shown for {@code delayMillis} milliseconds (rounded to the nearest hundredth
         * of a second, the GIF's unit).
         *
         * @throws IllegalArgumentException if the image is not {@code [1, 3, H, W]} floating point
         *     without NaN, differs in size from the first frame, or the delay is out of range
         * @throws IllegalStateException after {@link #commit()} or {@link #close()}, or after a failure
         * @throws IOException naming the file if writing fails (the output is then discarded)
         */
        public void append(INDArray image, int delayMillis) throws IOException {
            requireOpen();
            GifFrame checked = new GifFrame(image, delayMillis);
            if (shape == null) {
                shape = image.shape();
            } else if (!Arrays.equals(shape, image.shape())) {
                throw new IllegalArgumentException("frame " + frames + ": expected the size of the first frame "
                        + Arrays.toString(shape) + ", got " + Arrays.toString(image.shape()));
            }
            BufferedImage rgb = Pixels.toBufferedImage(checked.image());
            int w = rgb.getWidth();
            int h = rgb.getHeight();
            int[] pixels = ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
            PaletteQuantizer.Result q = quantizer.quantize(pixels, w);
            int[] palette = q.palette();
            byte[] r = new byte[palette.length];
            byte[] g = new byte[palette.length];
            byte[] b = new byte[palette.length];
            for (int i = 0; i < palette.length; i++) {
                r[i] = (byte) (palette[i] >> 16);
                g[i] = (byte) (palette[i] >> 8);
                b[i] = (byte) palette[i];
            }
            BufferedImage indexed = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED,
                    new IndexColorModel(8, palette.length, r, g, b));
            byte[] data = ((DataBufferByte) indexed.getRaster().getDataBuffer()).getData();
            System.arraycopy(q.indices(), 0, data, 0, data.length);
            try {
                encoder.writeToSequence(new IIOImage(indexed, null, metadata(indexed, delayMillis)), param);
                frames++;
            } catch (IOException | RuntimeException | Error e) {
                fail(e);
                if (e instanceof IOException io) {
                    throw AtomicFile.cannotWrite(file, io);
                }
                throw e;
            }
        }

        private IIOMetadata metadata(BufferedImage indexed, int delayMillis) throws IOException {
            IIOMetadata md = encoder.getDefaultImageMetadata(new ImageTypeSpecifier(indexed), param);
            IIOMetadataNode root = (IIOMetadataNode) md.getAsTree(FORMAT);
            IIOMetadataNode gce = childOrNew(root, "GraphicControlExtension");
            gce.setAttribute("disposalMethod", "none");
            gce.setAttribute("userInputFlag", "FALSE");
            gce.setAttribute("transparentColorFlag", "FALSE");
            gce.setAttribute("delayTime", Integer.toString((int) Math.round(delayMillis / 10.0)));
            gce.setAttribute("transparentColorIndex", "0");
            if (frames == 0 && loopCount != PLAY_ONCE) {
                IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
                app.setAttribute("applicationID", "NETSCAPE");
                app.setAttribute("authenticationCode", "2.0");
                app.setUserObject(new byte[] {1, (byte) loopCount, (byte) (loopCount >> 8)});
                childOrNew(root, "ApplicationExtensions").appendChild(app);
            }
            md.setFromTree(FORMAT, root);
            return md;
        }

        /**
         * Finishes the GIF and moves it over the target atomically.
         *
         * @throws IllegalStateException if no frame was appended, or after {@link #commit()},
         *     {@link #close()} or a failure
         * @throws IOException naming the file if finishing fails (the output is then discarded)
         */
        public void commit() throws IOException {
            requireOpen();
            if (frames == 0) {
                throw new IllegalStateException(file + ": no frame appended; a GIF needs at least one");
            }
            try {
                encoder.endWriteSequence();
                stream.flush();
                raf.getChannel().force(true);
                stream.close();
                raf.close();
                atomic.commit();
                open = false;
                encoder.dispose();
            } catch (IOException | RuntimeException | Error e) {
                fail(e);
                if (e instanceof IOException io) {
                    throw AtomicFile.cannotWrite(file, io);
                }
                throw e;
            }
        }

        /** Discards the output unless it was committed; does nothing the second time. */
        @Override
        public void close() {
            if (open) {
                fail(null);
            }
        }

        private void fail(Throwable cause) {
            open = false;
            encoder.dispose();
            closeQuietly(raf, cause);
            atomic.discard(cause);
        }

        private void requireOpen() {
            if (!open) {
                throw new IllegalStateException(file + ": output already committed, closed or failed");
            }
        }

        private static void closeQuietly(Closeable c, Throwable cause) {
            if (c == null) {
                return;
            }
            try {
                c.close();
            } catch (IOException e) {
                if (cause != null) {
                    cause.addSuppressed(e);
                }
            }
        }
    }

    /** The first child element called {@code name}, appended if there is none. */
    static IIOMetadataNode childOrNew(IIOMetadataNode parent, String name) {
        IIOMetadataNode node = GifReader.child(parent, name);
        if (node == null) {
            node = new IIOMetadataNode(name);
            parent.appendChild(node);
        }
        return node;
    }

    /** Builder for {@link GifWriter}; each setter validates its argument immediately. */
    public static final class Builder {
        private boolean dither;

        private Builder() {
        }

        /**
         * Whether to reduce colours with Floyd-Steinberg error diffusion (default false). Dithering hides
         * banding in smooth gradients but its noise pattern changes from frame to frame, which flickers.
         */
        public Builder dither(boolean dither) {
            this.dither = dither;
            return this;
        }

        public GifWriter build() {
            return new GifWriter(this);
        }
    }
}
