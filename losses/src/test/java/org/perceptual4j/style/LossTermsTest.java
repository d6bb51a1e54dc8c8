package org.perceptual4j.style;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.losses.ContentLoss;
import org.perceptual4j.losses.StyleLoss;
import org.perceptual4j.losses.TotalVariationLoss;

/** The closed-form terms against the losses' SameDiff definitions (values and gradients, 1e-5 relative). */
class LossTermsTest {
    private static final double TOL = 1e-5;

    private static INDArray randn(long seed, double scale, long... shape) {
        Random r = new Random(seed);
        float[] v = new float[(int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return Nd4j.create(v, shape, 'c');
    }

    private static void assertClose(double expected, double actual, String what) {
        assertTrue(Math.abs(expected - actual) <= TOL * Math.abs(expected), what + ": expected " + expected + ", got " + actual);
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double err = expected.sub(actual).amaxNumber().doubleValue();
        double scale = expected.amaxNumber().doubleValue();
        assertTrue(err <= TOL * scale, what + ": max error " + err + " relative to max " + scale);
    }

    @Test
    void contentMatchesContentLoss() {
        INDArray f = randn(1, 3, 1, 5, 7, 9);
        INDArray p = randn(2, 3, 1, 5, 7, 9);
        INDArray g = f.dup();
        double[] v = new LossTerms.Layer(p, 2.5, null, 0).evaluate(g);
        assertClose(2.5 * new ContentLoss().compute(f, p), v[0], "value");
        assertEquals(0.0, v[1], "no style term");
        assertClose(new ContentLoss().gradient(f, p).mul(2.5), g, "gradient, written over the features");
    }

    @ParameterizedTest(name = "style image {0}x{1}, block {2}")
    @CsvSource({"7, 9, 1000000", "11, 4, 1000000", "7, 9, 4"})
    void styleMatchesStyleLoss(int h, int w, long blockColumns) {
        INDArray f = randn(1, 3, 1, 6, 7, 9);
        INDArray s = randn(2, 3, 1, 6, h, w);
        LossTerms.Layer term = new LossTerms.Layer(null, 0, StyleLoss.gram(s), 40, blockColumns * 6);
        term.evaluate(randn(3, 3, 1, 6, 7, 9));   // buffers are reused
        INDArray g = f.dup();
        double[] v = term.evaluate(g);
        // the loss against a style image of another size is the loss against its Gram matrix
        assertClose(40 * new StyleLoss().compute(f, s), v[1], "value");
        assertEquals(0.0, v[0], "no content term");
        assertClose(new StyleLoss().gradient(f, s).mul(40), g, "gradient, written over the features");
    }

    @ParameterizedTest(name = "block {0}")
    @CsvSource({"1000000", "5"})
    void contentAndStyleOnOneLayerSumTheirGradients(long blockColumns) {
        INDArray f = randn(1, 3, 1, 6, 7, 9);
        INDArray p = randn(2, 3, 1, 6, 7, 9);
        INDArray s = randn(3, 3, 1, 6, 8, 8);
        INDArray g = f.dup();
        double[] v = new LossTerms.Layer(p, 5, StyleLoss.gram(s), 100, blockColumns * 6).evaluate(g);
        assertClose(5 * new ContentLoss().compute(f, p), v[0], "content value");
        assertClose(100 * new StyleLoss().compute(f, s), v[1], "style value");
        assertClose(new ContentLoss().gradient(f, p).mul(5).add(new StyleLoss().gradient(f, s).mul(100)), g, "gradient");
    }

    @ParameterizedTest(name = "{0} {1}x{2}")
    @CsvSource({"SQUARED, 6, 9", "SQUARED, 2, 2", "L1, 5, 8", "L1, 3, 2"})
    void totalVariationMatchesTotalVariationLoss(TotalVariationLoss.Norm norm, int h, int w) {
        INDArray x = randn(5, 30, 1, 3, h, w);
        if (norm == TotalVariationLoss.Norm.L1) {
            // equal neighbours: |d| has gradient 0 there in both definitions
            x.putScalar(new long[] {0, 1, 0, 1}, x.getFloat(0, 1, 0, 0));
        }
        INDArray base = randn(6, 1, 1, 3, h, w);
        INDArray g = base.dup();
        LossTerms.TotalVariation term = new LossTerms.TotalVariation(norm, 1e-3);
        term.evaluate(x.mul(0.5), g.dup());  // buffers reused
        double v = term.evaluate(x, g);
        TotalVariationLoss loss = new TotalVariationLoss(norm);
        assertClose(1e-3 * loss.compute(x), v, "value");
        assertClose(base.add(loss.gradient(x, null).mul(1e-3)), g, "gradient added");
        assertEquals(DataType.FLOAT, g.dataType());
    }
}
