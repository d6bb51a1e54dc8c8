package org.perceptual4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ImageWriterTest {
    @TempDir
    Path dir;

    private static INDArray random(int h, int w, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, 1, 3, h, w);
    }

    /** A smooth image, which JPEG keeps well. */
    private static INDArray gradient(int h, int w) {
        float[] d = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    d[(c * h + y) * w + x] = (c == 0 ? x : c == 1 ? y : x + y) / (float) (c == 2 ? h + w : c == 0 ? w : h);
                }
            }
        }
        return Nd4j.create(d, new long[] {1, 3, h, w}, DataType.FLOAT);
    }

    private List<String> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void pngRoundTripIsWithinHalfAnEightBitStep() throws IOException {
        INDArray img = random(13, 17, 1);
        Path p = dir.resolve("out.png");
        Images.write(img, p);
        INDArray back = Images.read(p);
        assertArrayEquals(img.shape(), back.shape());
        assertTrue(TestImages.maxAbsDiff(img, back) <= 0.5 / 255 + 1e-6, "max diff " + TestImages.maxAbsDiff(img, back));
        assertEquals(List.of("out.png"), listDir());
    }

    @Test
    void valuesAreClampedAndRounded() throws IOException {
        INDArray img = Nd4j.create(new float[] {-0.5f, 1.5f, 0.5f, 100f / 255 + 0.4f / 255, 0f, 1f},
                new long[] {1, 3, 1, 2}, DataType.FLOAT);
        Path p = dir.resolve("clamp.png");
        Images.write(img, p);
        INDArray back = Images.read(p);
        assertArrayEquals(new float[] {0f, 1f, 128f / 255, 100f / 255, 0f, 1f}, back.data().asFloat(), 1e-6f);
    }

    @Test
    void doubleArraysAreAccepted() throws IOException {
        INDArray img = random(4, 5, 2).castTo(DataType.DOUBLE);
        Path p = dir.resolve("d.png");
        Images.write(img, p);
        assertTrue(TestImages.maxAbsDiff(img, Images.read(p)) <= 0.5 / 255 + 1e-6);
    }

    @ParameterizedTest
    @ValueSource(strings = {"out.jpg", "out.jpeg", "OUT.JPG"})
    void jpegRoundTripIsClose(String name) throws IOException {
        INDArray img = gradient(32, 48);
        Path p = dir.resolve(name);
        Images.write(img, p);
        byte[] head = Files.readAllBytes(p);
        assertEquals(0xff, head[0] & 0xff);
        assertEquals(0xd8, head[1] & 0xff);
        INDArray back = Images.read(p);
        assertArrayEquals(img.shape(), back.shape());
        assertTrue(TestImages.maxAbsDiff(img, back) < 0.05, "max diff " + TestImages.maxAbsDiff(img, back));
    }

    @Test
    void jpegQualityIsUsed() throws IOException {
        INDArray img = random(64, 64, 3);
        Path low = dir.resolve("low.jpg");
        Path high = dir.resolve("high.jpg");
        Images.writeJpeg(img, low, 0.3f);
        Images.writeJpeg(img, high, 0.95f);
        Path dflt = dir.resolve("default.jpg");
        Images.write(img, dflt);
        assertTrue(Files.size(low) < Files.size(high), Files.size(low) + " vs " + Files.size(high));
        assertEquals(Files.size(high), Files.size(dflt), "default quality is 0.95");
        assertEquals(0.95f, ImageWriter.builder().build().jpegQuality());
    }

    @Test
    void unsupportedExtension() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Images.write(random(2, 2, 4), dir.resolve("x.bmp")));
        assertEquals("file: expected a name ending in .png, .jpg or .jpeg, got " + dir.resolve("x.bmp"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Images.writeJpeg(random(2, 2, 4), dir.resolve("x.png"), 0.9f));
        assertEquals("file: expected a name ending in .jpg or .jpeg, got " + dir.resolve("x.png"), e.getMessage());
    }

    @Test
    void invalidImages() {
        Path p = dir.resolve("x.png");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Images.write(Nd4j.zeros(DataType.FLOAT, 1, 4, 300, 200), p));
        assertEquals("image: expected NCHW with 3 channels, got [1, 4, 300, 200]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Images.write(Nd4j.zeros(DataType.FLOAT, 2, 3, 4, 4), p));
        assertEquals("image: expected a single image (N = 1), got [2, 3, 4, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Images.write(Nd4j.zeros(DataType.FLOAT, 3, 4, 4), p));
        assertEquals("image: expected NCHW with 3 channels, got [3, 4, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Images.write(Nd4j.zeros(DataType.INT, 1, 3, 4, 4), p));
        assertEquals("image: expected a floating-point array, got INT", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Images.write(null, p));
        assertEquals("image: expected NCHW with 3 channels, got null", e.getMessage());
        INDArray nan = Nd4j.zeros(DataType.FLOAT, 1, 3, 4, 5);
        nan.putScalar(new long[] {0, 2, 3, 1}, Float.NaN);
        e = assertThrows(IllegalArgumentException.class, () -> Images.write(nan, p));
        assertEquals("image: expected numbers, got NaN at [0, 2, 3, 1]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ImageWriter.builder().jpegQuality(1.5f));
        assertEquals("jpegQuality: expected a value in [0, 1], got 1.5", e.getMessage());
        assertFalse(Files.exists(p));
    }

    @Test
    void parentIsAFileFailsWithoutLeavingFiles() throws IOException {
        Path notADir = dir.resolve("plain.txt");
        Files.writeString(notADir, "x");
        Path target = notADir.resolve("out.png");
        IOException e = assertThrows(IOException.class, () -> Images.write(random(4, 4, 5), target));
        assertTrue(e.getMessage().startsWith(target + ": cannot write: "), e.getMessage());
        assertEquals(List.of("plain.txt"), listDir());
        assertEquals("x", Files.readString(notADir));
    }

    @Test
    void missingParentFails() {
        Path target = dir.resolve("no/such/dir/out.png");
        IOException e = assertThrows(IOException.class, () -> Images.write(random(4, 4, 5), target));
        assertTrue(e.getMessage().startsWith(target + ": cannot write: "), e.getMessage());
    }

    @Test
    void failedMoveDeletesTheTemporaryFile() throws IOException {
        // the image is encoded into the temporary file, then the move over a non-empty directory fails
        Path target = dir.resolve("taken.png");
        Files.createDirectory(target);
        Files.writeString(target.resolve("keep.txt"), "keep");
        IOException e = assertThrows(IOException.class, () -> Images.write(random(8, 8, 6), target));
        assertTrue(e.getMessage().startsWith(target + ": cannot write: "), e.getMessage());
        assertEquals(List.of("taken.png"), listDir());
        assertEquals("keep", Files.readString(target.resolve("keep.txt")));
    }

    @Test
    void existingFileIsReplacedWhole() throws IOException {
        Path p = dir.resolve("same.png");
        Images.write(random(64, 64, 7), p);
        long bigSize = Files.size(p);
        INDArray small = random(3, 2, 8);
        Images.write(small, p);
        assertTrue(Files.size(p) < bigSize);
        INDArray back = Images.read(p);
        assertArrayEquals(new long[] {1, 3, 3, 2}, back.shape());
        assertTrue(TestImages.maxAbsDiff(small, back) <= 0.5 / 255 + 1e-6);
        assertEquals(List.of("same.png"), listDir());
    }

    @Test
    void writtenFileHasTheDefaultPermissionsOfNewFiles() throws IOException {
        if (Files.getFileAttributeView(dir, PosixFileAttributeView.class) == null) {
            return; // not a POSIX file system
        }
        Path reference = Files.createFile(dir.resolve("reference"));
        Path p = dir.resolve("perm.png");
        Images.write(random(2, 2, 9), p);
        assertEquals(Files.getPosixFilePermissions(reference), Files.getPosixFilePermissions(p));
    }

    @Test
    void bufferedImageConversions() {
        INDArray img = random(3, 4, 10);
        BufferedImage b = Images.toBufferedImage(img);
        assertEquals(BufferedImage.TYPE_INT_RGB, b.getType());
        assertEquals(4, b.getWidth());
        assertEquals(3, b.getHeight());
        int p = b.getRGB(3, 2);
        assertEquals(Math.round(img.getFloat(0L, 0, 2, 3) * 255), (p >> 16) & 255);
        assertEquals(Math.round(img.getFloat(0L, 1, 2, 3) * 255), (p >> 8) & 255);
        assertEquals(Math.round(img.getFloat(0L, 2, 2, 3) * 255), p & 255);
        INDArray back = Images.fromBufferedImage(b);
        assertEquals(DataType.FLOAT, back.dataType());
        assertTrue(TestImages.maxAbsDiff(img, back) <= 0.5 / 255 + 1e-6);

        BufferedImage argb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x00000000);
        assertEquals(1f, Images.fromBufferedImage(argb).getFloat(0L, 0, 0, 0), "alpha over white");
        assertEquals(0f, ImageReader.builder().background(0, 0, 0).build().fromBufferedImage(argb).getFloat(0L, 0, 0, 0));
    }

    @Test
    void viewsAreWrittenCorrectly() throws IOException {
        INDArray big = random(10, 10, 11);
        INDArray view = big.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 6), org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 8));
        Path p = dir.resolve("view.png");
        Images.write(view, p);
        assertTrue(TestImages.maxAbsDiff(view.dup(), Images.read(p)) <= 0.5 / 255 + 1e-6);
    }
}
