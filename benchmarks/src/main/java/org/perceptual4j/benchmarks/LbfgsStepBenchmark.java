package org.perceptual4j.benchmarks;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.perceptual4j.backend.NativeBinaries;
import org.perceptual4j.optim.Evaluation;
import org.perceptual4j.optim.Lbfgs;
import org.perceptual4j.optim.Objective;

/**
 * The optimizer's own cost per L-BFGS iteration: history 100 (full), no line search, on a
 * 3x512x512 problem. {@code step} times one iteration of a running {@link Lbfgs#minimize}, which
 * includes one evaluation of a cheap objective (a diagonal quadratic); {@code objective} times that
 * evaluation alone, so the optimizer's overhead is {@code step - objective}.
 *
 * <p>{@link Lbfgs} keeps its state inside {@code minimize}, so the run lives on a worker thread whose
 * iteration listener waits for a permit: each benchmark call lets exactly one iteration proceed and
 * waits until it has finished (a hand-off of some microseconds). The first {@value #HISTORY}
 * iterations run in the set-up, so every timed iteration uses the full history.
 */
public class LbfgsStepBenchmark extends WorkloadSettings {
    static final int HISTORY = 100;
    static final long[] SHAPE = {1, 3, 512, 512};

    /**
     * f(x) = ½ Σ a_i x_i², gradient a∘x, with a_i = 10^(4 u_i) for uniform u_i: condition number up
     * to 1e4, so L-BFGS keeps making progress (no convergence, no denormals) for many thousand
     * iterations, and y·s = sᵀ diag(a) s &gt; 0 always updates the history.
     */
    static final class Quadratic implements Objective {
        private final INDArray a;

        Quadratic(long seed) {
            this.a = Transforms.exp(BenchmarkInputs.uniform(seed, SHAPE).muli(4 * Math.log(10)), false);
        }

        @Override
        public Evaluation evaluate(INDArray x) {
            INDArray g = a.mul(x);
            return Evaluation.of(0.5 * g.mul(x).sumNumber().doubleValue(), g);
        }
    }

    /** The objective alone. */
    @State(Scope.Benchmark)
    public static class ObjectiveState {
        Quadratic quadratic;
        INDArray x;

        @Setup(Level.Trial)
        public void setUp() {
            NativeBinaries.selectForThisCpu();
            quadratic = new Quadratic(BenchmarkInputs.STYLE_SEED);
            x = BenchmarkInputs.uniform(BenchmarkInputs.CONTENT_SEED, SHAPE);
        }
    }

    /** A running minimization that advances one iteration per {@link #next()}. */
    @State(Scope.Benchmark)
    public static class RunState {
        private final Semaphore permits = new Semaphore(0);
        private final Semaphore finished = new Semaphore(0);
        private volatile boolean stop;
        private volatile Throwable failure;
        private Thread worker;

        @Setup(Level.Trial)
        public void setUp() {
            NativeBinaries.selectForThisCpu();
            Quadratic quadratic = new Quadratic(BenchmarkInputs.STYLE_SEED);
            INDArray x0 = BenchmarkInputs.uniform(BenchmarkInputs.CONTENT_SEED, SHAPE);
            Lbfgs lbfgs = Lbfgs.builder().historySize(HISTORY).gradientTolerance(0).changeTolerance(0).build();
            worker = new Thread(() -> {
                try {
                    lbfgs.minimize(quadratic, x0, Integer.MAX_VALUE, (iteration, x, e) -> {
                        if (iteration > 0) {
                            finished.release();
                        }
                        permits.acquireUninterruptibly();
                        return !stop;
                    });
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    finished.release(); // never leave next() waiting
                }
            }, "lbfgs-benchmark");
            worker.setDaemon(true);
            worker.start();
            for (int i = 0; i < HISTORY; i++) {
                next();
            }
        }

        void next() {
            permits.release();
            finished.acquireUninterruptibly();
            if (failure != null || !worker.isAlive()) {
                throw new IllegalStateException("the L-BFGS run stopped", failure);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            stop = true;
            permits.release();
            worker.join(TimeUnit.MINUTES.toMillis(1));
        }
    }

    @Benchmark
    public Evaluation objective(ObjectiveState s) {
        return s.quadratic.evaluate(s.x);
    }

    @Benchmark
    public void step(RunState run) {
        run.next();
    }
}
