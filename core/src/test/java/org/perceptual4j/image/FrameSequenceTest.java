package org.perceptual4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class FrameSequenceTest {
    @TempDir
    Path dir;

    /** Writes a PNG frame whose red channel holds {@code value} (so the order can be checked). */
    private Path frame(String name, int value, int w, int h) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, TestImages.encode(TestImages.solid(w, h, BufferedImage.TYPE_INT_RGB, value << 16), "png"));
        return p;
    }

    private static List<String> names(FrameSequence s) {
        return s.files().stream().map(p -> p.getFileName().toString()).toList();
    }

    @Test
    void framesAreSortedByTheirNumberNotLexicographically() throws IOException {
        int[] numbers = {10, 2, 1, 100, 9, 11};
        for (int n : numbers) {
            frame("frame_" + n + ".png", n, 8, 6);
        }
        FrameSequence s = FrameSequence.open(dir);
        assertEquals(List.of("frame_1.png", "frame_2.png", "frame_9.png", "frame_10.png", "frame_11.png", "frame_100.png"),
                names(s));
        assertEquals(6, s.size());
        assertEquals(8, s.width());
        assertEquals(6, s.height());
        assertEquals(dir, s.directory());
        for (int i = 0; i < s.size(); i++) {
            INDArray f = s.read(i);
            assertArrayEquals(new long[] {1, 3, 6, 8}, f.shape());
            int n = Integer.parseInt(names(s).get(i).replaceAll("\\D", ""));
            assertEquals(n / 255.0, f.getDouble(0L, 0, 0, 0), 1e-6, "frame " + i);
        }
    }

    @Test
    void ffmpegNamesWithLeadingZerosAndDigitsInThePrefix() throws IOException {
        for (String n : List.of("clip2_0003.jpg", "clip2_0001.jpg", "clip2_0012.jpg", "clip2_0002.jpg")) {
            Files.write(dir.resolve(n), TestImages.jpeg(TestImages.solid(8, 8, BufferedImage.TYPE_INT_RGB, 0x808080), 0.9f));
        }
        assertEquals(List.of("clip2_0001.jpg", "clip2_0002.jpg", "clip2_0003.jpg", "clip2_0012.jpg"), names(FrameSequence.open(dir)));
    }

    @Test
    void otherFilesHiddenFilesAndSubdirectoriesAreIgnored() throws IOException {
        frame("f1.png", 1, 4, 4);
        frame("f2.png", 2, 4, 4);
        Files.writeString(dir.resolve("notes.txt"), "not a frame 3");
        Files.writeString(dir.resolve(".f3.png.1234.tmp"), "temporary");
        frame(".hidden7.png", 7, 4, 4);
        Files.createDirectory(dir.resolve("f4.png"));
        assertEquals(List.of("f1.png", "f2.png"), names(FrameSequence.open(dir)));
    }

    @Test
    void framesAreDecodedOneAtATimeWhenRead() throws IOException {
        frame("f1.png", 1, 4, 4);
        Path second = frame("f2.png", 2, 4, 4);
        FrameSequence s = FrameSequence.open(dir);
        // open() read the headers only: the pixels are those of the file at the time the frame is read
        frame("f2.png", 9, 4, 4);
        assertEquals(9 / 255.0, s.read(1).getDouble(0L, 0, 0, 0), 1e-6);
        Files.write(second, new byte[] {1, 2, 3});
        assertEquals(1 / 255.0, s.read(0).getDouble(0L, 0, 0, 0), 1e-6);
        IOException e = assertThrows(IOException.class, () -> s.read(1));
        assertEquals(second + ": not a supported image (PNG, JPEG, BMP, GIF)", e.getMessage());
    }

    @Test
    void framesOfDifferentSizesFailBeforeAnyFrameIsRead() throws IOException {
        frame("frame_1.png", 1, 8, 6);
        frame("frame_2.png", 2, 8, 6);
        Path odd = frame("frame_10.png", 3, 8, 5);
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> FrameSequence.open(dir));
        assertEquals(odd + ": 8 x 5 pixels, expected 8 x 6 like the first frame frame_1.png", e.getMessage());
    }

    @Test
    void theSizeIsCheckedAgainAtReadTime() throws IOException {
        frame("frame_1.png", 1, 8, 6);
        Path second = frame("frame_2.png", 2, 8, 6);
        FrameSequence s = FrameSequence.open(dir);
        frame("frame_2.png", 2, 6, 6);
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> s.read(1));
        assertEquals(second + ": 6 x 6 pixels, expected 8 x 6 like the first frame frame_1.png", e.getMessage());
    }

    @Test
    void noFramesFailsNamingTheDirectory() throws IOException {
        Files.writeString(dir.resolve("readme.txt"), "x");
        IOException e = assertThrows(IOException.class, () -> FrameSequence.open(dir));
        assertEquals(dir + ": no numbered PNG or JPEG frames (like frame_0001.png)", e.getMessage());
    }

    @Test
    void ambiguousDirectoriesFailNamingTheFiles() throws IOException {
        frame("frame_1.png", 1, 4, 4);
        frame("cover.png", 1, 4, 4);
        assertEquals(dir + ": cover.png has no frame number; expected only numbered frames like frame_0001.png "
                + "(move other images out of the directory)",
                assertThrows(IOException.class, () -> FrameSequence.open(dir)).getMessage());
        Files.delete(dir.resolve("cover.png"));
        frame("other_2.png", 1, 4, 4);
        assertEquals(dir + ": frames of more than one sequence: frame_1.png and other_2.png; expected one name pattern "
                + "per directory", assertThrows(IOException.class, () -> FrameSequence.open(dir)).getMessage());
        Files.delete(dir.resolve("other_2.png"));
        frame("frame_01.png", 1, 4, 4);
        assertEquals(dir + ": two frames numbered 1: frame_01.png and frame_1.png",
                assertThrows(IOException.class, () -> FrameSequence.open(dir)).getMessage());
    }

    @Test
    void badDirectoriesAndFramesFailNamingThem() throws IOException {
        Path missing = dir.resolve("missing");
        assertThrows(NoSuchFileException.class, () -> FrameSequence.open(missing));
        Path file = frame("frame_1.png", 1, 4, 4);
        assertEquals(file + ": not a directory", assertThrows(IOException.class, () -> FrameSequence.open(file)).getMessage());
        Files.write(dir.resolve("frame_2.png"), new byte[] {1, 2, 3});
        assertEquals(dir.resolve("frame_2.png") + ": not a supported image (PNG, JPEG, BMP, GIF)",
                assertThrows(ImageFormatException.class, () -> FrameSequence.open(dir)).getMessage());
        frame("frame_2.png", 2, 40, 40);
        assertThrows(ImageTooLargeException.class, () -> FrameSequence.open(dir, ImageReader.builder().maxPixels(100).build()));
    }
}
