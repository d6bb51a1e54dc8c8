package org.perceptual4j.fast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.image.ImageReader;
import org.perceptual4j.image.Images;

class FastStyleModelTest {
    @TempDir
    Path tmp;

    static FastStyleModel model() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("contentWeight", "1.0");
        settings.put("note", "ünïcödé = and : and \\ and\nnewline");
        return FastStyleModel.of(TransformNet.random(FastTesting.TINY, 7), FastStyleModel.Metadata.of("starry night.jpg", 1234, settings));
    }

    @Test
    void saveAndLoadRoundTripBitForBit() throws IOException {
        FastStyleModel m = model();
        Path file = tmp.resolve("m.p4jstyle");
        m.save(file);
        FastStyleModel back = FastStyleModel.load(file);
        assertEquals(m.network().architecture(), back.network().architecture());
        Map<String, INDArray> a = m.network().parameters();
        Map<String, INDArray> b = back.network().parameters();
        assertEquals(List.copyOf(a.keySet()), List.copyOf(b.keySet()));
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name).shape(), b.get(name).shape(), name);
            int[] bitsA = floatBits(a.get(name));
            int[] bitsB = floatBits(b.get(name));
            assertArrayEquals(bitsA, bitsB, name);
        }
        assertEquals(m.metadata(), back.metadata());
        assertEquals(FastStyleModel.libraryVersion(), back.metadata().libraryVersion());
        Path again = tmp.resolve("again.p4jstyle");
        back.save(again);
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again), "saving is deterministic");
        INDArray x = FastTesting.image(3, 12, 20);
        assertArrayEquals(m.stylize(x).data().asFloat(), back.stylize(x).data().asFloat(), 0f);
    }

    private static int[] floatBits(INDArray a) {
        float[] f = a.data().asFloat();
        int[] bits = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            bits[i] = Float.floatToRawIntBits(f[i]);
        }
        return bits;
    }

    @Test
    void stylizesAnySizeAndBatchesIntoZeroToOne() {
        FastStyleModel m = model();
        for (int[] hw : new int[][] {{31, 47}, {256, 256}}) {
            INDArray out = m.stylize(FastTesting.image(1, hw[0], hw[1]));
            assertArrayEquals(new long[] {1, 3, hw[0], hw[1]}, out.shape());
            assertTrue(out.minNumber().doubleValue() >= 0 && out.maxNumber().doubleValue() <= 1);
        }
        INDArray batch = Nd4j.concat(0, FastTesting.image(1, 10, 14), FastTesting.image(2, 10, 14));
        INDArray styled = m.stylize(batch);
        assertArrayEquals(new long[] {2, 3, 10, 14}, styled.shape());
        assertArrayEquals(styled.data().asFloat(), m.stylizer(10, 14).apply(batch).data().asFloat(), 0f, "prepared for one size");
    }

    @Test
    void theFrameStylizerFollowsTheSizeOfItsInput() {
        FastStyleModel m = model();
        java.util.function.UnaryOperator<INDArray> frames = m.stylizer();
        for (INDArray x : List.of(FastTesting.image(1, 10, 14), FastTesting.image(2, 10, 14), FastTesting.image(3, 9, 13),
                FastTesting.image(4, 10, 14))) {
            assertArrayEquals(m.stylize(x).data().asFloat(), frames.apply(x).data().asFloat(), 0f, java.util.Arrays.toString(x.shape()));
        }
        assertThrows(IllegalArgumentException.class, () -> frames.apply(Nd4j.zeros(1, 4, 10, 14)));
    }

    @Test
    void corruptTruncatedAndForeignFilesAreReportedWithTheirName() throws IOException {
        Path good = tmp.resolve("good.p4jstyle");
        model().save(good);
        byte[] bytes = Files.readAllBytes(good);

        Path truncated = tmp.resolve("truncated.p4jstyle");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length * 2 / 3));
        assertFormatError(truncated, "");

        Path flipped = tmp.resolve("flipped.p4jstyle");
        byte[] f = bytes.clone();
        f[f.length / 2] ^= 0x55;
        Files.write(flipped, f);
        assertFormatError(flipped, "");

        Path png = tmp.resolve("image.p4jstyle");
        Images.write(FastTesting.image(1, 8, 8), png.resolveSibling("image.png"));
        Files.move(png.resolveSibling("image.png"), png);
        assertFormatError(png, "not a Perceptual4J model");

        Path empty = tmp.resolve("empty.p4jstyle");
        Files.write(empty, new byte[0]);
        assertFormatError(empty, "not a Perceptual4J model");

        Path foreign = tmp.resolve("foreign.zip");
        new ModelArchive.Writer().text("hello.txt", "hi").write(foreign);
        assertFormatError(foreign, "no model.properties");

        assertThrows(java.nio.file.NoSuchFileException.class, () -> FastStyleModel.load(tmp.resolve("missing.p4jstyle")));
    }

    @Test
    void aNewerFormatVersionIsRefusedWithBothVersions() throws IOException {
        Path file = tmp.resolve("future.p4jstyle");
        FastStyleModel m = model();
        ModelArchive.Contents c = ModelArchive.read(save(m, tmp.resolve("now.p4jstyle")));
        Map<String, String> p = c.properties(FastStyleModel.PROPERTIES_ENTRY);
        p.put("formatVersion", "2");
        p.put("libraryVersion", "9.9.9");
        rewrite(c, file, p);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> FastStyleModel.load(file));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("model format version 2")
                && e.getMessage().contains("written by Perceptual4J 9.9.9") && e.getMessage().contains("reads versions 1 to 1")
                && e.getMessage().contains("use a newer Perceptual4J"), e.getMessage());

        p.put("formatVersion", "1");
        p.put("architecture.width", "5");
        rewrite(c, file, p);
        e = assertThrows(ModelFormatException.class, () -> FastStyleModel.load(file));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("expected shape"), e.getMessage());
    }

    private static Path save(FastStyleModel m, Path file) throws IOException {
        m.save(file);
        return file;
    }

    private static void rewrite(ModelArchive.Contents c, Path file, Map<String, String> properties) throws IOException {
        ModelArchive.Writer w = new ModelArchive.Writer().properties(FastStyleModel.PROPERTIES_ENTRY, properties);
        c.entries().forEach((name, bytes) -> {
            if (!name.equals(FastStyleModel.PROPERTIES_ENTRY)) {
                w.raw(name, bytes);
            }
        });
        w.write(file);
    }

    private static void assertFormatError(Path file, String expected) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> FastStyleModel.load(file));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void aFailedSaveLeavesNoFileBehind() throws IOException {
        FastStyleModel m = model();
        Path missingDir = tmp.resolve("no/such/dir/m.p4jstyle");
        IOException e = assertThrows(IOException.class, () -> m.save(missingDir));
        assertTrue(e.getMessage().contains(missingDir.toString()), e.getMessage());
        // the target is a non-empty directory: the rename fails after the content was written
        Path blocked = Files.createDirectories(tmp.resolve("blocked.p4jstyle"));
        Files.writeString(blocked.resolve("keep.txt"), "keep");
        e = assertThrows(IOException.class, () -> m.save(blocked));
        assertTrue(e.getMessage().startsWith(blocked.toString()), e.getMessage());
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of("blocked.p4jstyle"), s.map(p -> p.getFileName().toString()).toList(), "no temporary file left");
        }
        assertEquals("keep", Files.readString(blocked.resolve("keep.txt")));
    }

    @Test
    void stylizesAFolderMirroringNamesAndReportingBadFiles() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("in/nested"));
        Images.write(FastTesting.image(1, 15, 21), tmp.resolve("in/a.png"));
        Images.write(FastTesting.image(2, 20, 9), tmp.resolve("in/nested/b.jpg"));
        javax.imageio.ImageIO.write(Images.toBufferedImage(FastTesting.image(3, 11, 13)), "bmp", tmp.resolve("in/nested/c.bmp").toFile());
        Images.write(FastTesting.image(4, 80, 80), tmp.resolve("in/big.png"));
        Files.writeString(tmp.resolve("in/broken.jpg"), "not a jpeg");
        Files.writeString(tmp.resolve("in/readme.txt"), "ignored");
        Path out = tmp.resolve("out");
        List<String> progress = new ArrayList<>();
        FastStyleModel.FolderResult r = model().stylizeFolder(tmp.resolve("in"), out, ImageReader.builder().maxPixels(1000).build(),
                (done, total, file, failure) -> progress.add(done + "/" + total + (failure == null ? "" : " failed")));
        assertTrue(r.complete());
        assertEquals(5, r.total());
        assertEquals(List.of(out.resolve("a.png"), out.resolve("nested/b.jpg"), out.resolve("nested/c.png")), r.written());
        assertEquals(List.of(tmp.resolve("in/big.png"), tmp.resolve("in/broken.jpg")), List.copyOf(r.failures().keySet()));
        assertTrue(r.failures().get(tmp.resolve("in/big.png")).contains("exceeds the limit"));
        assertTrue(r.failures().get(tmp.resolve("in/broken.jpg")).startsWith(tmp.resolve("in/broken.jpg").toString()));
        assertEquals(List.of("1/5", "2/5 failed", "3/5 failed", "4/5", "5/5"), progress);
        assertArrayEquals(new long[] {1, 3, 20, 9}, Images.read(out.resolve("nested/b.jpg")).shape());
        assertArrayEquals(new long[] {1, 3, 11, 13}, Images.read(out.resolve("nested/c.png")).shape());
    }

    @Test
    void folderMistakesFailBeforeWritingAnything() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("in"));
        FastStyleModel m = model();
        ImageReader reader = ImageReader.builder().build();
        IOException e = assertThrows(IOException.class, () -> m.stylizeFolder(in, tmp.resolve("out"), reader, null));
        assertTrue(e.getMessage().startsWith(in.toString()) && e.getMessage().contains("no image files"), e.getMessage());
        Images.write(FastTesting.image(1, 8, 8), in.resolve("x.png"));
        writeGif(FastTesting.image(2, 8, 8), in.resolve("x.gif"));
        e = assertThrows(IOException.class, () -> m.stylizeFolder(in, tmp.resolve("out"), reader, null));
        assertTrue(e.getMessage().contains("would both be written to"), e.getMessage());
        Files.delete(in.resolve("x.gif"));
        e = assertThrows(IOException.class, () -> m.stylizeFolder(in, in, reader, null));
        assertTrue(e.getMessage().contains("must differ from the input directory"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    private static void writeGif(INDArray image, Path file) throws IOException {
        javax.imageio.ImageIO.write(Images.toBufferedImage(image), "gif", file.toFile());
    }

    @Test
    void metadataValidatesItsValues() {
        assertThrows(IllegalArgumentException.class, () -> FastStyleModel.Metadata.of(null, 0, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> FastStyleModel.Metadata.of("s", -1, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> FastStyleModel.of(null, FastStyleModel.Metadata.of("s", 0, Map.of())));
    }
}
