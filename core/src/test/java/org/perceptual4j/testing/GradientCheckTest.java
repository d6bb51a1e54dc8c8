package org.perceptual4j.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GradientCheckTest {

    /** sum(x^2), accepting FLOAT only, as many ND4J graphs do. */
    private static final ToDoubleFunction<INDArray> SUM_OF_SQUARES = x -> {
        if (x.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("FLOAT only, got " + x.dataType());
        }
        return x.mul(x).sumNumber().doubleValue();
    };

    private static INDArray randomFloat(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.FLOAT, shape);
    }

    @Test
    void passesForTheRightGradientOfSumOfSquares() {
        INDArray x = randomFloat(1, 2, 3, 4);
        INDArray before = x.dup();
        // FLOAT: f carries ~1e-7 relative rounding, so 1e-2 is the realistic tolerance (see GradientCheck)
        GradientCheck.Report r = GradientCheck.check(SUM_OF_SQUARES, x, x.mul(2)).assertMatches(1e-2);
        assertEquals(24, r.entries().size(), "small arrays are checked in full");
        assertEquals(before, x, "x is not modified");
    }

    @Test
    void failsForAWrongGradient() {
        INDArray x = randomFloat(2, 3, 5);
        AssertionError e = assertThrows(AssertionError.class,
                () -> GradientCheck.check(SUM_OF_SQUARES, x, x.mul(3)).assertMatches(1e-2));
        assertTrue(e.getMessage().startsWith("gradient check failed: max relative error"), e.getMessage());
    }

    @Test
    void namesTheWorstCoordinate() {
        INDArray x = Nd4j.createFromArray(new float[][] {{1, -2, 3}, {0.5f, 4, -1}});
        INDArray wrong = x.mul(2);
        wrong.putScalar(1, 2, 5.0); // true value -2
        GradientCheck.Report r = GradientCheck.check(SUM_OF_SQUARES, x, wrong);
        assertArrayEquals(new long[] {1, 2}, r.worstCoordinate());
        assertEquals(5, r.worst().flatIndex());
        assertEquals(-2.0, r.worst().numeric(), 1e-3);
        assertEquals(7.0 / 5.0, r.maxRelativeError(), 1e-3);
        AssertionError e = assertThrows(AssertionError.class, () -> r.assertMatches(1e-2));
        assertTrue(e.getMessage().contains("at [1, 2]: analytic 5.00000, numeric -2.0000"), e.getMessage());
        assertTrue(e.getMessage().contains("1 of 6 checked coordinates exceed"), e.getMessage());
    }

    @Test
    void checksASeededSubsetOfLargeArrays() {
        INDArray x = randomFloat(3, 1, 3, 16, 16);
        // f sums 768 float squares: its rounding noise, ~1e-3 in the difference quotient, needs an absolute floor
        GradientCheck.Builder check = GradientCheck.of(SUM_OF_SQUARES).maxCoordinates(20).seed(7).floor(0.05);
        GradientCheck.Report a = check.check(x, x.mul(2)).assertMatches(1e-2);
        GradientCheck.Report b = check.check(x, x.mul(2));
        assertEquals(20, a.entries().size());
        assertEquals(768, a.totalCoordinates());
        List<Long> ia = a.entries().stream().map(GradientCheck.Entry::flatIndex).toList();
        assertEquals(ia, b.entries().stream().map(GradientCheck.Entry::flatIndex).toList(), "same seed, same coordinates");
        assertEquals(20, ia.stream().distinct().count());
    }

    @Test
    void theStepIsRelativeToTheScaleOfX() {
        INDArray x = randomFloat(4, 10).muli(255);
        double scale = x.amaxNumber().doubleValue();
        GradientCheck.Report r = GradientCheck.of(SUM_OF_SQUARES).epsilon(1e-3).check(x, x.mul(2)).assertMatches(1e-2);
        assertEquals(1e-3 * scale, r.step(), 1e-9 * scale);
    }

    @Test
    void theDefaultFloorFollowsTheGradientScale() {
        // the second component's true gradient is 0; float noise must not count as 100% error
        INDArray x = Nd4j.createFromArray(1000f, 0f, -500f);
        GradientCheck.Report r = GradientCheck.check(SUM_OF_SQUARES, x, x.mul(2)).assertMatches(1e-2);
        assertEquals(GradientCheck.DEFAULT_RELATIVE_FLOOR * 2000, r.floor(), 1e-9);
        assertEquals(0.5, GradientCheck.relativeError(0, 1, 2), 0);
        assertEquals(0.5, GradientCheck.relativeError(1, 2, 1e-6), 0);
    }

    @Test
    void doubleInputsGiveTightChecks() {
        INDArray x = randomFloat(5, 7).castTo(DataType.DOUBLE);
        ToDoubleFunction<INDArray> cubeSum = a -> a.mul(a).mul(a).sumNumber().doubleValue();
        GradientCheck.check(cubeSum, x, x.mul(x).mul(3)).assertMatches(1e-8);
    }

    @Test
    void nonFiniteValuesFail() {
        INDArray x = randomFloat(6, 4);
        ToDoubleFunction<INDArray> nan = a -> Double.NaN;
        GradientCheck.Report r = GradientCheck.check(nan, x, x.mul(2));
        assertEquals(Double.POSITIVE_INFINITY, r.maxRelativeError());
        assertThrows(AssertionError.class, () -> r.assertMatches(1e-2));
    }

    @Test
    void rejectsAGradientOfAnotherShape() {
        INDArray x = randomFloat(7, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradientCheck.check(SUM_OF_SQUARES, x, x.reshape(3, 2)));
        assertEquals("analyticGradient: expected the shape of x [2, 3], got [3, 2]", e.getMessage());
    }
}
