package org.perceptual4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * AdamOptimizer delegates the update to ND4J's AdamUpdater (libnd4j's adam_updater op). Verified
 * here against a hand computation, the rule ND4J 1.0.0-M2.1 applies at step t = 1, 2, ... (the
 * updater is called with iteration t - 1) is Kingma and Ba's "efficient" form
 * <pre>
 *   m_t = beta1 m_{t-1} + (1 - beta1) g_t
 *   v_t = beta2 v_{t-1} + (1 - beta2) g_t^2
 *   alpha_t = lr_{t-1} * sqrt(1 - beta2^t) / (1 - beta1^t)
 *   x_t = x_{t-1} - alpha_t * m_t / (sqrt(v_t) + eps)
 * </pre>
 * with {@code lr_{t-1}} the schedule's value at iteration t - 1. This equals PyTorch's
 * {@code lr * m_hat / (sqrt(v_hat) + eps')} with {@code eps' = eps / sqrt(1 - beta2^t)}, not with
 * {@code eps} itself: the difference is negligible for eps = 1e-8 and visible for large eps, which
 * {@link #epsilonIsAddedToSqrtVNotToSqrtVHat()} pins down.
 */
class AdamOptimizerTest {

    private static final double[] C = {1, 2, 3};

    /** f(x) = 0.5 * sum c_i x_i^2, gradient c_i x_i. */
    private static final class Diagonal implements Objective {
        final List<double[]> seen = new ArrayList<>();

        @Override
        public Evaluation evaluate(INDArray x) {
            double[] v = Problems.toDoubles(x);
            seen.add(v);
            double f = 0;
            double[] g = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                f += 0.5 * C[i] * v[i] * v[i];
                g[i] = C[i] * v[i];
            }
            return Evaluation.of(f, Problems.floatArray(g, x.shape()));
        }
    }

    /** Iterates of the rule above, in double, with the learning rate lr.applyAsDouble(t - 1) at step t. */
    private static List<double[]> handAdam(double[] x0, int steps, IntToDoubleFunction lr, double beta1, double beta2,
            double eps) {
        int n = x0.length;
        double[] x = x0.clone();
        double[] m = new double[n];
        double[] v = new double[n];
        List<double[]> out = new ArrayList<>();
        out.add(x.clone());
        for (int t = 1; t <= steps; t++) {
            double alpha = lr.applyAsDouble(t - 1) * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
            for (int i = 0; i < n; i++) {
                double g = C[i] * (float) x[i]; // the objective sees the FLOAT point
                m[i] = beta1 * m[i] + (1 - beta1) * g;
                v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                x[i] -= alpha * m[i] / (Math.sqrt(v[i]) + eps);
            }
            out.add(x.clone());
        }
        return out;
    }

    private static void assertIterates(List<double[]> expected, List<double[]> actual, double tol) {
        assertEquals(expected.size(), actual.size());
        for (int k = 0; k < expected.size(); k++) {
            assertArrayEquals(expected.get(k), actual.get(k), tol, "iterate " + k);
        }
    }

    private static final double[] X0 = {1, -2, 0.5};

    @Test
    void twoStepsMatchTheAdamFormula() {
        Diagonal f = new Diagonal();
        AdamOptimizer adam = AdamOptimizer.builder().learningRate(0.1).beta1(0.9).beta2(0.999).epsilon(1e-8).build();
        OptimizationResult r = adam.minimize(f, Problems.floatArray(X0, 3), 2, null);
        List<double[]> expected = handAdam(X0, 2, t -> 0.1, 0.9, 0.999, 1e-8);
        // step 1 of Adam is lr * sign(g): 1 - 0.1, -2 + 0.1, 0.5 - 0.1
        assertArrayEquals(new double[] {0.9, -1.9, 0.4}, expected.get(1), 1e-7);
        assertIterates(expected, f.seen, 1e-6);
        assertArrayEquals(expected.get(2), Problems.toDoubles(r.x()), 1e-6);
        assertEquals(StopReason.MAX_ITERATIONS, r.stopReason());
        assertEquals(2, r.iterations());
        assertEquals(3, r.evaluations());
    }

    @Test
    void epsilonIsAddedToSqrtVNotToSqrtVHat() {
        double eps = 0.5;
        Diagonal f = new Diagonal();
        AdamOptimizer.builder().learningRate(0.1).epsilon(eps).build().minimize(f, Problems.floatArray(X0, 3), 2, null);
        assertIterates(handAdam(X0, 2, t -> 0.1, 0.9, 0.999, eps), f.seen, 1e-6);
        // PyTorch's placement, lr * m_hat / (sqrt(v_hat) + eps), gives a clearly different first step
        double g = C[0] * X0[0];
        double torchStep = 0.1 * g / (Math.abs(g) + eps);
        assertTrue(Math.abs((X0[0] - torchStep) - f.seen.get(1)[0]) > 1e-2);
    }

    @Test
    void stepScheduleIsHonoured() {
        // learning rate 0.1 for the update at iteration 0, halved at every iteration after
        Diagonal f = new Diagonal();
        AdamOptimizer.builder().schedule(new StepSchedule(ScheduleType.ITERATION, 0.1, 0.5, 1)).build()
                .minimize(f, Problems.floatArray(X0, 3), 3, null);
        assertIterates(handAdam(X0, 3, t -> 0.1 * Math.pow(0.5, t), 0.9, 0.999, 1e-8), f.seen, 1e-6);
    }

    @Test
    void exponentialScheduleIsHonouredAndOverridesTheLearningRate() {
        Diagonal f = new Diagonal();
        AdamOptimizer.builder().learningRate(5).schedule(new ExponentialSchedule(ScheduleType.ITERATION, 0.2, 0.9)).build()
                .minimize(f, Problems.floatArray(X0, 3), 4, null);
        assertIterates(handAdam(X0, 4, t -> 0.2 * Math.pow(0.9, t), 0.9, 0.999, 1e-8), f.seen, 1e-6);
    }

    @Test
    void listenerSeesIterationZeroAndCanStop() {
        Diagonal f = new Diagonal();
        List<Integer> iterations = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        OptimizationResult r = AdamOptimizer.builder().learningRate(0.1).build().minimize(f, Problems.floatArray(X0, 3), 50,
                (i, x, e) -> {
                    iterations.add(i);
                    values.add(e.value());
                    return i < 4;
                });
        assertEquals(List.of(0, 1, 2, 3, 4), iterations);
        assertEquals(0.5 * (1 + 2 * 4 + 3 * 0.25), values.get(0), 1e-6);
        assertEquals(StopReason.STOPPED_BY_LISTENER, r.stopReason());
        assertEquals(4, r.iterations());
        assertEquals(5, r.evaluations());
    }

    @Test
    void nanReturnsTheLastFinitePoint() {
        Diagonal inner = new Diagonal();
        Objective f = x -> {
            Evaluation e = inner.evaluate(x);
            return inner.seen.size() >= 4 ? Evaluation.of(Double.NaN, e.gradient()) : e;
        };
        OptimizationResult r = AdamOptimizer.builder().learningRate(0.1).build().minimize(f, Problems.floatArray(X0, 3), 10, null);
        assertEquals(StopReason.NON_FINITE, r.stopReason());
        assertEquals(2, r.iterations());
        assertEquals(4, r.evaluations());
        assertArrayEquals(inner.seen.get(2), Problems.toDoubles(r.x()), 0);
        assertTrue(r.evaluation().isFinite());
    }

    @Test
    void keepsShapeAndDoesNotModifyX0() {
        Nd4j.getRandom().setSeed(9);
        INDArray x0 = Nd4j.rand(DataType.FLOAT, 1, 3, 4, 5);
        INDArray copy = x0.dup();
        long[] shape = {1, 3, 4, 5};
        List<long[]> shapes = new ArrayList<>();
        Objective f = x -> {
            shapes.add(x.shape());
            INDArray d = x.sub(0.5);
            return Evaluation.of(0.5 * d.mul(d).sumNumber().doubleValue(), d);
        };
        OptimizationResult r = AdamOptimizer.builder().learningRate(0.05).build().minimize(f, x0, 200, null);
        assertEquals(copy, x0);
        assertArrayEquals(shape, r.x().shape());
        shapes.forEach(s -> assertArrayEquals(shape, s));
        assertEquals(201, r.evaluations());
        assertEquals(0.5, r.x().meanNumber().doubleValue(), 1e-2);
    }

    @Test
    void builderValidatesItsArguments() {
        assertEquals("learningRate: expected a finite value > 0, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> AdamOptimizer.builder().learningRate(0)).getMessage());
        assertEquals("beta1: expected a value in [0, 1), got 1.0",
                assertThrows(IllegalArgumentException.class, () -> AdamOptimizer.builder().beta1(1)).getMessage());
        assertEquals("beta2: expected a value in [0, 1), got -0.1",
                assertThrows(IllegalArgumentException.class, () -> AdamOptimizer.builder().beta2(-0.1)).getMessage());
        assertEquals("epsilon: expected a finite value > 0, got NaN",
                assertThrows(IllegalArgumentException.class, () -> AdamOptimizer.builder().epsilon(Double.NaN)).getMessage());
        assertEquals("schedule: expected a value, got null",
                assertThrows(IllegalArgumentException.class, () -> AdamOptimizer.builder().schedule(null)).getMessage());
        AdamOptimizer adam = AdamOptimizer.builder().build();
        assertEquals("maxIterations: expected a value > 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> adam.minimize(new Diagonal(), Problems.floatArray(X0, 3), -1, null))
                        .getMessage());
        assertEquals(1e-3, adam.learningRate());
        assertEquals("adam", adam.name());
    }
}
