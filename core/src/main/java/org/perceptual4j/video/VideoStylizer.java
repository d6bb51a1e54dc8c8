package org.perceptual4j.video;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.internal.Checks;
import org.perceptual4j.image.FrameSequence;
import org.perceptual4j.image.GifFrame;
import org.perceptual4j.image.GifReader;
import org.perceptual4j.image.GifWriter;
import org.perceptual4j.image.ImageReader;
import org.perceptual4j.image.ImageWriter;

/**
 * Applies a per-frame stylizer (any {@code UnaryOperator<INDArray>} from RGB {@code [1, 3, H, W]} in
 * [0, 1] to the same, such as a feed-forward style transfer network) to an animated GIF or to a
 * directory of numbered video frames, one frame at a time, optionally through a {@link FrameStabilizer}
 * that reduces flicker:
 *
 * <pre>{@code
 * VideoStylizer video = VideoStylizer.builder().stabilize(true).build();
 * video.stylizeGif(Path.of("in.gif"), Path.of("out.gif"), model::stylize);
 * video.stylizeFrames(Path.of("frames"), Path.of("stylized"), model::stylize);
 * }</pre>
 *
 * <p>Only the current frame (and the stabilizer's previous frame) is in memory. The stylizer is called
 * once per frame, in display order, from the calling thread. Between frames the calling thread's
 * interrupt flag is checked: an interrupted run throws {@link InterruptedIOException}. Immutable and
 * thread-safe (a call creates its own stabilizer state).
 */
public final class VideoStylizer {
    /** Progress of a run. */
    @FunctionalInterface
    public interface Listener {
        /**
         * Called after each frame has been stylized and written.
         *
         * @param framesDone frames finished so far (1 to {@code frameCount})
         * @param frameCount frames in the input
         */
        void frameDone(int framesDone, int frameCount);
    }

    private final FrameStabilizer stabilizer;
    private final ImageReader reader;
    private final ImageWriter imageWriter;
    private final GifWriter gifWriter;
    private final Listener listener;

    private VideoStylizer(Builder b) {
        this.stabilizer = b.stabilizer;
        this.reader = b.reader;
        this.imageWriter = b.imageWriter;
        this.gifWriter = b.gifWriter;
        this.listener = b.listener;
    }

    /** A builder with the defaults: no stabilization, default reader and writers, no listener. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Stylizes every frame of an animated GIF (as composited for display, see {@link GifReader}) and
     * writes them as a new GIF with the same frame delays and loop count (see {@link GifWriter}; the
     * output is written atomically, so it is complete or absent).
     *
     * @throws IllegalArgumentException if {@code out} does not end in .gif, or the stylizer returns
     *     something other than {@code [1, 3, H, W]} images of one size
     * @throws IOException naming the file on read or write errors (see {@link GifReader#open(Path, ImageReader)})
     */
    public void stylizeGif(Path in, Path out, UnaryOperator<INDArray> stylizer) throws IOException {
        Checks.requireNonNull(in, "in");
        Checks.requireNonNull(out, "out");
        UnaryOperator<INDArray> perFrame = perSequence(stylizer);
        try (GifReader gif = GifReader.open(in, reader);
                GifWriter.Output output = gifWriter.open(out, gif.loopCount())) {
            int count = gif.frameCount();
            for (int i = 0; i < count; i++) {
                checkInterrupt(in, i, count);
                GifFrame frame = gif.next();
                output.append(perFrame.apply(frame.image()), frame.delayMillis());
                listener.frameDone(i + 1, count);
            }
            output.commit();
        }
    }

    /**
     * Stylizes the numbered frames of {@code inDir} (see {@link FrameSequence}) and writes each result
     * under the same file name into {@code outDir} (created if missing; PNG or JPEG by the name), each
     * file atomically. Frames are processed in order; if the run fails or is interrupted, the frames
     * before it are complete and the others are not written.
     *
     * @throws IllegalArgumentException if {@code outDir} is {@code inDir}
     * @throws IOException naming the directory or file on read or write errors
     */
    public void stylizeFrames(Path inDir, Path outDir, UnaryOperator<INDArray> stylizer) throws IOException {
        Checks.requireNonNull(outDir, "outDir");
        UnaryOperator<INDArray> perFrame = perSequence(stylizer);
        FrameSequence frames = FrameSequence.open(inDir, reader);
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new IOException(outDir + ": not a directory");
        }
        Files.createDirectories(outDir);
        if (Files.isSameFile(inDir, outDir)) {
            throw new IllegalArgumentException("outDir: expected a directory other than the input frames', got "
                    + outDir + " (the frames would be overwritten)");
        }
        int count = frames.size();
        for (int i = 0; i < count; i++) {
            checkInterrupt(inDir, i, count);
            INDArray result = perFrame.apply(frames.read(i));
            imageWriter.write(result, outDir.resolve(frames.files().get(i).getFileName().toString()));
            listener.frameDone(i + 1, count);
        }
    }

    private UnaryOperator<INDArray> perSequence(UnaryOperator<INDArray> stylizer) {
        Checks.requireNonNull(stylizer, "stylizer");
        return stabilizer == null ? stylizer : stabilizer.wrap(stylizer);
    }

    private static void checkInterrupt(Path input, int done, int count) throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException(input + ": interrupted after " + done + " of " + count + " frames");
        }
    }

    @Override
    public String toString() {
        return "VideoStylizer[stabilizer=" + stabilizer + ", reader=" + reader + ", imageWriter=" + imageWriter
                + ", gifWriter=" + gifWriter + "]";
    }

    /** Builder for {@link VideoStylizer}; each setter validates its argument immediately. */
    public static final class Builder {
        private FrameStabilizer stabilizer;
        private ImageReader reader = ImageReader.builder().build();
        private ImageWriter imageWriter = ImageWriter.builder().build();
        private GifWriter gifWriter = GifWriter.builder().build();
        private Listener listener = (done, count) -> { };

        private Builder() {
        }

        /** Whether to stabilize with {@link FrameStabilizer#defaults()} (default false). */
        public Builder stabilize(boolean stabilize) {
            this.stabilizer = stabilize ? FrameStabilizer.defaults() : null;
            return this;
        }

        /** Stabilizes with the given settings (default: no stabilization). */
        public Builder stabilizer(FrameStabilizer stabilizer) {
            this.stabilizer = Checks.requireNonNull(stabilizer, "stabilizer");
            return this;
        }

        /** Reader of the input GIF or frames: pixel limit, background of transparent pixels. */
        public Builder reader(ImageReader reader) {
            this.reader = Checks.requireNonNull(reader, "reader");
            return this;
        }

        /** Writer of output frames (JPEG quality). */
        public Builder imageWriter(ImageWriter writer) {
            this.imageWriter = Checks.requireNonNull(writer, "imageWriter");
            return this;
        }

        /** Writer of output GIFs (dithering). */
        public Builder gifWriter(GifWriter writer) {
            this.gifWriter = Checks.requireNonNull(writer, "gifWriter");
            return this;
        }

        /** Called after every frame (default: none). */
        public Builder listener(Listener listener) {
            this.listener = Checks.requireNonNull(listener, "listener");
            return this;
        }

        public VideoStylizer build() {
            return new VideoStylizer(this);
        }
    }
}
