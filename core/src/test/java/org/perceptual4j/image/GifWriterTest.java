package org.perceptual4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.testing.GifFiles;

class GifWriterTest {
    @TempDir
    Path dir;

    /** Eight flat colour blocks: a frame with few colours, stored exactly. */
    private static INDArray blocks(int h, int w, int shift) {
        float[] d = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int block = ((x * 4 / w) + 4 * (y * 2 / h) + shift) % 8;
                for (int c = 0; c < 3; c++) {
                    d[(c * h + y) * w + x] = ((block >> c) & 1) * 0.8f + 0.1f;
                }
            }
        }
        return Nd4j.create(d, new long[] {1, 3, h, w}, DataType.FLOAT);
    }

    /**
     * A painting-like frame with many colours: smooth colour gradients, soft blobs and a little texture,
     * the kind of image a style transfer network produces.
     */
    static INDArray painting(int h, int w, long seed) {
        Random r = new Random(seed);
        double[][] blobs = new double[12][6];
        for (double[] b : blobs) {
            for (int i = 0; i < 6; i++) {
                b[i] = r.nextDouble();
            }
        }
        float[] d = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double u = x / (double) w;
                double v = y / (double) h;
                double[] rgb = {0.3 + 0.4 * u, 0.2 + 0.5 * v, 0.6 - 0.3 * u * v};
                for (double[] b : blobs) {
                    double dist = (u - b[0]) * (u - b[0]) + (v - b[1]) * (v - b[1]);
                    double k = Math.exp(-dist / (0.01 + 0.03 * b[2]));
                    for (int c = 0; c < 3; c++) {
                        rgb[c] += k * (b[3 + c] - 0.5);
                    }
                }
                double texture = 0.04 * Math.sin(x * 0.9 + 3 * Math.sin(y * 0.3)) + 0.02 * r.nextGaussian();
                for (int c = 0; c < 3; c++) {
                    d[(c * h + y) * w + x] = (float) Math.max(0, Math.min(1, rgb[c] + texture));
                }
            }
        }
        return Nd4j.create(d, new long[] {1, 3, h, w}, DataType.FLOAT);
    }

    private static double psnr(INDArray a, INDArray b) {
        double mse = a.castTo(DataType.DOUBLE).squaredDistance(b.castTo(DataType.DOUBLE)) / a.length();
        return 10 * Math.log10(1 / mse);
    }

    private List<String> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    // ---- round trip ----

    @ParameterizedTest
    @ValueSource(ints = {GifWriter.PLAY_ONCE, GifWriter.LOOP_FOREVER, 1, 7, GifWriter.MAX_LOOP_COUNT})
    void roundTripKeepsFrameCountDelaysAndLoopCount(int loop) throws IOException {
        int[] delays = {0, 10, 20, 40, 100, 1000, GifWriter.MAX_DELAY_MILLIS};
        List<GifFrame> frames = new ArrayList<>();
        for (int i = 0; i < delays.length; i++) {
            frames.add(new GifFrame(blocks(12, 16, i), delays[i]));
        }
        Path p = dir.resolve("anim.gif");
        GifWriter.builder().build().write(frames, loop, p);
        try (GifReader r = GifReader.open(p)) {
            assertEquals(loop, r.loopCount());
            assertEquals(delays.length, r.frameCount());
        }
        List<GifFrame> back = GifFiles.readAll(p);
        assertEquals(delays.length, back.size());
        for (int i = 0; i < delays.length; i++) {
            assertEquals(delays[i], back.get(i).delayMillis(), "delay of frame " + i);
            // 8 colours: stored exactly (up to the 8-bit rounding of 0.1 and 0.9)
            assertTrue(TestImages.maxAbsDiff(frames.get(i).image(), back.get(i).image()) <= 0.5 / 255 + 1e-6, "frame " + i);
        }
    }

    @Test
    void readingThenWritingKeepsTheStoredDelaysExactly() throws IOException {
        java.awt.image.IndexColorModel p = TestGifs.palette(-1, 0xff0000, 0x00ff00);
        List<TestGifs.Frame> source = new ArrayList<>();
        int[] stored = {0, 1, 3, 7, 65535};
        for (int i = 0; i < stored.length; i++) {
            source.add(new TestGifs.Frame(TestGifs.indexed(8, 8, p, i % 2), 0, 0, "none", stored[i], false));
        }
        Path in = dir.resolve("in.gif");
        Files.write(in, TestGifs.gif(8, 8, 5, source));
        Path out = dir.resolve("out.gif");
        try (GifReader r = GifReader.open(in); GifWriter.Output w = GifWriter.builder().build().open(out, r.loopCount())) {
            while (r.hasNext()) {
                w.append(r.next());
            }
            w.commit();
        }
        List<GifFrame> back = GifFiles.readAll(out);
        assertEquals(List.of(0, 10, 30, 70, 655350), back.stream().map(GifFrame::delayMillis).toList());
        try (GifReader r = GifReader.open(out)) {
            assertEquals(5, r.loopCount());
        }
    }

    @Test
    void delaysAreRoundedToTheNearestHundredth() throws IOException {
        Path p = dir.resolve("round.gif");
        try (GifWriter.Output out = GifWriter.builder().build().open(p, 0)) {
            out.append(blocks(8, 8, 0), 14);
            out.append(blocks(8, 8, 1), 15);
            out.append(blocks(8, 8, 2), 33);
            out.commit();
        }
        assertEquals(List.of(10, 20, 30), GifFiles.readAll(p).stream().map(GifFrame::delayMillis).toList());
    }

    // ---- colour quality and stability ----

    @Test
    void manyColourFramesAreQuantisedBetterThanTheJdkEncoderDoesOnItsOwn() throws IOException {
        INDArray img = painting(96, 128, 3);
        Path p = dir.resolve("painting.gif");
        GifWriter.builder().build().write(List.of(new GifFrame(img, 100)), 0, p);
        double ours = psnr(img, GifFiles.readAll(p).get(0).image());
        ByteArrayOutputStream jdk = new ByteArrayOutputStream();
        ImageIO.write(Images.toBufferedImage(img), "gif", jdk);
        Path jdkFile = dir.resolve("jdk.gif");
        Files.write(jdkFile, jdk.toByteArray());
        double theirs = psnr(img, Images.read(jdkFile));
        System.out.printf("GIF quantisation of a 128 x 96 painting-like frame: %.2f dB, JDK encoder alone %.2f dB%n", ours, theirs);
        assertTrue(ours > 30, "PSNR " + ours);
        assertTrue(ours > theirs + 2, "ours " + ours + " dB, JDK octree " + theirs + " dB");
    }

    @Test
    void ditheringIsOptionalAndStillFaithful() throws IOException {
        INDArray img = painting(64, 64, 4);
        Path p = dir.resolve("dithered.gif");
        GifWriter dithered = GifWriter.builder().dither(true).build();
        assertTrue(dithered.dither());
        assertFalse(GifWriter.builder().build().dither());
        dithered.write(List.of(new GifFrame(img, 100)), 0, p);
        assertTrue(psnr(img, GifFiles.readAll(p).get(0).image()) > 30);
    }

    @Test
    void nearlyIdenticalFramesKeepTheirColours() throws IOException {
        // a static scene with one level of noise per frame: the quantised frames must not change more
        // than the input does (a fresh palette per frame would shift colours everywhere)
        INDArray base = painting(64, 64, 5);
        Random r = new Random(6);
        List<GifFrame> frames = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            float[] noise = new float[(int) base.length()];
            for (int k = 0; k < noise.length; k++) {
                noise[k] = (float) (r.nextGaussian() / 255);
            }
            frames.add(new GifFrame(base.add(Nd4j.create(noise, base.shape(), DataType.FLOAT)), 40));
        }
        Path p = dir.resolve("static.gif");
        GifWriter.builder().build().write(frames, 0, p);
        List<GifFrame> back = GifFiles.readAll(p);
        double inputChange = 0;
        double outputChange = 0;
        for (int i = 1; i < 4; i++) {
            inputChange += TestImages.meanAbsDiff(frames.get(i).image(), frames.get(i - 1).image());
            outputChange += TestImages.meanAbsDiff(back.get(i).image(), back.get(i - 1).image());
        }
        assertTrue(outputChange < 2 * inputChange, "quantised change " + outputChange + ", input change " + inputChange);
    }

    @Test
    void identicalFramesGiveIdenticalFrames() throws IOException {
        INDArray img = painting(32, 48, 7);
        Path p = dir.resolve("same.gif");
        GifWriter.builder().build().write(List.of(new GifFrame(img, 50), new GifFrame(img.dup(), 50)), 0, p);
        List<GifFrame> back = GifFiles.readAll(p);
        assertEquals(0.0, TestImages.maxAbsDiff(back.get(0).image(), back.get(1).image()));
    }

    // ---- validation and atomicity ----

    @Test
    void badArgumentsFailWithExpectedAndGot() throws IOException {
        GifWriter w = GifWriter.builder().build();
        Path gif = dir.resolve("x.gif");
        assertEquals("file: expected a name ending in .gif, got " + dir.resolve("x.png"),
                assertThrows(IllegalArgumentException.class, () -> w.open(dir.resolve("x.png"), 0)).getMessage());
        assertEquals("loopCount: expected -1 (play once), 0 (forever) or a count up to 65535, got 65536",
                assertThrows(IllegalArgumentException.class, () -> w.open(gif, 65536)).getMessage());
        assertEquals("loopCount: expected -1 (play once), 0 (forever) or a count up to 65535, got -2",
                assertThrows(IllegalArgumentException.class, () -> w.open(gif, -2)).getMessage());
        assertEquals("delayMillis: expected a value in [0, 655350], got -1",
                assertThrows(IllegalArgumentException.class, () -> new GifFrame(blocks(4, 4, 0), -1)).getMessage());
        assertEquals("image: expected NCHW with 3 channels, got [1, 4, 4, 4]",
                assertThrows(IllegalArgumentException.class,
                        () -> new GifFrame(Nd4j.zeros(DataType.FLOAT, 1, 4, 4, 4), 10)).getMessage());
        assertEquals("frames: expected at least one frame, got none",
                assertThrows(IllegalArgumentException.class, () -> w.write(List.of(), 0, gif)).getMessage());
        try (GifWriter.Output out = w.open(gif, 0)) {
            out.append(blocks(8, 8, 0), 10);
            assertEquals("frame 1: expected the size of the first frame [1, 3, 8, 8], got [1, 3, 8, 9]",
                    assertThrows(IllegalArgumentException.class, () -> out.append(blocks(8, 9, 0), 10)).getMessage());
            INDArray nan = blocks(8, 8, 0);
            nan.putScalar(new long[] {0, 1, 2, 3}, Float.NaN);
            assertEquals("image: expected numbers, got NaN at [0, 1, 2, 3]",
                    assertThrows(IllegalArgumentException.class, () -> out.append(nan, 10)).getMessage());
            assertEquals(1, out.frameCount());
        }
        assertEquals(List.of(), listDir(), "nothing left behind by an uncommitted output");
    }

    @Test
    void anUncommittedOutputLeavesTheExistingTargetUntouched() throws IOException {
        Path p = dir.resolve("keep.gif");
        Files.write(p, new byte[] {1, 2, 3});
        try (GifWriter.Output out = GifWriter.builder().build().open(p, 0)) {
            out.append(blocks(8, 8, 0), 10);
            assertTrue(listDir().size() == 2, "a hidden temporary file while writing: " + listDir());
        }
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(p));
        assertEquals(List.of("keep.gif"), listDir());
    }

    @Test
    void commitReplacesTheTargetAndTheOutputIsThenClosed() throws IOException {
        Path p = dir.resolve("replace.gif");
        Files.write(p, new byte[] {1, 2, 3});
        GifWriter.Output out = GifWriter.builder().build().open(p, 0);
        assertEquals(p + ": no frame appended; a GIF needs at least one",
                assertThrows(IllegalStateException.class, out::commit).getMessage());
        out.append(blocks(8, 8, 0), 10);
        out.commit();
        out.close();
        assertEquals(List.of("replace.gif"), listDir());
        assertEquals(1, GifFiles.readAll(p).size());
        assertEquals(p + ": output already committed, closed or failed",
                assertThrows(IllegalStateException.class, () -> out.append(blocks(8, 8, 0), 10)).getMessage());
    }

    @Test
    void aMissingDirectoryFailsNamingTheFile() {
        Path p = dir.resolve("no/such/dir/out.gif");
        IOException e = assertThrows(IOException.class, () -> GifWriter.builder().build().open(p, 0));
        assertTrue(e.getMessage().startsWith(p + ": cannot write: "), e.getMessage());
    }
}
