package org.perceptual4j.optim;

import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Strong-Wolfe line search with cubic interpolation, a direct port of {@code _strong_wolfe} in
 * {@code torch/optim/lbfgs.py} (after minFunc), so that {@link Lbfgs} with line search follows
 * PyTorch step for step.
 */
final class StrongWolfe {
    private static final double C1 = 1e-4;
    private static final double C2 = 0.9;
    private static final int MAX_LS = 25;

    record Result(double step, Evaluation evaluation) {
    }

    private final Function<INDArray, Evaluation> objective;
    private final INDArray x;
    private final INDArray d;
    private final double f;
    private final Evaluation start;
    private final double gtd;
    private final double toleranceChange;

    /**
     * @param start the evaluation at {@code x}, returned as is (gradient in the caller's shape, with
     *     its components) when the search ends at step 0
     */
    StrongWolfe(Function<INDArray, Evaluation> objective, INDArray x, INDArray d, Evaluation start, double gtd,
            double toleranceChange) {
        this.objective = objective;
        this.x = x;
        this.d = d;
        this.f = start.value();
        this.start = start;
        this.gtd = gtd;
        this.toleranceChange = toleranceChange;
    }

    private Evaluation at(double t) {
        return objective.apply(x.add(d.mul(t)));
    }

    private double gtdOf(Evaluation e) {
        INDArray g = e.gradient().castTo(DataType.FLOAT).reshape(e.gradient().length());
        return Lbfgs.dot(g, d);
    }

    Result search(double t0) {
        double t = t0;
        double dNorm = Lbfgs.maxAbs(d);
        Evaluation eNew = at(t);
        double gtdNew = gtdOf(eNew);
        double tPrev = 0;
        Evaluation ePrev = start;
        double gtdPrev = gtd;
        boolean done = false;
        int lsIter = 0;
        double[] bracket = null;
        Evaluation[] bracketE = null;
        double[] bracketGtd = null;
        while (lsIter < MAX_LS) {
            if (!eNew.isFinite()) {
                return new Result(t, eNew);
            }
            if (eNew.value() > f + C1 * t * gtd || (lsIter > 1 && eNew.value() >= ePrev.value())) {
                bracket = new double[] {tPrev, t};
                bracketE = new Evaluation[] {ePrev, eNew};
                bracketGtd = new double[] {gtdPrev, gtdNew};
                break;
            }
            if (Math.abs(gtdNew) <= -C2 * gtd) {
                return new Result(t, eNew);
            }
            if (gtdNew >= 0) {
                bracket = new double[] {tPrev, t};
                bracketE = new Evaluation[] {ePrev, eNew};
                bracketGtd = new double[] {gtdPrev, gtdNew};
                break;
            }
            double minStep = t + 0.01 * (t - tPrev);
            double maxStep = t * 10;
            double tmp = t;
            t = cubicInterpolate(tPrev, ePrev.value(), gtdPrev, t, eNew.value(), gtdNew, minStep, maxStep);
            tPrev = tmp;
            ePrev = eNew;
            gtdPrev = gtdNew;
            eNew = at(t);
            gtdNew = gtdOf(eNew);
            lsIter++;
        }
        if (lsIter == MAX_LS) {
            // reached the evaluation limit without bracketing; the last trial was never checked. As
            // torch does (bracket [0, t], then the lower end), keep the start unless the last trial
            // is lower; a NaN last value compares false and is returned, so the caller stops on it.
            return f <= eNew.value() ? new Result(0, start) : new Result(t, eNew);
        }
        // zoom phase
        boolean insufProgress = false;
        int low = bracketE[0].value() <= bracketE[1].value() ? 0 : 1;
        int high = 1 - low;
        while (!done && lsIter < MAX_LS) {
            if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) {
                break;
            }
            t = cubicInterpolate(bracket[0], bracketE[0].value(), bracketGtd[0], bracket[1], bracketE[1].value(),
                    bracketGtd[1], Math.min(bracket[0], bracket[1]), Math.max(bracket[0], bracket[1]));
            double bMax = Math.max(bracket[0], bracket[1]);
            double bMin = Math.min(bracket[0], bracket[1]);
            double eps = 0.1 * (bMax - bMin);
            if (Math.min(bMax - t, t - bMin) < eps) {
                if (insufProgress || t >= bMax || t <= bMin) {
                    t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
                    insufProgress = false;
                } else {
                    insufProgress = true;
                }
            } else {
                insufProgress = false;
            }
            eNew = at(t);
            gtdNew = gtdOf(eNew);
            lsIter++;
            if (!eNew.isFinite()) {
                return new Result(t, eNew);
            }
            if (eNew.value() > f + C1 * t * gtd || eNew.value() >= bracketE[low].value()) {
                bracket[high] = t;
                bracketE[high] = eNew;
                bracketGtd[high] = gtdNew;
                low = bracketE[0].value() <= bracketE[1].value() ? 0 : 1;
                high = 1 - low;
            } else {
                if (Math.abs(gtdNew) <= -C2 * gtd) {
                    done = true;
                } else if (gtdNew * (bracket[high] - bracket[low]) >= 0) {
                    bracket[high] = bracket[low];
                    bracketE[high] = bracketE[low];
                    bracketGtd[high] = bracketGtd[low];
                }
                bracket[low] = t;
                bracketE[low] = eNew;
                bracketGtd[low] = gtdNew;
            }
        }
        return new Result(bracket[low], bracketE[low]);
    }

    /** Minimizer of the cubic interpolating (x1, f1, g1) and (x2, f2, g2), clamped to [lo, hi]. */
    static double cubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2, double lo,
            double hi) {
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2Square = d1 * d1 - g1 * g2;
        if (d2Square >= 0) {
            double d2 = Math.sqrt(d2Square);
            double minPos;
            if (x1 <= x2) {
                minPos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2));
            } else {
                minPos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            }
            return Math.min(Math.max(minPos, lo), hi);
        }
        return (lo + hi) / 2;
    }
}
