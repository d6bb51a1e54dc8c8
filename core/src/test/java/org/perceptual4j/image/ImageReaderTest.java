package org.perceptual4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

class ImageReaderTest {
    private static final double EPS = 1e-6;

    @TempDir
    Path dir;

    private Path file(String name, byte[] bytes) throws IOException {
        return TestImages.file(dir, name, bytes);
    }

    private static float px(INDArray img, int c, int y, int x) {
        return img.getFloat(0L, c, y, x);
    }

    private static void assertRgb(INDArray img, int y, int x, double r, double g, double b, double tol) {
        assertEquals(r, px(img, 0, y, x), tol, "red at " + y + "," + x);
        assertEquals(g, px(img, 1, y, x), tol, "green at " + y + "," + x);
        assertEquals(b, px(img, 2, y, x), tol, "blue at " + y + "," + x);
    }

    // ---- formats and pixel values ----

    @Test
    void pngRgbIsExactAndFloatNchw() throws IOException {
        BufferedImage img = TestImages.noise(7, 5, BufferedImage.TYPE_INT_RGB, 1);
        INDArray a = Images.read(file("a.png", TestImages.encode(img, "png")));
        assertEquals(DataType.FLOAT, a.dataType());
        assertArrayEquals(new long[] {1, 3, 5, 7}, a.shape());
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 7; x++) {
                int p = img.getRGB(x, y);
                assertRgb(a, y, x, ((p >> 16) & 255) / 255.0, ((p >> 8) & 255) / 255.0, (p & 255) / 255.0, EPS);
            }
        }
    }

    @Test
    void grayIsReplicatedWithStoredValuesNotGammaConverted() throws IOException {
        BufferedImage g = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        int[] values = {0, 1, 77, 128, 200, 255};
        for (int i = 0; i < 6; i++) {
            g.getRaster().setSample(i % 3, i / 3, 0, values[i]);
        }
        INDArray a = Images.read(file("g.png", TestImages.encode(g, "png")));
        assertArrayEquals(new long[] {1, 3, 2, 3}, a.shape());
        for (int i = 0; i < 6; i++) {
            double v = values[i] / 255.0;
            assertRgb(a, i / 3, i % 3, v, v, v, EPS);
        }
    }

    @Test
    void sixteenBitPngKeepsFullPrecision() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB),
                new int[] {16, 16, 16}, false, false, Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster r = cm.createCompatibleWritableRaster(2, 1);
        r.setPixel(0, 0, new int[] {30000, 1000, 65535});
        r.setPixel(1, 0, new int[] {30001, 1001, 0});
        INDArray a = Images.read(file("deep.png", TestImages.encode(new BufferedImage(cm, r, false, null), "png")));
        assertRgb(a, 0, 0, 30000 / 65535.0, 1000 / 65535.0, 1.0, EPS);
        assertRgb(a, 0, 1, 30001 / 65535.0, 1001 / 65535.0, 0.0, EPS);
        // one 16-bit step is far below 1/255, and it survives
        assertTrue(px(a, 0, 0, 1) > px(a, 0, 0, 0));
        assertEquals(1 / 65535.0, px(a, 0, 0, 1) - px(a, 0, 0, 0), 1e-7);
    }

    @Test
    void sixteenBitGrayPngKeepsFullPrecision() throws IOException {
        BufferedImage g = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        g.getRaster().setSample(0, 0, 0, 12345);
        g.getRaster().setSample(1, 0, 0, 12346);
        INDArray a = Images.read(file("g16.png", TestImages.encode(g, "png")));
        assertRgb(a, 0, 0, 12345 / 65535.0, 12345 / 65535.0, 12345 / 65535.0, EPS);
        assertRgb(a, 0, 1, 12346 / 65535.0, 12346 / 65535.0, 12346 / 65535.0, EPS);
    }

    @Test
    void sixteenBitRgbaIsCompositedAtFullPrecision() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB),
                new int[] {16, 16, 16, 16}, true, false, Transparency.TRANSLUCENT, DataBuffer.TYPE_USHORT);
        WritableRaster r = cm.createCompatibleWritableRaster(1, 1);
        r.setPixel(0, 0, new int[] {65535, 0, 40000, 20000});
        Path p = file("rgba16.png", TestImages.encode(new BufferedImage(cm, r, false, null), "png"));
        INDArray a = ImageReader.builder().background(0, 0.5f, 1).build().read(p);
        double alpha = 20000 / 65535.0;
        assertRgb(a, 0, 0, alpha, 0.5 * (1 - alpha), 40000 / 65535.0 * alpha + (1 - alpha), 1e-6);
    }

    @Test
    void alphaIsCompositedOverWhiteByDefaultAndOverAChosenBackground() throws IOException {
        BufferedImage img = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, 0x80ff0000); // red, alpha 128
        img.setRGB(1, 0, 0x00123456); // fully transparent
        img.setRGB(2, 0, 0xff00ff00); // opaque green
        Path p = file("alpha.png", TestImages.encode(img, "png"));
        double a = 128 / 255.0;

        INDArray white = Images.read(p);
        assertRgb(white, 0, 0, 1.0, 1 - a, 1 - a, EPS);
        assertRgb(white, 0, 1, 1, 1, 1, EPS);
        assertRgb(white, 0, 2, 0, 1, 0, EPS);

        INDArray other = ImageReader.builder().background(0f, 0.25f, 1f).build().read(p);
        assertRgb(other, 0, 0, a, 0.25 * (1 - a), 1 - a, EPS);
        assertRgb(other, 0, 1, 0, 0.25, 1, EPS);
        assertRgb(other, 0, 2, 0, 1, 0, EPS);
    }

    @Test
    void palettePngWithTransparentEntryUsesTheColourMap() throws IOException {
        byte[] r = {(byte) 255, 0, 10, 0};
        byte[] g = {0, (byte) 255, 20, 0};
        byte[] b = {0, 0, 30, 0};
        byte[] alpha = {(byte) 255, (byte) 255, (byte) 255, 0};
        IndexColorModel icm = new IndexColorModel(2, 4, r, g, b, alpha);
        BufferedImage img = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_BINARY, icm);
        for (int i = 0; i < 4; i++) {
            img.getRaster().setSample(i, 0, 0, i);
        }
        byte[] png = TestImages.encode(img, "png");
        INDArray a = ImageReader.builder().background(0.5f, 0.5f, 0.5f).build().read(file("pal.png", png));
        assertRgb(a, 0, 0, 1, 0, 0, EPS);
        assertRgb(a, 0, 1, 0, 1, 0, EPS);
        assertRgb(a, 0, 2, 10 / 255.0, 20 / 255.0, 30 / 255.0, EPS);
        assertRgb(a, 0, 3, 0.5, 0.5, 0.5, EPS);
    }

    @Test
    void gifReadsTheFirstFrameOnly() throws IOException {
        // (not smaller: the JDK's GIF codec loses the last row of a JDK-written 6 x 4 GIF)
        BufferedImage red = TestImages.solid(16, 8, BufferedImage.TYPE_BYTE_INDEXED, 0xff0000);
        BufferedImage blue = TestImages.solid(16, 8, BufferedImage.TYPE_BYTE_INDEXED, 0x0000ff);
        byte[] gif = TestImages.gif(List.of(red, blue));
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(gif))) {
            javax.imageio.ImageReader r = ImageIO.getImageReaders(in).next();
            r.setInput(in);
            assertEquals(2, r.getNumImages(true), "the test GIF is animated");
            r.dispose();
        }
        INDArray a = Images.read(file("anim.gif", gif));
        assertArrayEquals(new long[] {1, 3, 8, 16}, a.shape());
        assertEquals(1.0, a.get(NDArrayIndex.all(), NDArrayIndex.point(0)).minNumber().doubleValue(), EPS);
        assertEquals(0.0, a.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3)).maxNumber().doubleValue(), EPS);
    }

    @Test
    void gifTransparencyIsComposited() throws IOException {
        byte[] c = {0, (byte) 255};
        IndexColorModel icm = new IndexColorModel(1, 2, c, c, c, 0); // index 0 transparent
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_BINARY, icm);
        img.getRaster().setSample(1, 0, 0, 1);
        INDArray a = ImageReader.builder().background(0, 0, 1).build()
                .read(file("t.gif", TestImages.encode(img, "gif")));
        assertRgb(a, 0, 0, 0, 0, 1, EPS);
        assertRgb(a, 0, 1, 1, 1, 1, EPS);
    }

    @Test
    void bmpIsExact() throws IOException {
        BufferedImage img = TestImages.noise(5, 3, BufferedImage.TYPE_3BYTE_BGR, 2);
        INDArray a = Images.read(file("a.bmp", TestImages.encode(img, "bmp")));
        assertArrayEquals(new long[] {1, 3, 3, 5}, a.shape());
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                int p = img.getRGB(x, y);
                assertRgb(a, y, x, ((p >> 16) & 255) / 255.0, ((p >> 8) & 255) / 255.0, (p & 255) / 255.0, EPS);
            }
        }
    }

    @Test
    void jpegIsCloseToTheOriginal() throws IOException {
        BufferedImage img = TestImages.solid(16, 16, BufferedImage.TYPE_INT_RGB, 0x3366cc);
        INDArray a = Images.read(file("a.jpg", TestImages.jpeg(img, 1f)));
        assertRgb(a, 8, 8, 0x33 / 255.0, 0x66 / 255.0, 0xcc / 255.0, 0.02);
    }

    @Test
    void grayJpegIsReplicated() throws IOException {
        BufferedImage img = TestImages.solid(16, 16, BufferedImage.TYPE_BYTE_GRAY, 0x646464);
        int stored = img.getRaster().getSample(0, 0, 0);
        INDArray a = Images.read(file("g.jpg", TestImages.jpeg(img, 1f)));
        double v = stored / 255.0;
        assertRgb(a, 8, 8, v, v, v, 0.01);
    }

    @Test
    void cmykJpegIsConvertedToRgb() throws IOException {
        WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 16, 16, 4, null);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                r.setPixel(x, y, new int[] {200, 10, 100, 30});
            }
        }
        INDArray a = Images.read(file("cmyk.jpg", TestImages.jpeg(r, 1f)));
        assertArrayEquals(new long[] {1, 3, 16, 16}, a.shape());
        assertTrue(a.minNumber().doubleValue() >= 0 && a.maxNumber().doubleValue() <= 1);
        // uniform input stays uniform (no channel mix-up across pixels)
        assertEquals(px(a, 0, 0, 0), px(a, 0, 15, 15), 0.02);
    }

    @Test
    void streamVariantMatchesTheFileVariantAndDoesNotCloseTheStream() throws IOException {
        byte[] png = TestImages.encode(TestImages.noise(4, 4, BufferedImage.TYPE_INT_RGB, 3), "png");
        boolean[] closed = {false};
        ByteArrayInputStream in = new ByteArrayInputStream(png) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        INDArray fromStream = ImageReader.builder().build().read(in, "resource:x.png");
        assertEquals(Images.read(file("x.png", png)), fromStream);
        assertFalse(closed[0]);
    }

    // ---- EXIF orientation ----

    /** 48 x 32 JPEG of 16-pixel blocks: top-left red, top-right blue, the rest grey. */
    private static byte[] orientationTestJpeg() {
        BufferedImage img = TestImages.solid(48, 32, BufferedImage.TYPE_INT_RGB, 0x808080);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.setRGB(x, y, 0xff0000);
                img.setRGB(32 + x, y, 0x0000ff);
            }
        }
        return TestImages.jpeg(img, 1f);
    }

    private enum Corner { TL, TR, BL, BR }

    private static void assertCornerColour(INDArray a, Corner corner, double r, double g, double b) {
        int h = (int) a.size(2);
        int w = (int) a.size(3);
        int y = corner == Corner.TL || corner == Corner.TR ? 8 : h - 9;
        int x = corner == Corner.TL || corner == Corner.BL ? 8 : w - 9;
        assertRgb(a, y, x, r, g, b, 0.1);
    }

    @ParameterizedTest(name = "orientation {0}: red top-left goes {1}, blue top-right goes {2}")
    @CsvSource({
        "1, TL, TR", "2, TR, TL", "3, BR, BL", "4, BL, BR",
        "5, TL, BL", "6, TR, BR", "7, BR, TR", "8, BL, TL"})
    void exifOrientationIsApplied(int orientation, Corner red, Corner blue) throws IOException {
        Path p = file("o" + orientation + ".jpg", TestImages.withExifOrientation(orientationTestJpeg(), orientation));
        INDArray a = Images.read(p);
        long[] expected = orientation >= 5 ? new long[] {1, 3, 48, 32} : new long[] {1, 3, 32, 48};
        assertArrayEquals(expected, a.shape());
        assertCornerColour(a, red, 1, 0, 0);
        assertCornerColour(a, blue, 0, 0, 1);
        for (Corner c : Corner.values()) {
            if (c != red && c != blue) {
                assertCornerColour(a, c, 0.5, 0.5, 0.5);
            }
        }
    }

    @Test
    void exifOrientationCanBeIgnored() throws IOException {
        Path p = file("o6.jpg", TestImages.withExifOrientation(orientationTestJpeg(), 6));
        INDArray a = ImageReader.builder().applyExifOrientation(false).build().read(p);
        assertArrayEquals(new long[] {1, 3, 32, 48}, a.shape());
        assertCornerColour(a, Corner.TL, 1, 0, 0);
        assertCornerColour(a, Corner.TR, 0, 0, 1);
    }

    @Test
    void pngExifChunkOrientationIsApplied() throws IOException {
        BufferedImage img = TestImages.solid(3, 2, BufferedImage.TYPE_INT_RGB, 0x000000);
        img.setRGB(0, 0, 0xff0000);
        byte[] png = TestImages.withPngExifOrientation(TestImages.encode(img, "png"), 6);
        INDArray a = Images.read(file("o6.png", png));
        assertArrayEquals(new long[] {1, 3, 3, 2}, a.shape());
        assertRgb(a, 0, 1, 1, 0, 0, EPS); // top-left moved to top-right
        assertRgb(a, 0, 0, 0, 0, 0, EPS);
    }

    // ---- pixel limit ----

    @Test
    void pixelLimitIsCheckedFromThePngHeaderBeforeDecoding() throws IOException {
        // the file has no decodable pixel data: decoding would fail with a corrupt-data error
        Path p = file("huge.png", TestImages.pngHeaderOnly(100_000, 100_000));
        ImageTooLargeException e = assertThrows(ImageTooLargeException.class, () -> Images.read(p));
        assertTrue(e.getMessage().startsWith(p.toString() + ": 100000 x 100000 = 10000000000 pixels exceeds the limit of 100000000"),
                e.getMessage());
        assertEquals(100_000, e.width());
        assertEquals(100_000, e.height());
        assertEquals(ImageReader.DEFAULT_MAX_PIXELS, e.limit());
    }

    @Test
    void pixelLimitIsCheckedFromTheJpegHeaderBeforeDecoding() throws IOException {
        Path p = file("huge.jpg", TestImages.jpegHeaderOnly(60_000, 50_000));
        ImageTooLargeException e = assertThrows(ImageTooLargeException.class, () -> Images.read(p));
        assertTrue(e.getMessage().contains("huge.jpg: 60000 x 50000 = 3000000000 pixels exceeds the limit"), e.getMessage());
    }

    @Test
    void pixelLimitIsConfigurable() throws IOException {
        Path p = file("small.png", TestImages.encode(TestImages.noise(8, 8, BufferedImage.TYPE_INT_RGB, 4), "png"));
        ImageTooLargeException e = assertThrows(ImageTooLargeException.class,
                () -> ImageReader.builder().maxPixels(63).build().read(p));
        assertTrue(e.getMessage().endsWith("8 x 8 = 64 pixels exceeds the limit of 63 (see ImageReader.Builder.maxPixels)"),
                e.getMessage());
        assertArrayEquals(new long[] {1, 3, 8, 8}, ImageReader.builder().maxPixels(64).build().read(p).shape());
    }

    // ---- errors ----

    @Test
    void missingFile() {
        Path p = dir.resolve("missing.png");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Images.read(p));
        assertEquals(p + ": no such file", e.getMessage());
    }

    @Test
    void emptyFile() throws IOException {
        Path p = file("empty.png", new byte[0]);
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> Images.read(p));
        assertEquals(p + ": empty file", e.getMessage());
        ImageFormatException s = assertThrows(ImageFormatException.class,
                () -> ImageReader.builder().build().read(new ByteArrayInputStream(new byte[0]), "res.png"));
        assertEquals("res.png: empty input", s.getMessage());
    }

    @Test
    void directory() {
        IOException e = assertThrows(IOException.class, () -> Images.read(dir));
        assertTrue(e.getMessage().startsWith(dir.toString()), e.getMessage());
    }

    @Test
    void unknownFormat() throws IOException {
        Path p = file("notes.png", "hello, not an image".getBytes(StandardCharsets.UTF_8));
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> Images.read(p));
        assertEquals(p + ": not a supported image (PNG, JPEG, BMP, GIF)", e.getMessage());
    }

    @Test
    void otherImageIoFormatsAreNotAccepted() throws IOException {
        Path p = file("a.tiff", TestImages.encode(TestImages.noise(4, 4, BufferedImage.TYPE_INT_RGB, 5), "tiff"));
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> Images.read(p));
        assertEquals(p + ": not a supported image (PNG, JPEG, BMP, GIF)", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "jpeg", "gif", "bmp"})
    void truncatedData(String format) throws IOException {
        int type = format.equals("gif") ? BufferedImage.TYPE_BYTE_INDEXED : BufferedImage.TYPE_INT_RGB;
        byte[] full = TestImages.encode(TestImages.noise(64, 64, type, 6), format);
        Path p = file("cut." + format, Arrays.copyOf(full, full.length * 6 / 10));
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> Images.read(p));
        assertTrue(e.getMessage().startsWith(p + ": corrupt or truncated image data: "), e.getMessage());
    }

    @Test
    void corruptPngData() throws IOException {
        byte[] png = TestImages.encode(TestImages.noise(32, 32, BufferedImage.TYPE_INT_RGB, 7), "png");
        for (int i = 60; i < png.length - 20; i++) {
            png[i] = (byte) (i * 31);
        }
        Path p = file("bad.png", png);
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> Images.read(p));
        assertTrue(e.getMessage().startsWith(p + ": corrupt or truncated image data: "), e.getMessage());
    }

    // ---- builder ----

    @Test
    void builderValidatesImmediately() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageReader.builder().maxPixels(0));
        assertEquals("maxPixels: expected a value in [1, 715827879], got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ImageReader.builder().maxPixels(ImageReader.MAX_MAX_PIXELS + 1));
        assertEquals("maxPixels: expected a value in [1, 715827879], got 715827880", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ImageReader.builder().background(1.5f, 0, 0));
        assertEquals("background red: expected a value in [0, 1], got 1.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ImageReader.builder().background(0, 0, Float.NaN));
        assertEquals("background blue: expected a value in [0, 1], got NaN", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Images.read(null));
        assertEquals("file: expected a value, got null", e.getMessage());
    }

    @Test
    void builtReaderIsImmutable() {
        ImageReader.Builder b = ImageReader.builder().maxPixels(10).background(0, 0, 0);
        ImageReader r = b.build();
        b.maxPixels(20).background(1, 1, 1).applyExifOrientation(false);
        assertEquals(10, r.maxPixels());
        assertArrayEquals(new float[] {0, 0, 0}, r.background());
        assertTrue(r.applyExifOrientation());
        r.background()[0] = 1f;
        assertArrayEquals(new float[] {0, 0, 0}, r.background());
    }
}
