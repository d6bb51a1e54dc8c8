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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.fast.FastStyleModel;
import org.perceptual4j.image.Images;
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

    @Test
    void aFolderWithABadImageWritesTheOthersAndFails() throws IOException {
        FastStyleModel.of(org.perceptual4j.fast.TransformNet.random(new org.perceptual4j.fast.TransformNet.Architecture(4, 1), 1),
                FastStyleModel.Metadata.of("s", 0, java.util.Map.of())).save(model);
        Path out = dir.resolve("out");
        CliRunner.Result r = CliRunner.run("apply-fast", "--model", model.toString(), "--input", data.toString(), "--out",
                out.toString(), "--max-pixels", "450");
        r.assertOneLineError(1, "2 of 4 images could not be stylized");
        assertTrue(r.err().contains("skipped " + data.resolve("broken.png")), r.err());
        assertTrue(r.err().contains("skipped " + data.resolve("a.png") + ": 24 x 20 = 480 pixels exceeds the limit"), r.err());
        INDArray b = Images.read(out.resolve("b.jpg"));
        assertArrayEquals(new long[] {1, 3, 18, 18}, b.shape());
    }
}
