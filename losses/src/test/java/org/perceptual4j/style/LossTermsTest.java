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
        INDArray g = Nd4j.valueArrayOf(f.shape(), 99f);   // overwritten, not accumulated
        double v = new LossTerms.Content(p, 2.5).evaluate(f, g);
        assertClose(2.5 * new ContentLoss().compute(f, p), v, "value");
        assertClose(new ContentLoss().gradient(f, p).mul(2.5), g, "gradient");
    }

    @ParameterizedTest(name = "style image {0}x{1}")
    @CsvSource({"7, 9", "11, 4"})
    void styleMatchesStyleLoss(int h, int w) {
        INDArray f = randn(1, 3, 1, 6, 7, 9);
        INDArray s = randn(2, 3, 1, 6, h, w);
        INDArray target = StyleLoss.gram(s);
        INDArray g = Nd4j.valueArrayOf(f.shape(), 99f);
        LossTerms.Style term = new LossTerms.Style(target, 40);
        // twice: the Gram buffer is reused
        term.evaluate(randn(3, 3, 1, 6, 7, 9), g, false);
        double v = term.evaluate(f, g, false);
        // the loss against a style image of another size is the loss against its Gram matrix
        assertClose(40 * new StyleLoss().compute(f, s), v, "value");
        INDArray expected = new StyleLoss().gradient(f, s).mul(40);
        assertClose(expected, g, "gradient");
        INDArray base = randn(4, 1, 1, 6, 7, 9);
        INDArray sum = base.dup();
        term.evaluate(f, sum, true);
        assertClose(base.add(expected), sum, "accumulated gradient");
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
