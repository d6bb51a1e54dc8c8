package org.perceptual4j.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.image.GifFrame;
import org.perceptual4j.image.GifReader;
import org.perceptual4j.image.GifWriter;
import org.perceptual4j.image.Images;
import org.perceptual4j.testing.GifFiles;

class VideoStylizerTest {
    /** Negative image: 1 - x. */
    private static final UnaryOperator<INDArray> INVERT = x -> x.rsub(1);

    @TempDir
    Path dir;

    /** A frame of 4 flat colours (exact in GIF and PNG), shifted by {@code t}. */
    private static INDArray frame(int t, int h, int w) {
        float[] d = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int q = ((x + t) * 2 / w + 2 * (y * 2 / h)) % 4;
                for (int c = 0; c < 3; c++) {
                    d[(c * h + y) * w + x] = ((q + c) % 4) / 3f;
                }
            }
        }
        return Nd4j.create(d, new long[] {1, 3, h, w}, DataType.FLOAT);
    }

    private static double maxAbsDiff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    private Path gif(String name, int frames, int loop) throws IOException {
        List<GifFrame> list = new ArrayList<>();
        for (int t = 0; t < frames; t++) {
            list.add(new GifFrame(frame(t, 12, 16), 30 + 10 * t));
        }
        Path p = dir.resolve(name);
        GifWriter.builder().build().write(list, loop, p);
        return p;
    }

    @Test
    void aGifIsStylizedFrameByFrameKeepingDelaysAndLoopCount() throws IOException {
        Path in = gif("in.gif", 4, 3);
        Path out = dir.resolve("out.gif");
        List<int[]> progress = new ArrayList<>();
        VideoStylizer.builder().listener((done, count) -> progress.add(new int[] {done, count})).build()
                .stylizeGif(in, out, INVERT);
        List<GifFrame> source = GifFiles.readAll(in);
        List<GifFrame> result = GifFiles.readAll(out);
        assertEquals(4, result.size());
        for (int t = 0; t < 4; t++) {
            assertEquals(source.get(t).delayMillis(), result.get(t).delayMillis());
            assertTrue(maxAbsDiff(result.get(t).image(), INVERT.apply(source.get(t).image())) < 1e-6, "frame " + t);
        }
        try (GifReader r = GifReader.open(out)) {
            assertEquals(3, r.loopCount());
        }
        assertEquals(List.of(1, 2, 3, 4), progress.stream().map(p -> p[0]).toList());
        assertTrue(progress.stream().allMatch(p -> p[1] == 4));
    }

    @Test
    void stabilizedRunsPassEveryFrameThroughTheStabilizer() throws IOException {
        Path in = gif("in.gif", 5, GifWriter.PLAY_ONCE);
        Path out = dir.resolve("out.gif");
        AtomicInteger calls = new AtomicInteger();
        VideoStylizer.builder().stabilize(true).build().stylizeGif(in, out, x -> {
            calls.incrementAndGet();
            return INVERT.apply(x);
        });
        assertEquals(5, calls.get());
        assertEquals(5, GifFiles.readAll(out).size());
        try (GifReader r = GifReader.open(out)) {
            assertEquals(GifWriter.PLAY_ONCE, r.loopCount());
        }
        // every frame of this GIF differs a lot from the previous one: the stabilizer leaves it alone
        List<GifFrame> source = GifFiles.readAll(in);
        List<GifFrame> result = GifFiles.readAll(out);
        for (int t = 0; t < 5; t++) {
            assertTrue(maxAbsDiff(result.get(t).image(), INVERT.apply(source.get(t).image())) < 1e-6, "frame " + t);
        }
    }

    @Test
    void numberedFramesAreWrittenUnderTheSameNames() throws IOException {
        Path in = Files.createDirectory(dir.resolve("frames"));
        for (int t : new int[] {1, 2, 10}) {
            Images.write(frame(t, 8, 12), in.resolve("frame_" + t + ".png"));
        }
        Path out = dir.resolve("stylized/deeper");
        List<INDArray> seen = new ArrayList<>();
        VideoStylizer.builder().stabilizer(FrameStabilizer.builder().motionRadius(2).build()).build()
                .stylizeFrames(in, out, x -> {
                    seen.add(x);
                    return INVERT.apply(x);
                });
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(List.of("frame_1.png", "frame_10.png", "frame_2.png"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        // frames were passed in numeric order
        assertTrue(maxAbsDiff(seen.get(2), frame(10, 8, 12)) < 1e-6);
        for (int t : new int[] {1, 2, 10}) {
            INDArray o = Images.read(out.resolve("frame_" + t + ".png"));
            assertArrayEquals(new long[] {1, 3, 8, 12}, o.shape());
            assertTrue(maxAbsDiff(o, INVERT.apply(frame(t, 8, 12))) < 0.5 / 255 + 1e-6, "frame " + t);
        }
    }

    @Test
    void writingOverTheInputFramesIsRefused() throws IOException {
        Path in = Files.createDirectory(dir.resolve("frames"));
        Images.write(frame(0, 8, 8), in.resolve("f1.png"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VideoStylizer.builder().build().stylizeFrames(in, in.resolve("."), INVERT));
        assertEquals("outDir: expected a directory other than the input frames', got " + in.resolve(".")
                + " (the frames would be overwritten)", e.getMessage());
        Path file = in.resolve("f1.png");
        assertEquals(file + ": not a directory", assertThrows(IOException.class,
                () -> VideoStylizer.builder().build().stylizeFrames(in, file, INVERT)).getMessage());
    }

    @Test
    void anInterruptedRunStopsAndLeavesNoGif() throws IOException {
        Path in = gif("in.gif", 4, 0);
        Path out = dir.resolve("out.gif");
        AtomicInteger calls = new AtomicInteger();
        InterruptedIOException e = assertThrows(InterruptedIOException.class,
                () -> VideoStylizer.builder().build().stylizeGif(in, out, x -> {
                    if (calls.incrementAndGet() == 2) {
                        Thread.currentThread().interrupt();
                    }
                    return x;
                }));
        assertTrue(Thread.interrupted(), "the interrupt flag stays set");
        assertEquals(in + ": interrupted after 2 of 4 frames", e.getMessage());
        assertFalse(Files.exists(out));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("in.gif"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aStylizerChangingTheFrameSizeMidwayFailsWithoutOutput() throws IOException {
        Path in = gif("in.gif", 3, 0);
        Path out = dir.resolve("out.gif");
        AtomicInteger calls = new AtomicInteger();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VideoStylizer.builder().build().stylizeGif(in, out, x -> calls.incrementAndGet() == 2
                        ? Nd4j.zeros(DataType.FLOAT, 1, 3, 4, 4) : x));
        assertEquals("frame 1: expected the size of the first frame [1, 3, 12, 16], got [1, 3, 4, 4]", e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void builderRejectsNulls() {
        assertEquals("stabilizer: expected a value, got null",
                assertThrows(IllegalArgumentException.class, () -> VideoStylizer.builder().stabilizer(null)).getMessage());
        assertEquals("listener: expected a value, got null",
                assertThrows(IllegalArgumentException.class, () -> VideoStylizer.builder().listener(null)).getMessage());
        assertEquals("stylizer: expected a value, got null", assertThrows(IllegalArgumentException.class,
                () -> VideoStylizer.builder().build().stylizeGif(dir.resolve("a.gif"), dir.resolve("b.gif"), null)).getMessage());
    }
}
