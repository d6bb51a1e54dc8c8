package org.perceptual4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.Provenance;
import org.perceptual4j.image.Images;
import org.perceptual4j.vgg.TinyVgg;
import org.perceptual4j.vgg.download.WeightsCache;

/** End-to-end runs of {@code perceptual4j stylize} on the tiny random-weight VGG19 at 32 pixels. */
class StylizeCommandTest {
    private static final String WEIGHTS = TinyVgg.resource("tiny_vgg19_notop.h5").toString();

    @TempDir
    Path dir;
    private Path content;
    private Path style;
    private Path style2;
    private Path out;

    @BeforeEach
    void images() throws IOException {
        content = dir.resolve("content.png");
        style = dir.resolve("style.png");
        style2 = dir.resolve("style2.png");
        out = dir.resolve("out.png");
        // 48 x 32 gradient content, 40 x 40 seeded-noise styles
        INDArray c = Nd4j.create(DataType.FLOAT, 1, 3, 32, 48);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 48; x++) {
                c.putScalar(new long[] {0, 0, y, x}, x / 47.0);
                c.putScalar(new long[] {0, 1, y, x}, y / 31.0);
                c.putScalar(new long[] {0, 2, y, x}, 0.5);
            }
        }
        Images.write(c, content);
        Nd4j.getRandom().setSeed(1);
        Images.write(Nd4j.rand(DataType.FLOAT, 1, 3, 40, 40), style);
        Images.write(Nd4j.rand(DataType.FLOAT, 1, 3, 40, 40).mul(0.5), style2);
    }

    /**
     * The usual arguments ({@code stylize --content C --style S --weights TINY --out O --size 32
     * --iterations 3}, the values at indexes 2, 4, 6, 8, 10, 12); an option of these in {@code extra}
     * replaces the value, anything else is appended.
     */
    private String[] args(String... extra) {
        List<String> a = new ArrayList<>(List.of("stylize", "--content", content.toString(), "--style", style.toString(),
                "--weights", WEIGHTS, "--out", out.toString(), "--size", "32", "--iterations", "3"));
        for (int i = 0; i < extra.length; i++) {
            int at = a.indexOf(extra[i]);
            if (at > 0 && i + 1 < extra.length) {
                a.set(at + 1, extra[++i]);
            } else {
                a.add(extra[i]);
            }
        }
        return a.toArray(String[]::new);
    }

    /** {@link #args} run as {@link Perceptual4jCli#main} runs it, for errors found by picocli while parsing. */
    private CliRunner.Result runConfigured(String... extra) {
        return CliRunner.runConfigured(args(extra));
    }

    private static BufferedImage readPng(Path file) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        assertTrue(img != null, "not an image: " + file);
        return img;
    }

    private static List<String[]> csvRows(Path file) throws IOException {
        return Files.readAllLines(file).stream().skip(1).map(l -> l.split(",", -1)).toList();
    }

    @Test
    void writesAPngWhoseLongestSideIsSize() throws IOException {
        CliRunner.Result r = CliRunner.run(args()).assertSuccess();
        BufferedImage img = readPng(out);
        assertEquals(32, img.getWidth());
        assertEquals(21, img.getHeight()); // 32 * 32 / 48, rounded
        assertTrue(r.out().startsWith("Wrote " + out + " (32 x 21) after 3 iterations"), r.out());
        // no leftover temporary files beside the output
        try (var files = Files.list(dir)) {
            assertEquals(List.of("content.png", "out.png", "style.png", "style2.png"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void writesJpegToo() throws IOException {
        out = dir.resolve("out.jpg");
        CliRunner.run(args("--size", "40")).assertSuccess();
        BufferedImage img = readPng(out);
        assertEquals(40, img.getWidth());
        assertEquals(27, img.getHeight());
    }

    @Test
    void lossLogHasHeaderAndEveryIterationAndTheTotalFalls() throws IOException {
        Path log = dir.resolve("losses.csv");
        CliRunner.run(args("--iterations", "8", "--loss-log", log.toString())).assertSuccess();
        List<String> lines = Files.readAllLines(log);
        assertEquals("iteration,content:relu4_2,style:relu1_1,style:relu2_1,style:relu3_1,style:relu4_1,style:relu5_1,tv,"
                + "total,elapsed_ms", lines.get(0));
        List<String[]> rows = csvRows(log);
        assertEquals(9, rows.size(), "iterations 0..8: " + lines);
        for (int i = 0; i < rows.size(); i++) {
            String[] row = rows.get(i);
            assertEquals(10, row.length, lines.get(i + 1));
            assertEquals(i, Integer.parseInt(row[0]));
            double sum = 0;
            for (int j = 1; j <= 7; j++) {
                double v = Double.parseDouble(row[j]);
                assertTrue(Double.isFinite(v) && v >= 0, lines.get(i + 1));
                sum += v;
            }
            double total = Double.parseDouble(row[8]);
            assertEquals(sum, total, 1e-4 * total, "total = sum of terms: " + lines.get(i + 1));
            assertTrue(Long.parseLong(row[9]) >= 0);
        }
        double first = Double.parseDouble(rows.get(0)[8]);
        double last = Double.parseDouble(rows.get(8)[8]);
        assertTrue(last < first, "total should fall: " + first + " -> " + last);
    }

    @Test
    void saveEveryWritesIntermediateImages() throws IOException {
        CliRunner.run(args("--iterations", "6", "--save-every", "3")).assertSuccess();
        for (String name : List.of("out_3.png", "out_6.png", "out.png")) {
            BufferedImage img = readPng(dir.resolve(name));
            assertEquals(32, img.getWidth(), name);
            assertEquals(21, img.getHeight(), name);
        }
        assertFalse(Files.exists(dir.resolve("out_0.png")));
        assertFalse(Files.exists(dir.resolve("out_1.png")));
        assertFalse(Files.exists(dir.resolve("out_2.png")));
    }

    @Test
    void styleBlendWeightsAreUsed() throws IOException {
        Path blend = dir.resolve("blend.csv");
        Path oneAndZero = dir.resolve("one-zero.csv");
        Path single = dir.resolve("single.csv");
        String[] a = args("--iterations", "1", "--loss-log", blend.toString());
        a[4] = style + ":0.7";
        List<String> withSecond = new ArrayList<>(List.of(a));
        withSecond.addAll(List.of("--style", style2 + ":0.3"));
        CliRunner.run(withSecond.toArray(String[]::new)).assertSuccess();
        assertTrue(Files.exists(out));

        a = args("--iterations", "1", "--loss-log", oneAndZero.toString());
        a[4] = style + ":1";
        withSecond = new ArrayList<>(List.of(a));
        withSecond.addAll(List.of("--style", style2 + ":0"));
        CliRunner.run(withSecond.toArray(String[]::new)).assertSuccess();

        CliRunner.run(args("--iterations", "1", "--loss-log", single.toString())).assertSuccess();

        // same seed, so iteration 0 starts from the same noise: a 1:0 blend is the first style alone
        String[] s = csvRows(single).get(0);
        String[] z = csvRows(oneAndZero).get(0);
        String[] b = csvRows(blend).get(0);
        assertArrayEquals(Arrays.copyOfRange(s, 1, 9), Arrays.copyOfRange(z, 1, 9));
        assertNotEquals(s[2], b[2], "style:relu1_1 of the 0.7/0.3 blend");
        assertEquals(s[1], b[1], "content term does not depend on the style");
    }

    @Test
    void adamOptimizer() throws IOException {
        Path log = dir.resolve("adam.csv");
        CliRunner.run(args("--optimizer", "adam", "--iterations", "5", "--loss-log", log.toString())).assertSuccess();
        List<String[]> rows = csvRows(log);
        assertEquals(6, rows.size());
        assertTrue(Double.parseDouble(rows.get(5)[8]) < Double.parseDouble(rows.get(0)[8]));
        assertEquals(32, readPng(out).getWidth());
    }

    @Test
    void otherLayersPoolingTvNormAndContentInit() throws IOException {
        Path log = dir.resolve("l.csv");
        CliRunner.run(args("--init", "content", "--pooling", "avg", "--tv-norm", "l1", "--tv-weight", "0.01",
                "--content-layers", "relu3_1:0.5,block4_conv2", "--style-layers", "relu1_1,relu2_1:2",
                "--style-scale", "0.75", "--learning-rate", "0.5", "--seed", "7", "--loss-log", log.toString()))
                .assertSuccess();
        assertEquals("iteration,content:relu3_1,content:relu4_2,style:relu1_1,style:relu2_1,tv,total,elapsed_ms",
                Files.readAllLines(log).get(0));
    }

    @Test
    void initFromAnImageFileAndVgg16() throws IOException {
        CliRunner.run(args("--init", style2.toString(), "--vgg16", "--weights",
                TinyVgg.resource("tiny_vgg16_notop.h5").toString())).assertSuccess();
        assertEquals(32, readPng(out).getWidth());
    }

    @Test
    void intermediateFileNames() {
        assertEquals(Path.of("out/result_50.png"), StylizeCommand.intermediatePath(Path.of("out/result.png"), 50));
        assertEquals(Path.of("a.b_3.jpg"), StylizeCommand.intermediatePath(Path.of("a.b.jpg"), 3));
    }

    @Test
    void quietPrintsNothing() {
        CliRunner.Result r = CliRunner.run(args("--quiet")).assertSuccess();
        assertEquals("", r.out());
        assertEquals("", r.err());
    }

    @Test
    void progressGoesToStderrAsFewLinesWhenNotATerminal() {
        CliRunner.Result r = CliRunner.run(args()).assertSuccess();
        List<String> lines = r.err().lines().toList();
        // the weights line, then the first state and the last, no carriage-return redraws
        assertEquals(3, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("Weights: "), r.err());
        assertTrue(lines.get(1).startsWith("stylize   0%"), r.err());
        assertTrue(lines.get(2).startsWith("stylize 100%") && lines.get(2).contains("3/3") && lines.get(2).contains("loss "),
                r.err());
        assertFalse(r.err().contains("\r"));
        assertFalse(r.out().contains("stylize "), "progress on stdout: " + r.out());
    }

    @Test
    void progressInTerminalModeRedrawsOneLine() {
        Perceptual4jCli app = new Perceptual4jCli();
        app.progressMode = ProgressDisplay.Mode.TERMINAL;
        CliRunner.Result r = CliRunner.execute(new picocli.CommandLine(app), args()).assertSuccess();
        String progress = r.err().substring(r.err().indexOf('\n') + 1); // after the weights line
        assertTrue(progress.startsWith("\r"), r.err());
        assertTrue(progress.contains("3/3"), r.err());
        assertEquals(1, progress.chars().filter(c -> c == '\n').count(), "one line, redrawn with \\r: " + r.err());
        assertTrue(progress.endsWith("\n"), r.err());
    }

    // ---- errors: one line, exit code != 0 ----

    @Test
    void corruptContentImageIsNamed() throws IOException {
        byte[] png = Files.readAllBytes(content);
        Files.write(content, Arrays.copyOf(png, png.length / 2));
        CliRunner.run(args()).assertOneLineError(1, "content image", content.toString(), "corrupt or truncated");
        assertFalse(Files.exists(out));
    }

    @Test
    void notAnImageIsNamed() throws IOException {
        Files.writeString(style2, "hello");
        String[] a = args();
        a[4] = style2.toString();
        CliRunner.run(a).assertOneLineError(1, "style image", style2.toString(), "not a supported image");
    }

    @Test
    void missingStyleImageIsNamed() {
        Path missing = dir.resolve("nope.png");
        String[] a = args();
        a[4] = missing + ":0.5";
        CliRunner.run(a).assertOneLineError(1, "style image not found", missing.toString());
    }

    @Test
    void imageOverThePixelLimit() {
        CliRunner.run(args("--max-pixels", "1000")).assertOneLineError(1, content.toString(), "exceeds the limit of 1000");
    }

    @Test
    void unknownLayerListsTheValidOnes() {
        CliRunner.run(args("--style-layers", "relu1_1,relu9_9"))
                .assertOneLineError(2, "unknown layer 'relu9_9'", "valid layers", "relu1_1", "relu4_2", "pool5");
        CliRunner.run(args("--content-layers", "conv6_1"))
                .assertOneLineError(2, "unknown layer 'conv6_1'", "valid layers");
    }

    @Test
    void missingWeightsFileIsNamed() {
        Path missing = dir.resolve("missing.h5");
        String[] a = args();
        a[6] = missing.toString();
        CliRunner.run(a).assertOneLineError(1, "--weights", "not found", missing.toString());
    }

    @Test
    void invalidWeightsFileIsNamed() {
        String[] a = args();
        a[6] = content.toString();
        CliRunner.run(a).assertOneLineError(1, "--weights", content.toString(), "HDF5");
        a[6] = TinyVgg.resource("tiny_vgg19_wrong_shape.h5").toString();
        CliRunner.run(a).assertOneLineError(1, "--weights", "tiny_vgg19_wrong_shape.h5");
    }

    @Test
    void weightsLineShowsFileFormatChecksumAndConvention() throws IOException {
        CliRunner.Result r = CliRunner.run(args()).assertSuccess();
        Path h5 = Path.of(WEIGHTS).toAbsolutePath();
        assertEquals("Weights: " + h5 + " (Keras HDF5, md5 " + Provenance.md5(h5) + "), image convention CAFFE, compute AUTO (oneDNN)",
                r.err().lines().findFirst().orElseThrow());
    }

    @Test
    void computeModeIsChosenAndReported() {
        CliRunner.Result r = CliRunner.run(args("--compute", "samediff", "--iterations", "2")).assertSuccess();
        assertTrue(r.err().lines().findFirst().orElseThrow().endsWith(", compute SAMEDIFF (SameDiff)"), r.err());
        CliRunner.Result w = CliRunner.run(args("--compute", "winograd", "--iterations", "2")).assertSuccess();
        assertTrue(w.err().lines().findFirst().orElseThrow().endsWith(", compute WINOGRAD (oneDNN)"), w.err());
        CliRunner.Result bad = CliRunner.run(args("--compute", "fast"));
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().startsWith("Invalid value for option '--compute': expected one of [auto, winograd, bf16, samediff]"),
                bad.err());
    }

    @Test
    void matConvNetWeightsAreRecognisedFromTheContent() throws IOException {
        // a MatConvNet file under a Keras-like name: the content decides the reader and the convention
        Path mat = Files.copy(TinyVgg.resource("matconvnet/tiny_vgg19.mat"), dir.resolve("vgg19_weights.h5"));
        CliRunner.Result r = CliRunner.run(args("--weights", mat.toString())).assertSuccess();
        assertEquals("Weights: " + mat.toAbsolutePath() + " (MatConvNet MAT, md5 " + Provenance.md5(mat)
                + "), image convention MATCONVNET, compute AUTO (oneDNN)", r.err().lines().findFirst().orElseThrow());
        assertEquals(32, readPng(out).getWidth());
        CliRunner.Result r16 = CliRunner.run(args("--vgg16", "--iterations", "1", "--weights",
                TinyVgg.resource("matconvnet/tiny_vgg16_old.mat").toString())).assertSuccess();
        assertTrue(r16.err().contains("image convention MATCONVNET(mean 120.5, 115.0, 101.25)"), r16.err());
    }

    @Test
    void onnxWeightsAreRecognisedFromTheContent() throws IOException {
        // torchvision's layout under a Keras-like name: ONNX reader, torchvision convention
        Path onnx = Files.copy(TinyVgg.resource("tiny_vgg19_features.onnx"), dir.resolve("vgg19_weights.h5"));
        CliRunner.Result r = CliRunner.run(args("--weights", onnx.toString())).assertSuccess();
        assertEquals("Weights: " + onnx.toAbsolutePath() + " (ONNX, md5 " + Provenance.md5(onnx)
                + "), image convention IMAGENET, compute AUTO (oneDNN)", r.err().lines().findFirst().orElseThrow());
        assertEquals(32, readPng(out).getWidth());
    }

    @Test
    void unusableWeightsFilesAreOneLineErrors() throws IOException {
        Path text = Files.writeString(dir.resolve("weights.mat"), "no weights here");
        CliRunner.run(args("--weights", text.toString())).assertOneLineError(1, "--weights", text.toString(),
                "unrecognised weights file format", "supported: Keras HDF5 (.h5), MatConvNet MATLAB v5/v7 MAT-file (.mat), ONNX");
        byte[] mat = Files.readAllBytes(TinyVgg.resource("matconvnet/tiny_vgg19.mat"));
        Path cut = Files.write(dir.resolve("cut.mat"), Arrays.copyOf(mat, mat.length / 2));
        CliRunner.run(args("--weights", cut.toString())).assertOneLineError(1, "--weights", cut.toString(),
                "cannot read the MAT-file (truncated or corrupt?)");
        Path noMean = TinyVgg.resource("matconvnet/bad_no_normalization.mat");
        CliRunner.run(args("--weights", noMean.toString())).assertOneLineError(1, "--weights", noMean.toString(),
                "no mean pixel");
        Path onnx = TinyVgg.resource("formats/torch_conv.onnx");
        CliRunner.run(args("--weights", onnx.toString())).assertOneLineError(1, "--weights", onnx.toString(),
                "not a VGG19", "1 convolution");
        assertFalse(Files.exists(out));
    }

    @Test
    void pretrainedWeightsUnavailableOfflineSaysWhereTheyAreCachedAndWhatToDo() {
        Path cache = dir.resolve("cache");
        String[] saved = {System.getProperty(WeightsCache.DIRECTORY_PROPERTY), System.getProperty(WeightsCache.OFFLINE_PROPERTY)};
        System.setProperty(WeightsCache.DIRECTORY_PROPERTY, cache.toString());
        System.setProperty(WeightsCache.OFFLINE_PROPERTY, "true");
        try {
            List<String> a = new ArrayList<>(List.of(args()));
            a.subList(5, 7).clear(); // no --weights
            CliRunner.Result r = CliRunner.run(a.toArray(String[]::new));
            Path expected = cache.resolve("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5");
            r.assertOneLineError(1, "pretrained VGG19 weights are not available", "offline", expected.toString(),
                    "--weights");
            assertTrue(r.err().contains("Pretrained VGG19 weights: " + expected), r.err());
            assertFalse(Files.exists(cache), "offline mode writes nothing");
        } finally {
            restore(WeightsCache.DIRECTORY_PROPERTY, saved[0]);
            restore(WeightsCache.OFFLINE_PROPERTY, saved[1]);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    @Test
    void outputInAMissingDirectoryFailsBeforeTheRun() {
        out = dir.resolve("no/such/dir/out.png");
        CliRunner.Result r = CliRunner.run(args());
        r.assertOneLineError(1, "--out", out.toString(), "does not exist");
        assertFalse(r.err().contains("stylize "), "should fail before the run: " + r.err());
    }

    @Test
    void outputThatIsADirectoryFails() throws IOException {
        out = Files.createDirectory(dir.resolve("d.png"));
        CliRunner.run(args()).assertOneLineError(1, "--out", out.toString(), "directory");
    }

    @Test
    void outputWithAnUnsupportedExtensionIsAUsageError() {
        out = dir.resolve("out.gif");
        CliRunner.run(args()).assertOneLineError(2, "--out", ".png");
    }

    @Test
    void lossLogThatCannotBeCreated() {
        Path log = dir.resolve("no/dir/l.csv");
        CliRunner.run(args("--loss-log", log.toString())).assertOneLineError(1, "--loss-log", log.toString());
    }

    @Test
    void invalidNumbersAreUsageErrors() {
        CliRunner.run(args("--size", "0")).assertOneLineError(2, "--size", "0");
        CliRunner.run(args("--size", "-5")).assertOneLineError(2, "--size");
        CliRunner.run(args("--iterations", "0")).assertOneLineError(2, "--iterations");
        CliRunner.run(args("--content-weight", "-1")).assertOneLineError(2, "--content-weight");
        CliRunner.run(args("--style-weight=-0.5")).assertOneLineError(2, "--style-weight");
        CliRunner.run(args("--tv-weight", "-1e-3")).assertOneLineError(2, "--tv-weight");
        CliRunner.run(args("--tv-weight", "NaN")).assertOneLineError(2, "--tv-weight");
        CliRunner.run(args("--learning-rate", "0")).assertOneLineError(2, "--learning-rate");
        CliRunner.run(args("--style-scale", "0")).assertOneLineError(2, "--style-scale");
        CliRunner.run(args("--save-every", "0")).assertOneLineError(2, "--save-every");
        CliRunner.run(args("--max-pixels", "0")).assertOneLineError(2, "--max-pixels");
        String[] a = args();
        a[4] = style + ":0";
        CliRunner.run(a).assertOneLineError(2, "blend weights");
    }

    @Test
    void malformedValuesAreUsageErrors() {
        // found by picocli while parsing: one line with the configured handler (as main uses)
        runConfigured("--size", "abc").assertOneLineError(2, "--size", "abc");
        runConfigured("--content-layers", "relu4_2:-1").assertOneLineError(2, "--content-layers", "-1");
        runConfigured("--optimizer", "sgd").assertOneLineError(2, "--optimizer", "sgd", "lbfgs", "adam");
        runConfigured("--style", style + ":-1").assertOneLineError(2, "--style", "-1");
        runConfigured("--bogus").assertOneLineError(2, "--bogus");
        // with a plain CommandLine picocli adds the usage after the message
        CliRunner.Result plain = CliRunner.run(args("--size", "abc"));
        assertEquals(2, plain.exitCode());
        assertTrue(plain.err().contains("--size") && plain.err().contains("Usage:"), plain.err());
    }

    @Test
    void sizeTooSmallForTheLayersIsAUsageError() {
        CliRunner.run(args("--size", "8")).assertOneLineError(2, "--size 8 is too small", "relu5_1", "16 x 16");
        CliRunner.run(args("--size", "24", "--style-scale", "0.5"))
                .assertOneLineError(2, "style image", "--style-scale", "relu5_1");
    }

    @Test
    void infiniteLossAtTheStartWritesTheStartingImageAndFails() throws IOException {
        CliRunner.run(args("--style-weight", "1e300")).assertOneLineError(1, "NaN or infinite", out.toString());
        assertEquals(32, readPng(out).getWidth());
    }

    @Test
    void lossBlowingUpMidRunWritesTheLastFiniteImageAndFails() throws IOException {
        Path log = dir.resolve("l.csv");
        CliRunner.run(args("--learning-rate", "1e20", "--loss-log", log.toString()))
                .assertOneLineError(1, "NaN or infinite at iteration 1", "iteration 0", out.toString());
        assertEquals(32, readPng(out).getWidth());
        assertEquals(1, csvRows(log).size(), "the log keeps the finite iterations");
    }

    @Test
    void verboseAddsTheStackTrace() {
        Path missing = dir.resolve("nope.png");
        String[] a = args();
        a[2] = missing.toString();
        List<String> verbose = new ArrayList<>(List.of(a));
        verbose.add("--verbose");
        CliRunner.Result r = CliRunner.run(verbose.toArray(String[]::new));
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith(Messages.ERROR_PREFIX + "content image not found: " + missing), r.err());
        assertTrue(r.err().contains("NoSuchFileException") && r.err().contains("\tat "), r.err());
        List<String> early = new ArrayList<>(List.of("-v"));
        early.addAll(List.of(a));
        assertTrue(CliRunner.run(early.toArray(String[]::new)).err().contains("\tat "));
    }
}
