package org.perceptual4j.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Test objectives. They read the FLOAT point, compute value and gradient in double precision and
 * return the gradient as FLOAT in the point's shape, so the only rounding is the optimizers' own.
 */
final class Problems {
    private Problems() {
    }

    static double[] toDoubles(INDArray x) {
        return x.castTo(DataType.DOUBLE).dup('c').reshape(x.length()).toDoubleVector();
    }

    static INDArray floatArray(double[] v, long... shape) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return Nd4j.createFromArray(f).reshape(shape);
    }

    static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** f(x) = 0.5 x^T A x - b^T x, with A symmetric positive definite, minimized at xStar = A^-1 b. */
    static final class Quadratic implements Objective {
        final int n;
        final double[][] a;
        final double[] b;
        final double[] xStar;
        /** Every point the objective was called with (flat copies), if recording. */
        final List<double[]> seen = new ArrayList<>();
        private final boolean record;

        Quadratic(double[][] a, double[] b, double[] xStar, boolean record) {
            this.n = b.length;
            this.a = a;
            this.b = b;
            this.xStar = xStar;
            this.record = record;
        }

        /**
         * A = M^T M + mu I with M standard normal, n x n, and a minimizer drawn uniformly from
         * [-1, 1]^n (b = A x*). With mu = 1 the condition number is at most about 4n + 1.
         */
        static Quadratic random(int n, double mu, long seed) {
            Random r = new Random(seed);
            double[][] m = new double[n][n];
            for (double[] row : m) {
                for (int j = 0; j < n; j++) {
                    row[j] = r.nextGaussian();
                }
            }
            double[][] a = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int k = 0; k < n; k++) {
                        s += m[k][i] * m[k][j];
                    }
                    a[i][j] = s + (i == j ? mu : 0);
                }
            }
            double[] xStar = new double[n];
            for (int i = 0; i < n; i++) {
                xStar[i] = 2 * r.nextDouble() - 1;
            }
            double[] b = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    b[i] += a[i][j] * xStar[j];
                }
            }
            return new Quadratic(a, b, xStar, false);
        }

        /** For a problem given by A and b only (minimizer not needed). */
        static Quadratic of(double[][] a, double[] b) {
            return new Quadratic(a, b, null, false);
        }

        Quadratic recording() {
            return new Quadratic(a, b, xStar, true);
        }

        double value(double[] x) {
            double v = 0;
            for (int i = 0; i < n; i++) {
                double ax = 0;
                for (int j = 0; j < n; j++) {
                    ax += a[i][j] * x[j];
                }
                v += 0.5 * x[i] * ax - b[i] * x[i];
            }
            return v;
        }

        double[] gradient(double[] x) {
            double[] g = new double[n];
            for (int i = 0; i < n; i++) {
                double ax = 0;
                for (int j = 0; j < n; j++) {
                    ax += a[i][j] * x[j];
                }
                g[i] = ax - b[i];
            }
            return g;
        }

        @Override
        public Evaluation evaluate(INDArray x) {
            double[] v = toDoubles(x);
            if (record) {
                seen.add(v);
            }
            return Evaluation.of(value(v), floatArray(gradient(v), x.shape()));
        }
    }

    /** f(x, y) = (1 - x)^2 + 100 (y - x^2)^2, minimum 0 at (1, 1). */
    static final class Rosenbrock implements Objective {
        static double value(double x, double y) {
            return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
        }

        @Override
        public Evaluation evaluate(INDArray p) {
            double[] v = toDoubles(p);
            double x = v[0];
            double y = v[1];
            double gx = -2 * (1 - x) - 400 * x * (y - x * x);
            double gy = 200 * (y - x * x);
            return Evaluation.of(value(x, y), floatArray(new double[] {gx, gy}, p.shape()));
        }
    }

    /** The extended Rosenbrock function sum_{i<n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2, minimum 0 at (1, ..., 1). */
    static final class ExtendedRosenbrock implements Objective {
        @Override
        public Evaluation evaluate(INDArray p) {
            double[] x = toDoubles(p);
            double f = 0;
            double[] g = new double[x.length];
            for (int i = 0; i + 1 < x.length; i++) {
                double r = x[i + 1] - x[i] * x[i];
                f += 100 * r * r + (1 - x[i]) * (1 - x[i]);
                g[i] += -400 * x[i] * r - 2 * (1 - x[i]);
                g[i + 1] += 200 * r;
            }
            return Evaluation.of(f, floatArray(g, p.shape()));
        }
    }
}
