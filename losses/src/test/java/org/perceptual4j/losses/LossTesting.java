package org.perceptual4j.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.internal.Graphs;

/**
 * Shared helpers of the loss tests: the PyTorch goldens of
 * {@code losses/src/test/python/generate_loss_golden.py}, seeded arrays, tolerant comparisons and the
 * "graph path" (a loss's {@link Loss#define} in a SameDiff graph built here by hand).
 */
final class LossTesting {
    /** Tolerance against the goldens (float32 computation vs float64 reference). */
    static final double GOLDEN_TOL = 1e-4;

    private LossTesting() {
    }

    /** A golden array from src/test/resources/golden/NAME.npy. */
    static INDArray golden(String name) {
        URL url = LossTesting.class.getResource("/golden/" + name + ".npy");
        if (url == null) {
            throw new IllegalStateException("missing golden/" + name + ".npy (run losses/src/test/python/generate_loss_golden.py)");
        }
        try {
            return Nd4j.createFromNpyFile(new File(url.toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The scalar of a golden (1,) array. */
    static double goldenScalar(String name) {
        return golden(name).getDouble(0);
    }

    /** FLOAT array of standard normal values from java.util.Random (independent of ND4J's RNG state). */
    static INDArray randn(long seed, long... shape) {
        Random r = new Random(seed);
        float[] v = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Nd4j.create(v, shape, 'c');
    }

    /** Non-negative "relu feature map" values, like the goldens' inputs: 10 * max(N(0.3, 1), 0). */
    static INDArray reluLike(long seed, long... shape) {
        INDArray x = randn(seed, shape).addi(0.3);
        return org.nd4j.linalg.ops.transforms.Transforms.relu(x, false).muli(10);
    }

    /** Asserts |actual - expected| &lt;= relTol * |expected|. */
    static void assertRelClose(double expected, double actual, double relTol, String what) {
        double err = Math.abs(actual - expected);
        assertTrue(err <= relTol * Math.abs(expected), what + ": expected " + expected + ", got " + actual
                + " (relative error " + err / Math.abs(expected) + " > " + relTol + ")");
    }

    /** Asserts equal shapes and max|actual - expected| &lt;= relTol * max|expected|. */
    static void assertRelClose(INDArray expected, INDArray actual, double relTol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        INDArray e = expected.castTo(DataType.DOUBLE);
        double scale = e.amaxNumber().doubleValue();
        double err = e.sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(err <= relTol * scale, what + ": max abs error " + err + " relative to max |expected| " + scale
                + " = " + err / scale + " > " + relTol + " (shape " + Arrays.toString(expected.shape()) + ")");
    }

    /**
     * The loss through a graph built by hand: the input a FLOAT placeholder with unknown batch and
     * spatial sizes (as inside a larger network), the target a constant (or none).
     */
    static double valueViaGraph(Loss loss, INDArray input, INDArray target) {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("x", DataType.FLOAT, -1, input.size(1), -1, -1);
        SDVariable t = target == null ? null : sd.constant("t", target.castTo(DataType.FLOAT));
        SDVariable out = loss.define(sd, in, t);
        Map<String, INDArray> r = sd.output(Map.of("x", input.castTo(DataType.FLOAT)), out.name());
        return r.get(out.name()).getDouble(0);
    }

    /** The gradient of the loss with respect to the input through a graph built by hand (input a variable). */
    static INDArray gradientViaGraph(Loss loss, INDArray input, INDArray target) {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.var("x", input.castTo(DataType.FLOAT).dup());
        SDVariable t = target == null ? null : sd.constant("t", target.castTo(DataType.FLOAT));
        SDVariable out = loss.define(sd, in, t);
        sd.setLossVariables(out);
        Graphs.createGradFunction(sd, "x");
        return sd.calculateGradients(Map.of(), "x").get("x");
    }
}
