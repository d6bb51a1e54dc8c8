package org.perceptual4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LbfgsTest {

    private static INDArray start(double... v) {
        return Problems.floatArray(v, v.length);
    }

    @Test
    void firstStepWithoutLineSearchIsTorchs() {
        Problems.Quadratic q = Problems.Quadratic.random(5, 1, 11).recording();
        INDArray x0 = start(0.5, -1, 2, 0.25, -0.75);
        double lr = 0.7;
        Lbfgs.builder().learningRate(lr).build().minimize(q, x0, 1, null);
        double[] x = Problems.toDoubles(x0);
        double[] g = q.gradient(x);
        double norm1 = 0;
        for (double v : g) {
            norm1 += Math.abs(v);
        }
        assertTrue(norm1 > 1, "the test needs |g|_1 > 1 so min(1, 1/|g|_1) matters");
        double t = lr * Math.min(1, 1 / norm1);
        double[] expected = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = x[i] - t * g[i];
        }
        assertEquals(2, q.seen.size());
        assertArrayEquals(expected, q.seen.get(1), 1e-6);
    }

    @Test
    void firstStepIsLrTimesGradientWhenTheGradientIsSmall() {
        // |g|_1 < 1: min(1, 1/|g|_1) = 1
        Problems.Quadratic q = Problems.Quadratic.of(new double[][] {{1, 0}, {0, 2}}, new double[] {0, 0}).recording();
        Lbfgs.builder().learningRate(0.5).build().minimize(q, start(0.1, 0.2), 1, null);
        assertArrayEquals(new double[] {0.1 - 0.5 * 0.1, 0.2 - 0.5 * 0.4}, q.seen.get(1), 1e-7);
    }

    @Test
    void lineSearchMinimizesRosenbrock() {
        OptimizationResult r = Lbfgs.builder().lineSearch(true).build().minimize(new Problems.Rosenbrock(), start(-1.2, 1), 100, null);
        double[] x = Problems.toDoubles(r.x());
        assertTrue(r.iterations() < 100, "iterations " + r.iterations());
        assertTrue(Math.abs(x[0] - 1) <= 1e-4 && Math.abs(x[1] - 1) <= 1e-4,
                "x = (" + x[0] + ", " + x[1] + ") after " + r.iterations() + " iterations, " + r.stopReason());
        assertTrue(r.stopReason() != StopReason.MAX_ITERATIONS && r.stopReason() != StopReason.NON_FINITE, r.stopReason().toString());
    }

    @ParameterizedTest(name = "line search {0}")
    @ValueSource(booleans = {false, true})
    void iterationZeroIsTheStartingPoint(boolean lineSearch) {
        Problems.Quadratic q = Problems.Quadratic.random(4, 1, 3);
        INDArray x0 = start(1, 2, 3, 4);
        double f0 = q.value(Problems.toDoubles(x0));
        List<Integer> iterations = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        OptimizationResult r = Lbfgs.builder().lineSearch(lineSearch).build().minimize(q, x0, 5, (i, x, e) -> {
            iterations.add(i);
            values.add(e.value());
            if (i == 0) {
                assertArrayEquals(Problems.toDoubles(x0), Problems.toDoubles(x), 0);
            }
            return true;
        });
        assertEquals(0, iterations.get(0));
        assertEquals(f0, values.get(0), 1e-9 * Math.abs(f0));
        for (int i = 0; i < iterations.size(); i++) {
            assertEquals(i, iterations.get(i));
        }
        assertEquals(r.iterations() + 1, iterations.size());
    }

    @ParameterizedTest(name = "line search {0}")
    @ValueSource(booleans = {false, true})
    void listenerStops(boolean lineSearch) {
        Problems.Quadratic q = Problems.Quadratic.random(6, 1, 5);
        List<double[]> points = new ArrayList<>();
        OptimizationResult r = Lbfgs.builder().lineSearch(lineSearch).build().minimize(q, start(1, 1, 1, 1, 1, 1), 50, (i, x, e) -> {
            points.add(Problems.toDoubles(x));
            return i < 3;
        });
        assertEquals(StopReason.STOPPED_BY_LISTENER, r.stopReason());
        assertEquals(3, r.iterations());
        assertArrayEquals(points.get(3), Problems.toDoubles(r.x()), 0);

        OptimizationResult atZero = Lbfgs.create().minimize(q, start(1, 1, 1, 1, 1, 1), 50, (i, x, e) -> false);
        assertEquals(StopReason.STOPPED_BY_LISTENER, atZero.stopReason());
        assertEquals(0, atZero.iterations());
        assertEquals(1, atZero.evaluations());
    }

    /** Wraps an objective and returns NaN from the given evaluation on (1-based). */
    private static final class NanFrom implements Objective {
        final Objective inner;
        final int from;
        final List<double[]> seen = new ArrayList<>();

        NanFrom(Objective inner, int from) {
            this.inner = inner;
            this.from = from;
        }

        @Override
        public Evaluation evaluate(INDArray x) {
            seen.add(Problems.toDoubles(x));
            Evaluation e = inner.evaluate(x);
            return seen.size() >= from ? Evaluation.of(Double.NaN, e.gradient()) : e;
        }
    }

    @Test
    void nanReturnsTheLastFinitePoint() {
        NanFrom f = new NanFrom(Problems.Quadratic.random(3, 1, 8), 4);
        List<double[]> accepted = new ArrayList<>();
        OptimizationResult r = Lbfgs.create().minimize(f, start(1, -1, 0.5), 20, (i, x, e) -> accepted.add(Problems.toDoubles(x)));
        assertEquals(StopReason.NON_FINITE, r.stopReason());
        assertEquals(2, r.iterations());
        assertEquals(4, r.evaluations());
        assertArrayEquals(f.seen.get(2), Problems.toDoubles(r.x()), 0, "the point before the NaN");
        assertArrayEquals(accepted.get(accepted.size() - 1), Problems.toDoubles(r.x()), 0);
        assertTrue(r.evaluation().isFinite());
    }

    @Test
    void nanInTheLineSearchReturnsTheLastAcceptedPoint() {
        NanFrom f = new NanFrom(new Problems.Rosenbrock(), 6);
        List<double[]> accepted = new ArrayList<>();
        OptimizationResult r = Lbfgs.builder().lineSearch(true).build().minimize(f, start(-1.2, 1), 50,
                (i, x, e) -> accepted.add(Problems.toDoubles(x)));
        assertEquals(StopReason.NON_FINITE, r.stopReason());
        assertEquals(accepted.size() - 1, r.iterations());
        assertArrayEquals(accepted.get(accepted.size() - 1), Problems.toDoubles(r.x()), 0);
        assertEquals(6, r.evaluations());
        assertTrue(r.evaluation().isFinite());
    }

    @Test
    void nanAtTheStart() {
        NanFrom f = new NanFrom(Problems.Quadratic.random(3, 1, 8), 1);
        OptimizationResult r = Lbfgs.create().minimize(f, start(1, 2, 3), 10, null);
        assertEquals(StopReason.NON_FINITE, r.stopReason());
        assertEquals(0, r.iterations());
        assertArrayEquals(new double[] {1, 2, 3}, Problems.toDoubles(r.x()), 0);
    }

    @Test
    void gradientToleranceStops() {
        Problems.Quadratic q = Problems.Quadratic.random(4, 1, 21);
        OptimizationResult r = Lbfgs.builder().gradientTolerance(1e-2).changeTolerance(0).build()
                .minimize(q, start(0, 0, 0, 0), 200, null);
        assertEquals(StopReason.GRADIENT_TOLERANCE, r.stopReason());
        assertTrue(r.evaluation().gradient().amaxNumber().doubleValue() <= 1e-2);
        assertTrue(r.iterations() < 200);

        // already optimal at the start: no iteration
        Problems.Quadratic zero = Problems.Quadratic.of(new double[][] {{1, 0}, {0, 1}}, new double[] {0, 0});
        OptimizationResult atStart = Lbfgs.create().minimize(zero, start(0, 0), 10, null);
        assertEquals(StopReason.GRADIENT_TOLERANCE, atStart.stopReason());
        assertEquals(0, atStart.iterations());
        assertEquals(1, atStart.evaluations());
    }

    @Test
    void changeToleranceStops() {
        Problems.Quadratic q = Problems.Quadratic.random(4, 1, 22);
        OptimizationResult r = Lbfgs.builder().gradientTolerance(0).changeTolerance(1e-3).build()
                .minimize(q, start(0, 0, 0, 0), 200, null);
        assertEquals(StopReason.CHANGE_TOLERANCE, r.stopReason());
        assertTrue(r.iterations() < 200);
    }

    @Test
    void maxIterationsStops() {
        OptimizationResult r = Lbfgs.create().minimize(new Problems.Rosenbrock(), start(-1.2, 1), 7, null);
        assertEquals(StopReason.MAX_ITERATIONS, r.stopReason());
        assertEquals(7, r.iterations());
    }

    @ParameterizedTest(name = "line search {0}")
    @ValueSource(booleans = {false, true})
    void keepsShapeAndDoesNotModifyX0(boolean lineSearch) {
        Nd4j.getRandom().setSeed(5);
        INDArray x0 = Nd4j.rand(DataType.FLOAT, 1, 3, 4, 5);
        INDArray copy = x0.dup();
        long[] shape = {1, 3, 4, 5};
        AtomicInteger calls = new AtomicInteger();
        // f(x) = 0.5 |x - 0.5|^2
        Objective f = x -> {
            calls.incrementAndGet();
            assertArrayEquals(shape, x.shape(), "the objective sees the original shape");
            INDArray d = x.sub(0.5);
            return Evaluation.of(0.5 * d.mul(d).sumNumber().doubleValue(), d);
        };
        List<long[]> listenerShapes = new ArrayList<>();
        OptimizationResult r = Lbfgs.builder().lineSearch(lineSearch).build().minimize(f, x0, 20, (i, x, e) -> listenerShapes.add(x.shape()));
        assertEquals(copy, x0, "x0 is not modified");
        assertArrayEquals(shape, r.x().shape());
        assertArrayEquals(shape, r.evaluation().gradient().shape());
        listenerShapes.forEach(s -> assertArrayEquals(shape, s));
        assertEquals(calls.get(), r.evaluations());
        assertEquals(0.5, r.x().meanNumber().doubleValue(), 1e-5);
    }

    @Test
    void oneEvaluationPerIterationWithoutLineSearch() {
        Problems.Quadratic q = Problems.Quadratic.random(10, 1, 31);
        OptimizationResult r = Lbfgs.builder().gradientTolerance(0).changeTolerance(0).build()
                .minimize(q, start(new double[10]), 12, null);
        assertEquals(StopReason.MAX_ITERATIONS, r.stopReason());
        assertEquals(12, r.iterations());
        assertEquals(13, r.evaluations(), "one at the start and one per iteration");
    }

    @Test
    void lineSearchThatFindsNoDecreaseKeepsTheStartEvaluation() {
        // the "gradient" points the wrong way: every step along -g increases f, the line search
        // returns step 0 and the optimizer stops where it started, with the start's evaluation
        long[] shape = {1, 2, 1};
        Objective wrong = x -> {
            double[] v = Problems.toDoubles(x);
            return new Evaluation(v[0] * v[0] + v[1] * v[1], Problems.floatArray(new double[] {-2 * v[0], -2 * v[1]}, x.shape()),
                    Map.of("loss", v[0] * v[0] + v[1] * v[1]));
        };
        INDArray x0 = Problems.floatArray(new double[] {1, 1}, shape);
        List<Evaluation> seen = new ArrayList<>();
        OptimizationResult r = Lbfgs.builder().lineSearch(true).build().minimize(wrong, x0, 10, (i, x, e) -> seen.add(e));
        assertEquals(StopReason.CHANGE_TOLERANCE, r.stopReason());
        assertArrayEquals(new double[] {1, 1}, Problems.toDoubles(r.x()), 0);
        assertEquals(2.0, r.evaluation().value(), 0);
        assertArrayEquals(shape, r.evaluation().gradient().shape(), "gradient in the shape of x");
        assertEquals(Map.of("loss", 2.0), r.evaluation().components(), "components kept");
        seen.forEach(e -> assertArrayEquals(shape, e.gradient().shape()));
    }

    /** f = -x below the kink, +x from it on (1-D). */
    private static Objective kinkAt(double kink, List<Double> seen) {
        return x -> {
            double v = Problems.toDoubles(x)[0];
            seen.add(v);
            return v < kink ? Evaluation.of(-v, Problems.floatArray(new double[] {-1}, 1))
                    : Evaluation.of(v, Problems.floatArray(new double[] {1}, 1));
        };
    }

    @Test
    void lineSearchOutOfEvaluationsKeepsTheStartIfTheLastTrialIsWorse() {
        // On f = -x the line search only extrapolates (no bracket) and stops after 25 more trials,
        // the last of which is never checked. torch.optim.LBFGS then keeps the lower of step 0 and
        // the last trial. Probe the trial points on f = -x, then put a kink between the last two
        // trials so that the last one is worse than the start: the optimizer must stay at the start
        // (and stop on the zero step), as torch does (checked with torch 1.13: x stays 0 after 27
        // evaluations).
        List<Double> probe = new ArrayList<>();
        Lbfgs lbfgs = Lbfgs.builder().lineSearch(true).build();
        lbfgs.minimize(kinkAt(Double.POSITIVE_INFINITY, probe), start(0), 1, null);
        assertEquals(27, probe.size(), "start + 26 line-search evaluations");
        double kink = Math.sqrt(probe.get(25) * probe.get(26));

        List<Double> seen = new ArrayList<>();
        OptimizationResult r = lbfgs.minimize(kinkAt(kink, seen), start(0), 3, null);
        assertEquals(probe, seen.subList(0, Math.min(27, seen.size())), "same trials up to the unchecked last one");
        assertEquals(0.0, r.x().getDouble(0), 0);
        assertEquals(0.0, r.evaluation().value(), 0);
        assertEquals(27, r.evaluations());
        assertEquals(1, r.iterations());
        assertEquals(StopReason.CHANGE_TOLERANCE, r.stopReason());

        // if the last trial is lower, it is taken
        List<Double> lower = new ArrayList<>();
        OptimizationResult r2 = lbfgs.minimize(kinkAt(Double.POSITIVE_INFINITY, lower), start(0), 1, null);
        assertEquals(probe.get(26), r2.x().getDouble(0), 0);
    }

    @Test
    void builderValidatesItsArguments() {
        assertEquals("historySize: expected a value > 0, got 0",
                assertThrows(IllegalArgumentException.class, () -> Lbfgs.builder().historySize(0)).getMessage());
        assertEquals("learningRate: expected a finite value > 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> Lbfgs.builder().learningRate(-1)).getMessage());
        assertEquals("learningRate: expected a finite value > 0, got NaN",
                assertThrows(IllegalArgumentException.class, () -> Lbfgs.builder().learningRate(Double.NaN)).getMessage());
        assertEquals("gradientTolerance: expected a finite value >= 0, got -1.0E-5",
                assertThrows(IllegalArgumentException.class, () -> Lbfgs.builder().gradientTolerance(-1e-5)).getMessage());
        assertEquals("changeTolerance: expected a finite value >= 0, got Infinity",
                assertThrows(IllegalArgumentException.class, () -> Lbfgs.builder().changeTolerance(Double.POSITIVE_INFINITY)).getMessage());
        Lbfgs l = Lbfgs.create();
        Objective f = Problems.Quadratic.random(2, 1, 1);
        assertEquals("maxIterations: expected a value > 0, got 0",
                assertThrows(IllegalArgumentException.class, () -> l.minimize(f, start(0, 0), 0, null)).getMessage());
        assertEquals("objective: expected a value, got null",
                assertThrows(IllegalArgumentException.class, () -> l.minimize(null, start(0, 0), 1, null)).getMessage());
        assertEquals("x0: expected a value, got null",
                assertThrows(IllegalArgumentException.class, () -> l.minimize(f, null, 1, null)).getMessage());
    }

    @Test
    void defaultsAreTorchs() {
        Lbfgs l = Lbfgs.create();
        assertEquals(100, l.historySize());
        assertEquals(1.0, l.learningRate());
        assertEquals(1e-7, l.gradientTolerance());
        assertEquals(1e-9, l.changeTolerance());
        assertEquals(false, l.lineSearch());
        assertEquals("lbfgs", l.name());
    }
}
