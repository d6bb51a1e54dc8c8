package org.perceptual4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * Properties of the optimizers on random problems. Each property draws a dimension and a seed
 * and builds the problem from the seed ({@link Problems.Quadratic#random}): A = M^T M + I with
 * M standard normal (condition number up to about 4n + 1), minimizer uniform in [-1, 1]^n,
 * start uniform in [-2, 2]^n. Tries are few, to keep the suite fast.
 */
class OptimizerPropertiesTest {

    private static INDArray randomStart(int n, long seed) {
        Random r = new Random(~seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = 4 * r.nextDouble() - 2;
        }
        return Problems.floatArray(x, n);
    }

    private static void assertNear(Problems.Quadratic q, OptimizationResult r, double tol) {
        double[] x = Problems.toDoubles(r.x());
        double err = Problems.maxAbsDiff(x, q.xStar);
        assertTrue(err <= tol, "max |x - x*| = " + err + " > " + tol + " after " + r.iterations() + " iterations, " + r.stopReason());
        assertTrue(r.stopReason() != StopReason.NON_FINITE, r.stopReason().toString());
    }

    /**
     * L-BFGS runs to max |g| <= GTOL with the change tolerance off: with the default 1e-9 on the
     * value, slow runs (history 1, n = 17) legitimately stop on value stagnation a little short of
     * 1e-4. Since the smallest eigenvalue of A is at least 1, |x - x*|_2 <= |g|_2 <= sqrt(20) GTOL
     * = 4.5e-5. The float rounding of x leaves |g| a noise of about 80 * 6e-8 = 5e-6 < GTOL.
     */
    private static final double GTOL = 1e-5;

    @Property(tries = 25)
    void lbfgsWithoutLineSearchMinimizesConvexQuadratics(@ForAll @IntRange(min = 2, max = 20) int n, @ForAll long seed) {
        Problems.Quadratic q = Problems.Quadratic.random(n, 1, seed);
        OptimizationResult r = Lbfgs.builder().gradientTolerance(GTOL).changeTolerance(0).build()
                .minimize(q, randomStart(n, seed), 1000, null);
        assertEquals(StopReason.GRADIENT_TOLERANCE, r.stopReason(), () -> "after " + r.iterations() + " iterations");
        assertNear(q, r, 1e-4);
    }

    @Property(tries = 25)
    void lbfgsWithLineSearchMinimizesConvexQuadratics(@ForAll @IntRange(min = 2, max = 20) int n, @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 10) int historySize) {
        Problems.Quadratic q = Problems.Quadratic.random(n, 1, seed);
        OptimizationResult r = Lbfgs.builder().lineSearch(true).historySize(historySize).gradientTolerance(GTOL).changeTolerance(0)
                .build().minimize(q, randomStart(n, seed), 1000, null);
        assertEquals(StopReason.GRADIENT_TOLERANCE, r.stopReason(), () -> "after " + r.iterations() + " iterations");
        assertNear(q, r, 1e-4);
    }

    /**
     * Adam with a constant learning rate only hovers around the minimum, so this uses an
     * exponentially decaying one (0.3 * 0.996^t, total travel about 75 per coordinate). Measured
     * over 60 seeded problems with n = 2..20: max |x - x*| at most 1.1e-5 after 1500 iterations.
     */
    @Property(tries = 8)
    void adamWithADecayingLearningRateMinimizesConvexQuadratics(@ForAll @IntRange(min = 2, max = 20) int n, @ForAll long seed) {
        Problems.Quadratic q = Problems.Quadratic.random(n, 1, seed);
        AdamOptimizer adam = AdamOptimizer.builder().schedule(new ExponentialSchedule(ScheduleType.ITERATION, 0.3, 0.996)).build();
        OptimizationResult r = adam.minimize(q, randomStart(n, seed), 1500, null);
        assertNear(q, r, 1e-3);
    }

    @Property(tries = 20)
    void oneEvaluationPerIterationWithoutLineSearch(@ForAll @IntRange(min = 2, max = 20) int n, @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 30) int maxIterations) {
        Problems.Quadratic q = Problems.Quadratic.random(n, 1, seed).recording();
        List<Integer> iterations = new ArrayList<>();
        OptimizationResult r = Lbfgs.create().minimize(q, randomStart(n, seed), maxIterations, (i, x, e) -> iterations.add(i));
        assertEquals(r.iterations() + 1, r.evaluations());
        assertEquals(r.evaluations(), q.seen.size());
        assertEquals(r.iterations() + 1, iterations.size());
        assertTrue(r.iterations() <= maxIterations);
    }

    /** The three optimizers under test, by index. */
    private static Optimizer optimizer(int which) {
        return switch (which) {
            case 0 -> Lbfgs.create();
            case 1 -> Lbfgs.builder().lineSearch(true).build();
            default -> AdamOptimizer.builder().learningRate(0.05).build();
        };
    }

    @Property(tries = 20)
    void lbfgsFirstStepIsTorchs(@ForAll @IntRange(min = 2, max = 20) int n, @ForAll long seed,
            @ForAll @DoubleRange(min = 0.01, max = 2) double lr) {
        Problems.Quadratic q = Problems.Quadratic.random(n, 1, seed).recording();
        INDArray x0 = randomStart(n, seed);
        Lbfgs.builder().learningRate(lr).build().minimize(q, x0, 1, null);
        double[] x = Problems.toDoubles(x0);
        double[] g = q.gradient(x);
        double norm1 = 0;
        for (double v : g) {
            norm1 += Math.abs(v);
        }
        double t = lr * Math.min(1, 1 / norm1);
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) {
            expected[i] = x[i] - t * g[i];
        }
        assertEquals(2, q.seen.size());
        assertArrayEquals(expected, q.seen.get(1), 1e-6 * (1 + Problems.maxAbs(expected)));
    }

    @Property(tries = 30)
    void listenerReturningFalseStops(@ForAll @IntRange(min = 0, max = 2) int which, @ForAll @IntRange(min = 0, max = 8) int stopAt,
            @ForAll long seed) {
        Problems.Quadratic q = Problems.Quadratic.random(6, 1, seed);
        List<double[]> points = new ArrayList<>();
        OptimizationResult r = optimizer(which).minimize(q, randomStart(6, seed), 20, (i, x, e) -> {
            points.add(Problems.toDoubles(x));
            return i < stopAt;
        });
        // a quadratic in 6 dimensions may be solved before stopAt by L-BFGS
        if (r.stopReason() == StopReason.STOPPED_BY_LISTENER) {
            assertEquals(stopAt, r.iterations());
        } else {
            assertTrue(r.iterations() < stopAt, r.stopReason() + " after " + r.iterations());
        }
        assertEquals(r.iterations() + 1, points.size());
        assertArrayEquals(points.get(points.size() - 1), Problems.toDoubles(r.x()), 0);
    }

    @Property(tries = 30)
    void shapeIsPreservedAndX0IsNotModified(@ForAll @Size(min = 1, max = 4) List<@IntRange(min = 1, max = 5) Integer> dims,
            @ForAll @IntRange(min = 0, max = 2) int which, @ForAll long seed) {
        long[] shape = dims.stream().mapToLong(Integer::longValue).toArray();
        Nd4j.getRandom().setSeed(seed);
        INDArray x0 = Nd4j.rand(DataType.FLOAT, shape);
        INDArray copy = x0.dup();
        List<long[]> seenShapes = new ArrayList<>();
        // f(x) = 0.5 |x - 0.5|^2
        Objective f = x -> {
            seenShapes.add(x.shape());
            INDArray d = x.sub(0.5);
            return Evaluation.of(0.5 * d.mul(d).sumNumber().doubleValue(), d);
        };
        List<long[]> listenerShapes = new ArrayList<>();
        OptimizationResult r = optimizer(which).minimize(f, x0, 5, (i, x, e) -> listenerShapes.add(x.shape()));
        assertEquals(copy, x0, "x0 modified");
        assertArrayEquals(shape, r.x().shape());
        assertArrayEquals(shape, r.evaluation().gradient().shape());
        assertEquals(seenShapes.size(), r.evaluations());
        seenShapes.forEach(s -> assertArrayEquals(shape, s));
        listenerShapes.forEach(s -> assertArrayEquals(shape, s));
    }
}
