package org.perceptual4j.optim;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.internal.Checks;

/**
 * Limited-memory BFGS, following the algorithm of {@code torch.optim.LBFGS} (itself a port of the
 * Lua {@code optim.lbfgs} that jcjohnson/neural-style uses), with an optional strong-Wolfe line search.
 *
 * <p>Written by hand because ND4J has no L-BFGS usable outside a DL4J {@code Model}, and style transfer
 * needs exactly torch's step rules (first step {@code lr * min(1, 1/|g|_1)}, then {@code lr}) to
 * behave like the reference tools.
 *
 * <p>Without a line search every iteration costs one evaluation of the objective.
 */
public final class Lbfgs implements Optimizer {
    private final int historySize;
    private final double learningRate;
    private final double gradientTolerance;
    private final double changeTolerance;
    private final boolean lineSearch;

    private Lbfgs(Builder b) {
        this.historySize = b.historySize;
        this.learningRate = b.learningRate;
        this.gradientTolerance = b.gradientTolerance;
        this.changeTolerance = b.changeTolerance;
        this.lineSearch = b.lineSearch;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** L-BFGS with the defaults of {@link Builder}. */
    public static Lbfgs create() {
        return builder().build();
    }

    public int historySize() {
        return historySize;
    }

    public double learningRate() {
        return learningRate;
    }

    public double gradientTolerance() {
        return gradientTolerance;
    }

    public double changeTolerance() {
        return changeTolerance;
    }

    public boolean lineSearch() {
        return lineSearch;
    }

    @Override
    public String name() {
        return "lbfgs";
    }

    @Override
    public String toString() {
        return "Lbfgs[historySize=" + historySize + ", learningRate=" + learningRate + ", gradientTolerance="
                + gradientTolerance + ", changeTolerance=" + changeTolerance + ", lineSearch=" + lineSearch + "]";
    }

    @Override
    public OptimizationResult minimize(Objective f, INDArray x0, int maxIterations, IterationListener listener) {
        Checks.requireNonNull(f, "objective");
        Checks.requireNonNull(x0, "x0");
        Checks.requirePositive(maxIterations, "maxIterations");
        IterationListener l = listener == null ? IterationListener.NONE : listener;
        return new Run(f, x0, l).run(maxIterations);
    }

    /** The state of one minimization. Vectors are flat FLOAT copies; the objective sees the original shape. */
    private final class Run {
        private final Objective f;
        private final long[] shape;
        private final IterationListener listener;
        private final Deque<INDArray> dirs = new ArrayDeque<>(); // y_k = g_{k+1} - g_k
        private final Deque<INDArray> steps = new ArrayDeque<>(); // s_k = x_{k+1} - x_k
        private final Deque<Double> rhos = new ArrayDeque<>();
        private int evaluations;

        private final INDArray start;

        Run(Objective f, INDArray x0, IterationListener listener) {
            this.f = f;
            this.shape = x0.shape();
            this.listener = listener;
            this.start = x0.castTo(DataType.FLOAT).dup('c').reshape(x0.length());
        }

        private Evaluation eval(INDArray flatX) {
            evaluations++;
            return f.evaluate(flatX.reshape(shape));
        }

        private INDArray flatGrad(Evaluation e) {
            return e.gradient().castTo(DataType.FLOAT).reshape(e.gradient().length());
        }

        OptimizationResult run(int maxIterations) {
            INDArray x = start;
            Evaluation e = eval(x);
            if (!e.isFinite()) {
                return new OptimizationResult(x.reshape(shape), e, 0, evaluations, StopReason.NON_FINITE);
            }
            INDArray g = flatGrad(e);
            if (!listener.onIteration(0, x.reshape(shape), e)) {
                return new OptimizationResult(x.reshape(shape), e, 0, evaluations, StopReason.STOPPED_BY_LISTENER);
            }
            if (maxAbs(g) <= gradientTolerance) {
                return new OptimizationResult(x.reshape(shape), e, 0, evaluations, StopReason.GRADIENT_TOLERANCE);
            }
            INDArray d = null;
            INDArray prevG = null;
            double t = 0;
            double hDiag = 1;
            for (int iter = 1; ; iter++) {
                if (iter == 1) {
                    d = g.neg();
                } else {
                    INDArray y = g.sub(prevG);
                    INDArray s = d.mul(t);
                    double ys = dot(y, s);
                    if (ys > 1e-10) {
                        if (dirs.size() == historySize) {
                            release(dirs.removeFirst());
                            release(steps.removeFirst());
                            rhos.removeFirst();
                        }
                        dirs.addLast(y);
                        steps.addLast(s);
                        rhos.addLast(1.0 / ys);
                        hDiag = ys / dot(y, y);
                    } else {
                        release(y);
                        release(s);
                    }
                    INDArray previousDirection = d;
                    d = twoLoop(g, hDiag);
                    release(previousDirection);
                }
                prevG = g;
                double prevValue = e.value();
                t = iter == 1 ? Math.min(1.0, 1.0 / g.norm1Number().doubleValue()) * learningRate : learningRate;
                double gtd = dot(g, d);
                if (gtd > -changeTolerance) {
                    return new OptimizationResult(x.reshape(shape), e, iter - 1, evaluations, StopReason.CHANGE_TOLERANCE);
                }
                INDArray xNew;
                Evaluation eNew;
                if (lineSearch) {
                    StrongWolfe.Result ls = new StrongWolfe(this::eval, x, d, e, gtd, changeTolerance).search(t);
                    t = ls.step();
                    xNew = Nd4j.getBlasWrapper().axpy(t, d, x.dup());
                    eNew = ls.evaluation();
                } else {
                    xNew = Nd4j.getBlasWrapper().axpy(t, d, x.dup());
                    eNew = eval(xNew);
                }
                if (!eNew.isFinite()) {
                    return new OptimizationResult(x.reshape(shape), e, iter - 1, evaluations, StopReason.NON_FINITE);
                }
                x = xNew;
                e = eNew;
                g = flatGrad(e);
                if (!listener.onIteration(iter, x.reshape(shape), e)) {
                    return new OptimizationResult(x.reshape(shape), e, iter, evaluations, StopReason.STOPPED_BY_LISTENER);
                }
                if (iter >= maxIterations) {
                    return new OptimizationResult(x.reshape(shape), e, iter, evaluations, StopReason.MAX_ITERATIONS);
                }
                if (maxAbs(g) <= gradientTolerance) {
                    return new OptimizationResult(x.reshape(shape), e, iter, evaluations, StopReason.GRADIENT_TOLERANCE);
                }
                if (maxAbs(d) * Math.abs(t) <= changeTolerance || Math.abs(e.value() - prevValue) < changeTolerance) {
                    return new OptimizationResult(x.reshape(shape), e, iter, evaluations, StopReason.CHANGE_TOLERANCE);
                }
            }
        }

        /** Two-loop recursion: returns -H g. */
        private INDArray twoLoop(INDArray g, double hDiag) {
            int n = dirs.size();
            double[] alpha = new double[n];
            INDArray q = g.neg();
            Iterator<INDArray> ys = dirs.descendingIterator();
            Iterator<INDArray> ss = steps.descendingIterator();
            Iterator<Double> rs = rhos.descendingIterator();
            for (int i = n - 1; i >= 0; i--) {
                INDArray y = ys.next();
                alpha[i] = dot(ss.next(), q) * rs.next();
                Nd4j.getBlasWrapper().axpy(-alpha[i], y, q);
            }
            INDArray r = q.muli(hDiag);
            ys = dirs.iterator();
            ss = steps.iterator();
            rs = rhos.iterator();
            for (int i = 0; i < n; i++) {
                INDArray y = ys.next();
                INDArray s = ss.next();
                double beta = dot(y, r) * rs.next();
                Nd4j.getBlasWrapper().axpy(alpha[i] - beta, s, r);
            }
            return r;
        }
    }

    /** In place and without temporaries: at 1024 x 1024 each temporary would be 12 MB, hundreds per iteration. */
    static double dot(INDArray a, INDArray b) {
        return Nd4j.getBlasWrapper().dot(a, b);
    }

    /**
     * Frees an array of the optimizer's own at once: ND4J releases native memory only when the Java
     * object is garbage collected, and these small objects hardly fill the heap.
     */
    private static void release(INDArray a) {
        if (a != null && a.closeable()) {
            a.close();
        }
    }

    static double maxAbs(INDArray a) {
        return a.amaxNumber().doubleValue();
    }

    /** Builder with the defaults of {@code torch.optim.LBFGS}. */
    public static final class Builder {
        private int historySize = 100;
        private double learningRate = 1.0;
        private double gradientTolerance = 1e-7;
        private double changeTolerance = 1e-9;
        private boolean lineSearch = false;

        private Builder() {
        }

        /** Number of correction pairs kept (default 100). */
        public Builder historySize(int historySize) {
            this.historySize = Checks.requirePositive(historySize, "historySize");
            return this;
        }

        /** Step length multiplier (default 1). */
        public Builder learningRate(double learningRate) {
            this.learningRate = Checks.requirePositive(learningRate, "learningRate");
            return this;
        }

        /** Stop when the largest absolute gradient component is at most this (default 1e-7; 0 disables). */
        public Builder gradientTolerance(double tolerance) {
            this.gradientTolerance = Checks.requireNonNegative(tolerance, "gradientTolerance");
            return this;
        }

        /** Stop when the value or the step changes by less than this (default 1e-9; 0 disables). */
        public Builder changeTolerance(double tolerance) {
            this.changeTolerance = Checks.requireNonNegative(tolerance, "changeTolerance");
            return this;
        }

        /** Use a strong-Wolfe line search (several evaluations per iteration); default off, as in neural-style. */
        public Builder lineSearch(boolean lineSearch) {
            this.lineSearch = lineSearch;
            return this;
        }

        public Lbfgs build() {
            return new Lbfgs(this);
        }
    }
}
