package org.perceptual4j.vgg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The small random-weight networks and PyTorch golden values written by
 * {@code vgg-import/src/test/python/generate_vgg_golden.py} (see golden/README.md beside them).
 */
public final class TinyVgg {
    private TinyVgg() {
    }

    /** A test resource of this package, e.g. "tiny_vgg19_notop.h5" or "golden/grad.npy". */
    public static Path resource(String name) {
        return resource(TinyVgg.class, name, "generate_vgg_golden.py");
    }

    /**
     * A test resource next to {@code owner}, as a file (copied out of the test-jar when other modules'
     * tests run: the HDF5 and ONNX readers need real files).
     *
     * @param generator the script that writes it, named in the error when it is missing
     */
    public static Path resource(Class<?> owner, String name, String generator) {
        URL url = owner.getResource(name);
        String where = owner.getPackageName().replace('.', '/') + "/" + name;
        if (url == null) {
            throw new IllegalStateException("missing test resource " + where + " (run vgg-import/src/test/python/" + generator + ")");
        }
        if (!"file".equals(url.getProtocol())) {
            return COPIES.computeIfAbsent(where, n -> copyToTempFile(url, n));
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final java.util.Map<String, Path> COPIES = new java.util.concurrent.ConcurrentHashMap<>();

    private static Path copyToTempFile(URL url, String name) {
        try (java.io.InputStream in = url.openStream()) {
            Path dir = java.nio.file.Files.createTempDirectory("tinyvgg");
            Path file = dir.resolve(name.replace('/', '_'));
            java.nio.file.Files.copy(in, file);
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot copy test resource " + name, e);
        }
    }

    /** The tiny VGG19 (block widths 4, 8, 12, 16, 16) in the keras-applications notop layout. */
    public static VggFeatureExtractor vgg19() {
        try {
            return Vgg19.fromKeras(resource("tiny_vgg19_notop.h5"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A golden array from golden/NAME.npy. */
    public static INDArray golden(String name) {
        return Nd4j.createFromNpyFile(resource("golden/" + name + ".npy").toFile());
    }

    /** A golden array of the MatConvNet fixtures, matconvnet/golden/NAME.npy ({@code generate_matconvnet.py}). */
    public static INDArray matConvNetGolden(String name) {
        return Nd4j.createFromNpyFile(resource("matconvnet/golden/" + name + ".npy").toFile());
    }

    /** Asserts max|actual - expected| / max|expected| <= relTol, with the shapes equal. */
    public static void assertClose(INDArray expected, INDArray actual, double relTol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double scale = expected.amaxNumber().doubleValue();
        double err = expected.castTo(actual.dataType()).sub(actual).amaxNumber().doubleValue();
        double rel = err / Math.max(scale, 1e-30);
        assertTrue(rel <= relTol, what + ": max abs error " + err + " relative to max " + scale + " = " + rel
                + " > " + relTol + " (shape " + Arrays.toString(expected.shape()) + ")");
    }

    /** Asserts |actual - expected| / |expected| <= relTol. */
    public static void assertClose(double expected, double actual, double relTol, String what) {
        double rel = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-30);
        assertTrue(rel <= relTol, what + ": expected " + expected + ", got " + actual + " (relative error " + rel + ")");
    }
}
