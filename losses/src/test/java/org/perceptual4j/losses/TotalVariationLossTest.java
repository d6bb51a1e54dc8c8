package org.perceptual4j.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.perceptual4j.losses.LossTesting.GOLDEN_TOL;
import static org.perceptual4j.losses.LossTesting.assertRelClose;
import static org.perceptual4j.losses.LossTesting.golden;
import static org.perceptual4j.losses.LossTesting.goldenScalar;
import static org.perceptual4j.losses.LossTesting.randn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.losses.TotalVariationLoss.Norm;
import org.perceptual4j.testing.GradientCheck;

class TotalVariationLossTest {

    static Stream<Arguments> allVariants() {
        return Stream.of(Norm.values()).flatMap(n -> Stream.of(Reduction.values()).map(r -> Arguments.of(n, r)));
    }

    /** The number of neighbour differences the documentation says MEAN divides by. */
    static long differenceCount(Norm norm, long[] shape) {
        long n = shape[0] * shape[1];
        long h = shape[2];
        long w = shape[3];
        return norm == Norm.SQUARED ? n * 2 * (h - 1) * (w - 1) : n * (h * (w - 1) + (h - 1) * w);
    }

    /**
     * An image whose values are distinct multiples of 1/8 in random order, so neighbours differ by at
     * least 1/8: a finite-difference step of 1/64 never crosses the kink of |d| at 0.
     */
    static INDArray wellSeparated(long seed, long... shape) {
        int len = (int) (shape[0] * shape[1] * shape[2] * shape[3]);
        List<Float> values = new ArrayList<>();
        for (int i = 0; i < len; i++) {
            values.add((i - len / 2) / 8f);
        }
        Collections.shuffle(values, new Random(seed));
        float[] v = new float[len];
        for (int i = 0; i < len; i++) {
            v[i] = values.get(i);
        }
        return Nd4j.create(v, shape, 'c');
    }

    @ParameterizedTest
    @MethodSource("allVariants")
    void constantImageGivesExactlyZero(Norm norm, Reduction reduction) {
        TotalVariationLoss loss = new TotalVariationLoss(norm, reduction);
        INDArray x = Nd4j.valueArrayOf(new long[] {2, 3, 4, 5}, 0.37f);
        assertEquals(0.0, loss.compute(x));
        assertEquals(0.0, loss.compute(x, x.dup()), "identical input and target");
        if (norm == Norm.SQUARED) { // |d| has no derivative at 0, so only the squared norm has a defined zero gradient
            assertEquals(0.0, loss.gradient(x, null).amaxNumber().doubleValue());
        }
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void squaredGradientMatchesFiniteDifferences(Reduction reduction) {
        TotalVariationLoss loss = new TotalVariationLoss(Norm.SQUARED, reduction);
        INDArray x = randn(1, 1, 2, 5, 6);
        INDArray g = loss.gradient(x, null);
        GradientCheck.of(y -> loss.compute(y)).floor(1e-2 * g.amaxNumber().doubleValue())
                .check(x, g).assertMatches(1e-2);
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void l1GradientMatchesFiniteDifferences(Reduction reduction) {
        TotalVariationLoss loss = new TotalVariationLoss(Norm.L1, reduction);
        INDArray x = wellSeparated(2, 1, 2, 5, 6);
        INDArray g = loss.gradient(x, null);
        // the gradient is a sum of signs (times 1/count for MEAN); the floor is one such sign
        double unit = reduction == Reduction.SUM ? 1 : 1.0 / differenceCount(Norm.L1, x.shape());
        GradientCheck.of(y -> loss.compute(y)).step(1.0 / 64).floor(unit).check(x, g).assertMatches(1e-3);
    }

    @Test
    void squaredMatchesPyTorch() {
        TotalVariationLoss loss = new TotalVariationLoss(Norm.SQUARED);
        INDArray x = golden("tv_input");
        assertRelClose(goldenScalar("tv_sq_value"), loss.compute(x), GOLDEN_TOL, "value");
        assertRelClose(golden("tv_sq_grad"), loss.gradient(x, null), GOLDEN_TOL, "gradient");
    }

    @Test
    void l1MatchesPyTorch() {
        TotalVariationLoss loss = new TotalVariationLoss(Norm.L1);
        INDArray x = golden("tv_input");
        assertRelClose(goldenScalar("tv_l1_value"), loss.compute(x), GOLDEN_TOL, "value");
        assertRelClose(golden("tv_l1_grad"), loss.gradient(x, null), GOLDEN_TOL, "gradient");
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void meanIsPyTorchsSumDividedByTheNumberOfDifferences(Norm norm) {
        TotalVariationLoss loss = new TotalVariationLoss(norm, Reduction.MEAN);
        INDArray x = golden("tv_input");
        String prefix = norm == Norm.SQUARED ? "tv_sq" : "tv_l1";
        long count = differenceCount(norm, x.shape());
        assertRelClose(goldenScalar(prefix + "_value") / count, loss.compute(x), GOLDEN_TOL, "value");
        assertRelClose(golden(prefix + "_grad").div(count), loss.gradient(x, null), GOLDEN_TOL, "gradient");
    }

    @ParameterizedTest
    @MethodSource("allVariants")
    void graphPathAgreesWithCompute(Norm norm, Reduction reduction) {
        TotalVariationLoss loss = new TotalVariationLoss(norm, reduction);
        INDArray x = golden("tv_input");
        assertRelClose(loss.compute(x), LossTesting.valueViaGraph(loss, x, null), 1e-6, "value");
        assertRelClose(loss.gradient(x, null), LossTesting.gradientViaGraph(loss, x, null), 1e-6, "gradient");
    }

    @Test
    void theTargetIsIgnored() {
        TotalVariationLoss loss = new TotalVariationLoss();
        INDArray x = golden("tv_input");
        INDArray unrelated = randn(3, 2, 7, 1, 1);
        assertEquals(loss.compute(x), loss.compute(x, unrelated));
        assertEquals(loss.gradient(x, null), loss.gradient(x, unrelated));
    }

    @Test
    void smallestImageIsTwoByTwo() {
        // one grid point: 0.5 * ((b - a)^2 + (c - a)^2) for [[a, b], [c, d]]
        INDArray x = Nd4j.create(new float[] {1, 3, 4, 9}, new long[] {1, 1, 2, 2}, 'c');
        assertEquals(0.5 * (4 + 9), new TotalVariationLoss().compute(x), 1e-6);
        // |3 - 1| + |9 - 4| + |4 - 1| + |9 - 3|
        assertEquals(16, new TotalVariationLoss(Norm.L1).compute(x), 1e-6);
    }

    @Test
    void tooSmallImagesAreRejectedWithTheShape() {
        TotalVariationLoss loss = new TotalVariationLoss();
        assertEquals("input: expected height and width >= 2, got [1, 3, 1, 5]",
                assertThrows(IllegalArgumentException.class, () -> loss.compute(Nd4j.zeros(1, 3, 1, 5))).getMessage());
        assertEquals("input: expected height and width >= 2, got [1, 3, 5, 1]",
                assertThrows(IllegalArgumentException.class, () -> loss.gradient(Nd4j.zeros(1, 3, 5, 1), null)).getMessage());
        assertEquals("input: expected NCHW (rank 4), got [3, 4]",
                assertThrows(IllegalArgumentException.class, () -> loss.compute(Nd4j.zeros(3, 4))).getMessage());
        assertEquals("input: expected an NCHW array, got null",
                assertThrows(IllegalArgumentException.class, () -> loss.compute(null)).getMessage());
    }

    @Test
    void nullArgumentsOfConstructorsAreRejected() {
        assertEquals("norm: expected a value, got null",
                assertThrows(IllegalArgumentException.class, () -> new TotalVariationLoss((Norm) null)).getMessage());
        assertEquals("reduction: expected a value, got null",
                assertThrows(IllegalArgumentException.class, () -> new TotalVariationLoss(Norm.L1, null)).getMessage());
    }

    @Test
    void defaultsAndToString() {
        TotalVariationLoss loss = new TotalVariationLoss();
        assertEquals(Norm.SQUARED, loss.norm());
        assertEquals(Reduction.SUM, loss.reduction());
        assertEquals(Reduction.SUM, new TotalVariationLoss(Norm.L1).reduction());
        assertEquals("TotalVariationLoss[L1, MEAN]", new TotalVariationLoss(Norm.L1, Reduction.MEAN).toString());
    }
}
