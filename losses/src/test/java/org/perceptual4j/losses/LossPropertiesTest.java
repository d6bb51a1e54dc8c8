package org.perceptual4j.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.losses.TotalVariationLoss.Norm;

/** Invariants of the losses on small random arrays (jqwik; tries kept low, every try builds SameDiff graphs). */
class LossPropertiesTest {

    private static void assertClose(double expected, double actual, double relTol, String what) {
        double tol = relTol * Math.max(Math.abs(expected), Math.abs(actual)) + 1e-7;
        assertTrue(Math.abs(expected - actual) <= tol, what + ": " + expected + " vs " + actual);
    }

    /** Multiples of 1/16 in [-2, 2]: sums, differences and squares of these are exact in float. */
    private static INDArray dyadic(long seed, long... shape) {
        Random r = new Random(seed);
        float[] v = new float[(int) (shape[0] * shape[1] * shape[2] * shape[3])];
        for (int i = 0; i < v.length; i++) {
            v[i] = (r.nextInt(65) - 32) / 16f;
        }
        return Nd4j.create(v, shape, 'c');
    }

    private static List<Loss> allLosses() {
        List<Loss> all = new ArrayList<>();
        for (Reduction r : Reduction.values()) {
            all.add(new ContentLoss(r));
            all.add(new StyleLoss(r));
            all.add(new TotalVariationLoss(Norm.SQUARED, r));
            all.add(new TotalVariationLoss(Norm.L1, r));
        }
        return all;
    }

    @Property(tries = 30)
    void lossesAreNonNegative(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 4) int c,
            @ForAll @IntRange(min = 2, max = 5) int h, @ForAll @IntRange(min = 2, max = 5) int w, @ForAll long seed) {
        INDArray x = LossTesting.randn(seed, n, c, h, w);
        INDArray t = LossTesting.randn(seed + 1, n, c, h, w);
        for (Loss l : allLosses()) {
            double v = l.compute(x, t);
            assertTrue(v >= 0, l + " gave " + v);
        }
    }

    @Property(tries = 30)
    void contentLossIsSymmetric(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 4) int c,
            @ForAll @IntRange(min = 1, max = 5) int h, @ForAll @IntRange(min = 1, max = 5) int w, @ForAll long seed) {
        INDArray a = LossTesting.randn(seed, n, c, h, w);
        INDArray b = LossTesting.randn(seed + 1, n, c, h, w);
        for (Reduction r : Reduction.values()) {
            ContentLoss l = new ContentLoss(r);
            // (a - b)^2 and (b - a)^2 are the same floats, summed in the same order
            assertEquals(l.compute(a, b), l.compute(b, a), l.toString());
        }
    }

    @Property(tries = 30)
    void styleLossIgnoresWherePixelsAre(@ForAll @IntRange(min = 1, max = 4) int c, @ForAll @IntRange(min = 1, max = 5) int h,
            @ForAll @IntRange(min = 1, max = 5) int w, @ForAll long seed) {
        INDArray x = LossTesting.randn(seed, 1, c, h, w);
        INDArray t = LossTesting.randn(seed + 1, 1, c, 3, 4);
        // the same permutation of the H*W positions in every channel
        List<Integer> perm = new ArrayList<>();
        for (int i = 0; i < h * w; i++) {
            perm.add(i);
        }
        Collections.shuffle(perm, new Random(seed));
        float[] src = x.dup('c').data().asFloat();
        float[] dst = new float[src.length];
        for (int ch = 0; ch < c; ch++) {
            for (int p = 0; p < h * w; p++) {
                dst[ch * h * w + p] = src[ch * h * w + perm.get(p)];
            }
        }
        INDArray shuffled = Nd4j.create(dst, new long[] {1, c, h, w}, 'c');
        INDArray transposed = x.permute(0, 1, 3, 2); // a view: the loss must read it as [1, C, W, H]
        StyleLoss l = new StyleLoss(); // SUM is a constant multiple of MEAN (see meanIsSumDividedByTheTermCount)
        double v = l.compute(x, t);
        assertClose(v, l.compute(shuffled, t), 1e-4, "shuffled");
        assertClose(v, l.compute(transposed, t), 1e-4, "H and W transposed");
        LossTesting.assertRelClose(StyleLoss.gram(x), StyleLoss.gram(shuffled), 1e-5, "gram of shuffled");
        LossTesting.assertRelClose(StyleLoss.gram(x), StyleLoss.gram(transposed), 1e-5, "gram of transposed");
    }

    @Property(tries = 30)
    void totalVariationIgnoresAConstantOffset(@ForAll @IntRange(min = 1, max = 3) int c, @ForAll @IntRange(min = 2, max = 6) int h,
            @ForAll @IntRange(min = 2, max = 6) int w, @ForAll @IntRange(min = -8, max = 8) int offsetSixteenths, @ForAll long seed) {
        INDArray x = dyadic(seed, 1, c, h, w);
        INDArray shifted = x.add(offsetSixteenths / 16f); // exact: all values are multiples of 1/16 below 3
        for (Norm norm : Norm.values()) {
            for (Reduction r : Reduction.values()) {
                TotalVariationLoss l = new TotalVariationLoss(norm, r);
                assertEquals(l.compute(x), l.compute(shifted), l.toString());
            }
        }
    }

    @Property(tries = 30)
    void squaredTotalVariationScalesWithTheSquareAndL1Linearly(@ForAll @IntRange(min = 1, max = 3) int c,
            @ForAll @IntRange(min = 2, max = 6) int h, @ForAll @IntRange(min = 2, max = 6) int w,
            @ForAll @DoubleRange(min = -10, max = 10) double s, @ForAll long seed) {
        INDArray x = LossTesting.randn(seed, 1, c, h, w);
        INDArray scaled = x.mul(s);
        for (Reduction r : Reduction.values()) {
            TotalVariationLoss sq = new TotalVariationLoss(Norm.SQUARED, r);
            TotalVariationLoss l1 = new TotalVariationLoss(Norm.L1, r);
            assertClose(s * s * sq.compute(x), sq.compute(scaled), 1e-5, sq.toString());
            assertClose(Math.abs(s) * l1.compute(x), l1.compute(scaled), 1e-5, l1.toString());
        }
    }

    @Property(tries = 30)
    void meanIsSumDividedByTheTermCount(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 4) int c,
            @ForAll @IntRange(min = 2, max = 5) int h, @ForAll @IntRange(min = 2, max = 5) int w, @ForAll long seed) {
        INDArray x = LossTesting.randn(seed, n, c, h, w);
        INDArray t = LossTesting.randn(seed + 1, n, c, h, w);
        long[] shape = x.shape();
        assertClose(new ContentLoss(Reduction.SUM).compute(x, t) / x.length(), new ContentLoss(Reduction.MEAN).compute(x, t),
                1e-5, "content: count N*C*H*W");
        assertClose(new StyleLoss(Reduction.SUM).compute(x, t) / (n * c * c), new StyleLoss(Reduction.MEAN).compute(x, t),
                1e-5, "style: count N*C*C");
        for (Norm norm : Norm.values()) {
            long count = TotalVariationLossTest.differenceCount(norm, shape);
            assertClose(new TotalVariationLoss(norm, Reduction.SUM).compute(x) / count,
                    new TotalVariationLoss(norm, Reduction.MEAN).compute(x), 1e-5, "tv " + norm + ": count " + count);
        }
    }
}
