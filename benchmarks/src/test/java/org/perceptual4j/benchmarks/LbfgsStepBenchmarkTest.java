package org.perceptual4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.optim.Evaluation;

class LbfgsStepBenchmarkTest {
    @Test
    void theQuadraticIsHalfTheWeightedSquaredNormWithItsGradient() {
        LbfgsStepBenchmark.Quadratic q = new LbfgsStepBenchmark.Quadratic(BenchmarkInputs.STYLE_SEED);
        INDArray x = BenchmarkInputs.uniform(BenchmarkInputs.CONTENT_SEED, LbfgsStepBenchmark.SHAPE);
        INDArray xCopy = x.dup();
        Evaluation e = q.evaluate(x);
        // the gradient at x divided by x gives the diagonal a, which lies in [1, 1e4]
        INDArray a = e.gradient().div(x);
        assertTrue(a.minNumber().doubleValue() >= 1 - 1e-4 && a.maxNumber().doubleValue() <= 1e4 * (1 + 1e-4),
                () -> a.minNumber() + " .. " + a.maxNumber());
        double expected = 0.5 * a.mul(x).mul(x).sumNumber().doubleValue();
        assertEquals(expected, e.value(), 1e-5 * expected);
        assertArrayEquals(LbfgsStepBenchmark.SHAPE, e.gradient().shape());
        assertEquals(xCopy, x, "x is not modified");
    }
}
