package org.perceptual4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import javax.imageio.ImageIO;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.image.TestGifs.Frame;
import org.perceptual4j.testing.GifFiles;

class GifReaderTest {
    private static final int RED = 0xff0000;
    private static final int BLUE = 0x0000ff;
    private static final int GREEN = 0x00ff00;
    private static final int YELLOW = 0xffff00;
    private static final int MAGENTA = 0xff00ff;
    /** The reader's background in these tests: transparent pixels read as mid grey. */
    private static final int GREY = 0x808080;
    private static final ImageReader GREY_BACKGROUND = ImageReader.builder().background(128 / 255f, 128 / 255f, 128 / 255f).build();

    @TempDir
    Path dir;

    private Path file(String name, byte[] bytes) throws IOException {
        return TestImages.file(dir, name, bytes);
    }

    private static int rgbAt(INDArray img, int y, int x) {
        int rgb = 0;
        for (int c = 0; c < 3; c++) {
            rgb = (rgb << 8) | Math.round(img.getFloat(0L, c, y, x) * 255);
        }
        return rgb;
    }

    /** Expected screen: {@code base} everywhere, then each rectangle {x0, y0, x1, y1, rgb} (exclusive ends) painted. */
    private static int[][] screen(int w, int h, int base, int[]... rects) {
        int[][] s = new int[h][w];
        for (int[] row : s) {
            Arrays.fill(row, base);
        }
        for (int[] r : rects) {
            for (int y = r[1]; y < r[3]; y++) {
                for (int x = r[0]; x < r[2]; x++) {
                    s[y][x] = r[4];
                }
            }
        }
        return s;
    }

    private static void assertScreen(int[][] expected, INDArray img, String what) {
        assertArrayEquals(new long[] {1, 3, expected.length, expected[0].length}, img.shape(), what);
        for (int y = 0; y < expected.length; y++) {
            for (int x = 0; x < expected[0].length; x++) {
                assertEquals(Integer.toHexString(expected[y][x]), Integer.toHexString(rgbAt(img, y, x)),
                        what + " at x=" + x + ", y=" + y);
            }
        }
    }

    // ---- compositing ----

    @Test
    void disposalMethodsOffsetsTransparencyAndClippingAreCompositedAsBrowsersDo() throws IOException {
        IndexColorModel opaque = TestGifs.palette(-1, RED, BLUE, GREEN, YELLOW);
        IndexColorModel transparent = TestGifs.palette(0, 0, MAGENTA);
        BufferedImage halfMagenta = TestGifs.indexed(4, 2, transparent, 0);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 2; x++) {
                halfMagenta.getRaster().setSample(x, y, 0, 1);
            }
        }
        byte[] gif = TestGifs.gif(12, 10, GifWriter.LOOP_FOREVER, List.of(
                new Frame(TestGifs.indexed(12, 10, opaque, 0), 0, 0, "none"),
                new Frame(TestGifs.indexed(4, 4, opaque, 1), 2, 2, "restoreToBackgroundColor"),
                new Frame(TestGifs.indexed(3, 3, opaque, 2), 8, 6, "restoreToPrevious"),
                new Frame(halfMagenta, 0, 0, "doNotDispose"),
                new Frame(TestGifs.indexed(5, 5, opaque, 3), 10, 8, "none"))); // reaches past the screen
        List<GifFrame> frames = GifFiles.readAll(file("disposal.gif", gif), GREY_BACKGROUND);
        assertEquals(5, frames.size());
        int[] hole = {2, 2, 6, 6, GREY};
        assertScreen(screen(12, 10, RED), frames.get(0).image(), "frame 0");
        assertScreen(screen(12, 10, RED, new int[] {2, 2, 6, 6, BLUE}), frames.get(1).image(), "frame 1");
        // frame 1 restored to background: its rectangle is transparent, showing the reader's background
        assertScreen(screen(12, 10, RED, hole, new int[] {8, 6, 11, 9, GREEN}), frames.get(2).image(), "frame 2");
        // frame 2 restored to previous: green gone; transparent pixels of frame 3 keep what is below
        int[][] third = screen(12, 10, RED, hole, new int[] {0, 0, 2, 2, MAGENTA});
        assertScreen(third, frames.get(3).image(), "frame 3");
        assertScreen(screen(12, 10, RED, hole, new int[] {0, 0, 2, 2, MAGENTA}, new int[] {10, 8, 12, 10, YELLOW}),
                frames.get(4).image(), "frame 4 (clipped to the screen)");
    }

    @Test
    void theTestGifUsesBothGlobalAndLocalColourTables() throws IOException {
        IndexColorModel opaque = TestGifs.palette(-1, RED, BLUE);
        IndexColorModel other = TestGifs.palette(-1, GREEN, YELLOW);
        byte[] gif = TestGifs.gif(8, 8, GifWriter.LOOP_FOREVER, List.of(
                new Frame(TestGifs.indexed(8, 8, opaque, 0), 0, 0, "none"),
                new Frame(TestGifs.indexed(4, 4, opaque, 1), 0, 0, "none"),
                new Frame(TestGifs.indexed(4, 4, other, 1), 4, 4, "none")));
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(gif))) {
            javax.imageio.ImageReader r = ImageIO.getImageReadersByFormatName("gif").next();
            r.setInput(in);
            String f = "javax_imageio_gif_image_1.0";
            assertNull(GifReader.child((IIOMetadataNode) r.getImageMetadata(1).getAsTree(f), "LocalColorTable"), "frame 1: global table");
            assertNotNull(GifReader.child((IIOMetadataNode) r.getImageMetadata(2).getAsTree(f), "LocalColorTable"), "frame 2: local table");
            r.dispose();
        }
        List<GifFrame> frames = GifFiles.readAll(file("palettes.gif", gif), GREY_BACKGROUND);
        assertScreen(screen(8, 8, RED, new int[] {0, 0, 4, 4, BLUE}, new int[] {4, 4, 8, 8, YELLOW}),
                frames.get(2).image(), "frame 2");
    }

    @Test
    void interlacedFramesOfEveryHeightKeepTheirRows() throws IOException {
        // one colour per row; heights 1 to 4 are the ones the JDK's reader gets wrong on its own
        int[] colours = new int[40];
        for (int i = 0; i < colours.length; i++) {
            colours[i] = (i * 6) << 16 | (255 - i * 6) << 8 | (i * 3);
        }
        IndexColorModel palette = TestGifs.palette(-1, colours);
        List<Frame> frames = new ArrayList<>();
        int[] heights = {17, 1, 2, 3, 4, 5, 9};
        for (int h : heights) {
            BufferedImage img = TestGifs.indexed(6, h, palette, 0);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < 6; x++) {
                    img.getRaster().setSample(x, y, 0, h == 17 ? 20 + y : y);
                }
            }
            frames.add(new Frame(img, 0, 0, "none", 5, true));
        }
        List<GifFrame> read = GifFiles.readAll(file("interlaced.gif", TestGifs.gif(6, 17, 0, frames)), GREY_BACKGROUND);
        for (int i = 0; i < heights.length; i++) {
            INDArray img = read.get(i).image();
            for (int y = 0; y < 17; y++) {
                int expected = y < heights[i] ? colours[i == 0 ? 20 + y : y] : colours[20 + y];
                for (int x = 0; x < 6; x++) {
                    assertEquals(Integer.toHexString(expected), Integer.toHexString(rgbAt(img, y, x)),
                            "frame " + i + " (height " + heights[i] + ") at y=" + y);
                }
            }
        }
    }

    @Test
    void interlacedRowOrderFollowsTheFourPasses() {
        assertArrayEquals(new int[] {0, 8, 4, 2, 6, 1, 3, 5, 7, 9}, GifReader.interlacedRows(10));
        assertArrayEquals(new int[] {0, 2, 1, 3}, GifReader.interlacedRows(4));
        assertArrayEquals(new int[] {0}, GifReader.interlacedRows(1));
    }

    // ---- delays, loop count, sizes ----

    @Test
    void delaysAreTheStoredHundredthsTimesTenIncludingZeroAndOne() throws IOException {
        IndexColorModel p = TestGifs.palette(-1, RED, BLUE);
        int[] stored = {0, 1, 2, 10, 100, 65535};
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < stored.length; i++) {
            frames.add(new Frame(TestGifs.indexed(8, 8, p, i % 2), 0, 0, "none", stored[i], false));
        }
        List<GifFrame> read = GifFiles.readAll(file("delays.gif", TestGifs.gif(8, 8, 0, frames)), GREY_BACKGROUND);
        assertEquals(List.of(0, 10, 20, 100, 1000, 655350), read.stream().map(GifFrame::delayMillis).toList());
    }

    @ParameterizedTest
    @ValueSource(ints = {GifWriter.PLAY_ONCE, GifWriter.LOOP_FOREVER, 1, 3, 65535})
    void loopCountIsTheNetscapeExtensionOrPlayOnce(int loop) throws IOException {
        byte[] gif = TestGifs.gif(8, 8, loop, List.of(new Frame(TestGifs.indexed(8, 8, TestGifs.palette(-1, RED), 0), 0, 0, "none")));
        try (GifReader r = GifReader.open(file("loop.gif", gif))) {
            assertEquals(loop, r.loopCount());
            assertEquals(1, r.frameCount());
            assertEquals(8, r.width());
            assertEquals(8, r.height());
        }
    }

    @Test
    void aGifWithoutAnimationExtensionsIsOneFrameWithDelayZero() throws IOException {
        BufferedImage img = TestImages.solid(16, 8, BufferedImage.TYPE_BYTE_INDEXED, 0x0000ff);
        List<GifFrame> frames = GifFiles.readAll(file("plain.gif", TestImages.encode(img, "gif")), ImageReader.builder().build());
        assertEquals(1, frames.size());
        assertEquals(0, frames.get(0).delayMillis());
        assertEquals(BLUE, rgbAt(frames.get(0).image(), 7, 15));
    }

    @Test
    void aGifIsRecognisedByItsContentWhateverItsName() throws IOException {
        BufferedImage img = TestImages.solid(4, 4, BufferedImage.TYPE_BYTE_INDEXED, 0x0000ff);
        assertTrue(GifReader.isGif(file("really-a-gif.png", TestImages.encode(img, "gif"))));
        assertTrue(GifReader.isGif(file("old.gif", TestGifs.withoutFrames(2, 2))), "a GIF without frames is still a GIF");
        assertFalse(GifReader.isGif(file("png.gif", TestImages.encode(TestImages.solid(4, 4, BufferedImage.TYPE_INT_RGB, 0), "png"))));
        assertFalse(GifReader.isGif(file("short.gif", new byte[] {'G', 'I', 'F'})));
        assertFalse(GifReader.isGif(file("empty.gif", new byte[0])));
        Path missing = dir.resolve("missing.gif");
        assertEquals(missing.toString(), assertThrows(NoSuchFileException.class, () -> GifReader.isGif(missing)).getFile());
        IOException e = assertThrows(IOException.class, () -> GifReader.isGif(dir));
        assertTrue(e.getMessage().startsWith(dir + ": "), e.getMessage());
    }

    // ---- bad input ----

    @Test
    void aGifWithoutFramesFailsNamingTheFile() throws IOException {
        Path p = file("empty-anim.gif", TestGifs.withoutFrames(10, 10));
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> GifReader.open(p));
        assertEquals(p + ": the GIF has no frames", e.getMessage());
    }

    @Test
    void theLogicalScreenIsCheckedAgainstThePixelLimitBeforeDecoding() throws IOException {
        byte[] gif = TestGifs.gif(100, 60, 0, List.of(new Frame(TestGifs.indexed(10, 10, TestGifs.palette(-1, RED), 0), 0, 0, "none")));
        Path p = file("big.gif", gif);
        ImageTooLargeException e = assertThrows(ImageTooLargeException.class,
                () -> GifReader.open(p, ImageReader.builder().maxPixels(5999).build()));
        assertEquals(p + ": 100 x 60 = 6000 pixels exceeds the limit of 5999 (see ImageReader.Builder.maxPixels)", e.getMessage());
        try (GifReader ok = GifReader.open(p, ImageReader.builder().maxPixels(6000).build())) {
            assertEquals(1, ok.frameCount());
        }
    }

    @Test
    void aFrameLargerThanTheLimitFailsEvenOnASmallScreen() throws IOException {
        IndexColorModel p = TestGifs.palette(-1, RED);
        byte[] gif = TestGifs.gif(10, 10, 0, List.of(
                new Frame(TestGifs.indexed(10, 10, p, 0), 0, 0, "none"),
                new Frame(TestGifs.indexed(80, 50, p, 0), 0, 0, "none")));
        Path f = file("frame-big.gif", gif);
        ImageTooLargeException e = assertThrows(ImageTooLargeException.class,
                () -> GifReader.open(f, ImageReader.builder().maxPixels(1000).build()));
        assertTrue(e.getMessage().startsWith(f + " (frame 1): 80 x 50 = 4000 pixels exceeds"), e.getMessage());
    }

    private byte[] threeFrames() {
        IndexColorModel p = TestGifs.palette(-1, RED, BLUE, GREEN);
        return TestGifs.gif(16, 16, 0, List.of(
                new Frame(TestImages.noise(16, 16, BufferedImage.TYPE_BYTE_INDEXED, 1), 0, 0, "none"),
                new Frame(TestGifs.indexed(16, 16, p, 1), 0, 0, "none"),
                new Frame(TestImages.noise(16, 16, BufferedImage.TYPE_BYTE_INDEXED, 2), 0, 0, "none")));
    }

    @Test
    void aGifCutInsideItsLastFrameIsReportedAsTruncatedNotShownWithAFrameMissing() throws IOException {
        byte[] gif = threeFrames();
        Path p = file("cut.gif", Arrays.copyOf(gif, gif.length - 20));
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> GifReader.open(p));
        assertEquals(p + ": truncated GIF: the file ends in frame 2", e.getMessage());
    }

    @Test
    void aGifWithoutItsTrailerIsTruncated() throws IOException {
        byte[] gif = threeFrames();
        Path p = file("notrailer.gif", Arrays.copyOf(gif, gif.length - 1));
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> GifReader.open(p));
        assertEquals(p + ": truncated GIF: the file ends after 3 frame(s) without the GIF trailer", e.getMessage());
    }

    @Test
    void anUnknownBlockIsCorrupt() throws IOException {
        byte[] gif = threeFrames();
        gif[gif.length - 1] = 0x42;
        Path p = file("garbage.gif", gif);
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> GifReader.open(p));
        assertEquals(p + ": corrupt GIF: unexpected byte 0x42 at offset " + (gif.length - 1) + ", after 3 frame(s)",
                e.getMessage());
    }

    @Test
    void corruptImageDataFailsNamingTheFileAndFrame() throws IOException {
        byte[] gif = TestGifs.gif(16, 16, 0, List.of(
                new Frame(TestGifs.indexed(16, 16, TestGifs.palette(-1, RED, BLUE), 1), 0, 0, "none")));
        // the LZW minimum code size byte follows the image descriptor's packed byte (and no local table);
        // 13 is beyond the 12 bits GIF allows
        int descriptor = indexOf(gif, (byte) 0x2c);
        int lzw = descriptor + 10 + ((gif[descriptor + 9] & 0x80) != 0 ? 3 << ((gif[descriptor + 9] & 7) + 1) : 0);
        gif[lzw] = 13;
        Path p = file("lzw.gif", gif);
        IOException e = assertThrows(IOException.class, () -> {
            try (GifReader r = GifReader.open(p)) {
                r.next();
            }
        });
        assertTrue(e.getMessage().startsWith(p + ": corrupt GIF data in frame 0"), e.getMessage());
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 13; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        throw new IllegalStateException();
    }

    @Test
    void otherBadFilesFailNamingTheFile() throws IOException {
        Path missing = dir.resolve("missing.gif");
        assertThrows(NoSuchFileException.class, () -> GifReader.open(missing));
        Path empty = file("empty.gif", new byte[0]);
        assertEquals(empty + ": empty file", assertThrows(ImageFormatException.class, () -> GifReader.open(empty)).getMessage());
        Path png = file("not.gif", TestImages.encode(TestImages.solid(4, 4, BufferedImage.TYPE_INT_RGB, 0), "png"));
        assertEquals(png + ": not a GIF file", assertThrows(ImageFormatException.class, () -> GifReader.open(png)).getMessage());
        Path header = file("header.gif", Arrays.copyOf(threeFrames(), 9));
        assertEquals(header + ": truncated GIF: the file ends in the header",
                assertThrows(ImageFormatException.class, () -> GifReader.open(header)).getMessage());
    }

    @Test
    void nextAfterTheLastFrameOrAfterCloseFails() throws IOException {
        Path p = file("three.gif", threeFrames());
        GifReader r = GifReader.open(p);
        for (int i = 0; i < 3; i++) {
            r.next();
        }
        assertFalse(r.hasNext());
        assertThrows(NoSuchElementException.class, r::next);
        r.close();
        r.close();
        assertEquals(p + ": reader closed", assertThrows(IllegalStateException.class, r::next).getMessage());
    }
}
