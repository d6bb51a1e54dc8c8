package org.perceptual4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.fast.FastStyleModel;
import org.perceptual4j.fast.TransformNet;
import org.perceptual4j.image.GifFrame;
import org.perceptual4j.image.GifReader;
import org.perceptual4j.image.GifWriter;
import org.perceptual4j.image.Images;
import org.perceptual4j.testing.GifFiles;
import org.perceptual4j.vgg.TinyVgg;

/** End-to-end runs of {@code train-fast} and {@code apply-fast} on the tiny random-weight VGG16 at 16 pixels. */
class FastCommandsTest {
    private static final String WEIGHTS = TinyVgg.resource("tiny_vgg16_notop.h5").toString();

    @TempDir
    Path dir;
    private Path data;
    private Path style;
    private Path photo;
    private Path model;

    @BeforeEach
    void files() throws IOException {
        data = Files.createDirectories(dir.resolve("data/sub"));
        data = dir.resolve("data");
        Nd4j.getRandom().setSeed(7);
        Images.write(Nd4j.rand(DataType.FLOAT, 1, 3, 20, 24), data.resolve("a.png"));
        Images.write(Nd4j.rand(DataType.FLOAT, 1, 3, 18, 18), data.resolve("b.jpg"));
        Images.write(Nd4j.rand(DataType.FLOAT, 1, 3, 24, 17), data.resolve("sub/c.png"));
        Files.writeString(data.resolve("broken.png"), "not a png");
        style = dir.resolve("style.png");
        Images.write(Nd4j.rand(DataType.FLOAT, 1, 3, 20, 20), style);
        photo = dir.resolve("photo.png");
        Images.write(Nd4j.rand(DataType.FLOAT, 1, 3, 31, 47), photo);
        model = dir.resolve("m.p4jstyle");
    }

    /** train-fast with the tiny VGG16, image size 16, batch 2; {@code extra} (option, value pairs) replaces or adds options. */
    private String[] train(String... extra) {
        List<String> a = new ArrayList<>(List.of("train-fast", "--data", data.toString(), "--style", style.toString(),
                "--weights", WEIGHTS, "--model", model.toString(), "--image-size", "16", "--batch-size", "2",
                "--iterations", "2"));
        for (int i = 0; i + 1 < extra.length; i += 2) {
            int at = a.indexOf(extra[i]);
            if (at > 0) {
                a.set(at + 1, extra[i + 1]);
            } else {
                a.add(extra[i]);
                a.add(extra[i + 1]);
            }
        }
        return a.toArray(String[]::new);
    }

    @Test
    void trainsThenStylizesAnImageAndAFolder() throws IOException {
        Path log = dir.resolve("loss.csv");
        CliRunner.Result r = CliRunner.run(train("--micro-batch", "2", "--sample-every", "1", "--sample", photo.toString(), "--loss-log", log.toString(),
                "--sample-dir", dir.resolve("samples").toString())).assertSuccess();
        assertTrue(r.out().startsWith("Wrote " + model + " after 2 iterations"), r.out());
        assertTrue(r.out().contains("(1 unreadable files skipped)"), r.out());
        assertTrue(r.err().contains("skipped " + data.resolve("broken.png")), r.err());
        FastStyleModel m = FastStyleModel.load(model);
        assertEquals(2, m.metadata().iterations());
        assertEquals("style.png", m.metadata().styleName());
        assertEquals("16", m.metadata().settings().get("imageSize"));
        assertTrue(Files.exists(dir.resolve("samples/sample_000002.png")));
        Path ck = model.resolveSibling("m.p4jstyle.checkpoint");
        assertTrue(Files.exists(ck), "the checkpoint is written at the end");
        assertEquals(3, Files.readAllLines(log).size());
        CliRunner.run(train("--iterations", "3", "--resume", ck.toString(), "--style-weight", "9"))
                .assertOneLineError(2, "--resume", "styleWeight 5.0 (now 9.0)");
        Path missing = dir.resolve("missing.ck");
        CliRunner.run(train("--resume", missing.toString())).assertOneLineError(1, "--resume", missing.toString());

        Path out = dir.resolve("photo_styled.jpg");
        CliRunner.Result a = CliRunner.run("apply-fast", "--model", model.toString(), "--input", photo.toString(), "--out",
                out.toString()).assertSuccess();
        assertTrue(a.out().startsWith("Wrote " + out + " (47 x 31)"), a.out());
        assertArrayEquals(new long[] {1, 3, 31, 47}, Images.read(out).shape());

        Path folderOut = dir.resolve("styled");
        Files.delete(data.resolve("broken.png"));
        CliRunner.run("apply-fast", "--model", model.toString(), "--input", data.toString(), "--out", folderOut.toString())
                .assertSuccess();
        assertTrue(Files.exists(folderOut.resolve("a.png")) && Files.exists(folderOut.resolve("b.jpg"))
                && Files.exists(folderOut.resolve("sub/c.png")));
        assertArrayEquals(new long[] {1, 3, 24, 17}, Images.read(folderOut.resolve("sub/c.png")).shape());
    }

    @Test
    @Tag("slow") // two training runs; the library's resume is checked bit for bit in FastStyleTrainerTest
    void resumesFromTheCheckpoint() throws IOException {
        Path ck = dir.resolve("run.ck");
        CliRunner.run(train("--iterations", "1", "--checkpoint", ck.toString())).assertSuccess();
        CliRunner.run(train("--iterations", "2", "--checkpoint", ck.toString(), "--resume", ck.toString())).assertSuccess();
        assertEquals(2, FastStyleModel.load(model).metadata().iterations());
    }

    @Test
    void trainingErrorsAreOneLineWithTheRightExitCode() throws IOException {
        Path missing = dir.resolve("nope");
        CliRunner.run(train("--data", missing.toString())).assertOneLineError(1, missing.toString());
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Files.writeString(empty.resolve("x.jpg"), "garbage");
        CliRunner.run(train("--data", empty.toString())).assertOneLineError(1, empty.toString(), "can be read");
        CliRunner.run(train("--epochs", "1")).assertOneLineError(2, "--iterations and --epochs");
        CliRunner.run(train("--sample-every", "3")).assertOneLineError(2, "--sample-every and --sample go together");
        CliRunner.run(train("--content-layer", "relu9_9")).assertOneLineError(2, "unknown layer 'relu9_9'", "relu3_3");
        CliRunner.run(train("--batch-size", "0")).assertOneLineError(2, "--batch-size must be > 0, got 0");
        CliRunner.run(train("--micro-batch", "3")).assertOneLineError(2, "microBatch: expected a value <= batchSize 2, got 3");
        Path notVgg = dir.resolve("weights.h5");
        Files.writeString(notVgg, "not hdf5");
        CliRunner.run(train("--weights", notVgg.toString())).assertOneLineError(1, "--weights", notVgg.toString());
        CliRunner.run(train("--max-pixels", "10")).assertOneLineError(1, "style image", style.toString(), "exceeds the limit");
        CliRunner.run(train("--model", dir.resolve("no/dir/m.p4jstyle").toString())).assertOneLineError(1, "--model", "does not exist");
        assertFalse(Files.exists(model), "nothing written after a failure");
    }

    @Test
    void applyErrorsNameTheFile() throws IOException {
        Path out = dir.resolve("o.png");
        Path missing = dir.resolve("missing.p4jstyle");
        CliRunner.run("apply-fast", "--model", missing.toString(), "--input", photo.toString(), "--out", out.toString())
                .assertOneLineError(1, "--model", missing.toString());
        Path corrupt = dir.resolve("corrupt.p4jstyle");
        Files.write(corrupt, new byte[] {'P', 'K', 3, 4, 1, 2, 3});
        CliRunner.run("apply-fast", "--model", corrupt.toString(), "--input", photo.toString(), "--out", out.toString())
                .assertOneLineError(1, "--model", corrupt.toString());
        CliRunner.run("apply-fast", "--model", corrupt.toString(), "--input", photo.toString(), "--out", dir.resolve("o.tiff").toString())
                .assertOneLineError(2, "--out must end in .png, .jpg or .jpeg");
        CliRunner.run("apply-fast", "--model", corrupt.toString(), "--input", dir.resolve("none.png").toString(), "--out", out.toString())
                .assertOneLineError(1, "--input not found");
        assertFalse(Files.exists(out));
    }

    /** Saves an untrained tiny model (width 4, one residual block) as {@link #model}. */
    private void tinyModel() throws IOException {
        FastStyleModel.of(TransformNet.random(new TransformNet.Architecture(4, 1), 1), FastStyleModel.Metadata.of("s", 0, Map.of()))
                .save(model);
    }

    @Test
    void aFolderWithABadImageWritesTheOthersAndFails() throws IOException {
        tinyModel();
        Path out = dir.resolve("out");
        CliRunner.Result r = CliRunner.run("apply-fast", "--model", model.toString(), "--input", data.toString(), "--out",
                out.toString(), "--max-pixels", "450");
        r.assertOneLineError(1, "2 of 4 images could not be stylized");
        assertTrue(r.err().contains("skipped " + data.resolve("broken.png")), r.err());
        assertTrue(r.err().contains("skipped " + data.resolve("a.png") + ": 24 x 20 = 480 pixels exceeds the limit"), r.err());
        INDArray b = Images.read(out.resolve("b.jpg"));
        assertArrayEquals(new long[] {1, 3, 18, 18}, b.shape());
    }

    // ---- animated GIFs and video frames ----

    /** A 16 x 12 GIF of {@code delays.length} different random frames with these delays and loop count. */
    private Path gif(String name, int loopCount, int... delays) throws IOException {
        Path p = dir.resolve(name);
        try (GifWriter.Output o = GifWriter.builder().build().open(dir.resolve("tmp.gif"), loopCount)) {
            for (int t = 0; t < delays.length; t++) {
                o.append(Nd4j.rand(DataType.FLOAT, 1, 3, 12, 16), delays[t]);
            }
            o.commit();
        }
        Files.move(dir.resolve("tmp.gif"), p); // written as .gif, then given any name
        return p;
    }

    @Test
    void aGifGivesAnAnimatedGifWithTheSameDelaysAndLoopCount() throws IOException {
        tinyModel();
        Path in = gif("clip.gif", 3, 70, 120, 200);
        Path out = dir.resolve("clip_styled.gif");
        CliRunner.Result r = CliRunner.run("apply-fast", "--model", model.toString(), "--input", in.toString(), "--out",
                out.toString(), "--stabilize").assertSuccess();
        assertTrue(r.out().startsWith("Wrote " + out + " (3 frames of 16 x 12, stabilized)"), r.out());
        assertTrue(r.err().contains("3/3"), "progress over the frames: " + r.err());
        List<GifFrame> frames = GifFiles.readAll(out);
        assertEquals(List.of(70, 120, 200), frames.stream().map(GifFrame::delayMillis).toList());
        assertArrayEquals(new long[] {1, 3, 12, 16}, frames.get(2).image().shape());
        try (GifReader g = GifReader.open(out)) {
            assertEquals(3, g.loopCount());
        }

        // recognised by content: a GIF named .png is still an animation, written as one
        Path disguised = gif("clip.png", GifWriter.LOOP_FOREVER, 50, 50);
        CliRunner.run("apply-fast", "--model", model.toString(), "--input", disguised.toString(), "--out",
                dir.resolve("x.png").toString()).assertOneLineError(2, "--out must end in .gif", "is a GIF by its content");
        Path out2 = dir.resolve("x.gif");
        CliRunner.run("apply-fast", "--model", model.toString(), "--input", disguised.toString(), "--out", out2.toString(),
                "--quiet").assertSuccess();
        try (GifReader g = GifReader.open(out2)) {
            assertEquals(2, g.frameCount());
            assertEquals(GifWriter.LOOP_FOREVER, g.loopCount());
        }
    }

    @Test
    void numberedFramesAreStylizedInOrderUnderTheSameNames() throws IOException {
        tinyModel();
        Path frames = Files.createDirectories(dir.resolve("frames"));
        List<String> names = List.of("frame_1.png", "frame_2.png", "frame_10.png");
        for (String n : names) {
            Images.write(Nd4j.rand(DataType.FLOAT, 1, 3, 12, 16), frames.resolve(n));
        }
        Path out = dir.resolve("stylized");
        CliRunner.Result r = CliRunner.run("apply-fast", "--model", model.toString(), "--input", frames.toString(), "--frames",
                "--out", out.toString(), "--stabilize").assertSuccess();
        assertTrue(r.out().startsWith("Wrote " + out + " (3 frames of 16 x 12, stabilized)"), r.out());
        try (Stream<Path> written = Files.list(out)) {
            assertEquals(names.stream().sorted().toList(), written.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertArrayEquals(new long[] {1, 3, 12, 16}, Images.read(out.resolve("frame_10.png")).shape());
    }

    @Test
    void stabilizeAndFramesNeedAnInputThatFits() throws IOException {
        Path m = dir.resolve("unused.p4jstyle"); // usage errors come before the model is read
        Path gif = gif("a.gif", 0, 100);
        CliRunner.run("apply-fast", "--model", m.toString(), "--input", photo.toString(), "--out", dir.resolve("o.png").toString(),
                "--stabilize").assertOneLineError(2, "--stabilize needs consecutive frames", "the image " + photo);
        CliRunner.run("apply-fast", "--model", m.toString(), "--input", data.toString(), "--out", dir.resolve("o").toString(),
                "--stabilize").assertOneLineError(2, "--stabilize", "add --frames");
        CliRunner.run("apply-fast", "--model", m.toString(), "--input", gif.toString(), "--out", dir.resolve("o.gif").toString(),
                "--frames").assertOneLineError(2, "--frames needs a directory", gif.toString());
        CliRunner.run("apply-fast", "--model", m.toString(), "--input", photo.toString(), "--out", dir.resolve("o.gif").toString())
                .assertOneLineError(2, "--out must end in .png, .jpg or .jpeg for an image --input");
        CliRunner.run("apply-fast", "--model", m.toString(), "--input", data.toString(), "--frames", "--out", data.toString())
                .assertOneLineError(2, "--out must differ from --input");
        assertFalse(Files.exists(dir.resolve("o.gif")) || Files.exists(dir.resolve("o")) || Files.exists(dir.resolve("o.png")));
    }

    @Test
    void badGifsAndFramesFailInOneLineNamingTheFileAndWriteNothing() throws IOException {
        tinyModel();
        Path out = dir.resolve("out.gif");
        // header, 10 x 10 logical screen without colour table, trailer: a GIF without frames
        Path empty = dir.resolve("empty.gif");
        Files.write(empty, new byte[] {'G', 'I', 'F', '8', '9', 'a', 10, 0, 10, 0, 0, 0, 0, 0x3B});
        CliRunner.run("apply-fast", "--model", model.toString(), "--input", empty.toString(), "--out", out.toString())
                .assertOneLineError(1, "cannot stylize the GIF", empty + ": the GIF has no frames", "nothing written");
        Path good = gif("good.gif", 0, 100, 100);
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = dir.resolve("truncated.gif");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 40));
        CliRunner.run("apply-fast", "--model", model.toString(), "--input", truncated.toString(), "--out", out.toString())
                .assertOneLineError(1, truncated.toString());
        CliRunner.run("apply-fast", "--model", model.toString(), "--input", good.toString(), "--out", out.toString(),
                "--max-pixels", "100").assertOneLineError(1, good.toString(), "exceeds the limit");
        assertFalse(Files.exists(out));
        try (Stream<Path> left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".out.gif")), "no temporary file left");
        }

        Path frames = Files.createDirectories(dir.resolve("frames"));
        Images.write(Nd4j.rand(DataType.FLOAT, 1, 3, 12, 16), frames.resolve("f1.png"));
        Images.write(Nd4j.rand(DataType.FLOAT, 1, 3, 12, 15), frames.resolve("f2.png"));
        Path outDir = dir.resolve("styled");
        CliRunner.run("apply-fast", "--model", model.toString(), "--input", frames.toString(), "--frames", "--out",
                outDir.toString()).assertOneLineError(1, frames.resolve("f2.png") + ": 15 x 12 pixels, expected 16 x 12");
        assertFalse(Files.exists(outDir));
    }
}
