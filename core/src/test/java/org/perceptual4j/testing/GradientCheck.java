package org.perceptual4j.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * Compares an analytic gradient with central finite differences, for tests.
 *
 * <pre>{@code
 * GradientCheck.of(x -> loss.value(x))
 *         .check(x, loss.gradient(x))
 *         .assertMatches(1e-2);
 * }</pre>
 *
 * <h2>How the finite differences are taken</h2>
 * The function is always called on a fresh copy of {@code x} <em>in {@code x}'s own data type</em>
 * (and shape), with one coordinate moved by {@code +h} and then by {@code -h}; nothing is converted
 * to DOUBLE behind the function's back, because the functions under test (ND4J graphs, losses) often
 * accept FLOAT only. The numeric derivative is {@code (f(x+) - f(x-)) / (x+_i - x-_i)}, where
 * {@code x+_i} and {@code x-_i} are the perturbed coordinates <em>as actually stored</em> (rounded
 * to x's data type), so the rounding of the step itself does not add error. Function values are
 * returned as double and subtracted in double.
 *
 * <p>The step is {@code h = epsilon * scale}, with {@code scale = max |x_i|} (1 if x is all zeros),
 * i.e. {@link Builder#epsilon epsilon} is relative to the scale of x: an image in [0, 1] and one in
 * Caffe's [0, 255] range get comparable steps. The default epsilon is {@value #DEFAULT_FLOAT_EPSILON}
 * for FLOAT (and HALF/BFLOAT16) inputs: in float, f carries a relative rounding error of about 1e-7,
 * which the difference quotient amplifies by {@code |f| / (h |f'|)}; a step of 1e-2 of the scale
 * keeps that near 1e-5 while the truncation error, {@code O(h^2)}, stays small for smooth functions.
 * For functions with kinks (ReLU, max pooling) use a smaller epsilon such as 1e-3 so fewer
 * coordinates cross a kink. For DOUBLE inputs the default is {@value #DEFAULT_DOUBLE_EPSILON}.
 * {@link Builder#step(double)} sets an absolute step instead.
 *
 * <h2>Which coordinates</h2>
 * All of them when {@code x.length() <= maxCoordinates} (default {@value #DEFAULT_MAX_COORDINATES});
 * otherwise {@code maxCoordinates} distinct coordinates drawn with {@link java.util.Random} from the
 * {@link Builder#seed seed} (default {@value #DEFAULT_SEED}), so a check is reproducible.
 * Coordinates are flat indices in C (row-major) order of {@code x}'s shape.
 *
 * <h2>Relative error</h2>
 * Per coordinate {@code |a - n| / max(|a|, |n|, floor)} for analytic {@code a} and numeric
 * {@code n}. The floor keeps near-zero components, where only rounding noise is left, from
 * producing huge relative errors: by default it is {@value #DEFAULT_RELATIVE_FLOOR} times the
 * largest absolute component of the whole analytic gradient (at least {@value #MIN_FLOOR});
 * {@link Builder#floor(double)} sets an absolute floor instead. A NaN or infinite value on either
 * side makes the error infinite, so it always fails.
 *
 * <p>Tolerances: for FLOAT functions expect relative errors around 1e-3 and assert about 1e-2.
 * The numeric derivative carries an <em>absolute</em> rounding error of roughly
 * {@code 1e-7 * |f| / h} (more when f sums many elements), so components much smaller than the
 * typical one need a floor above that level: e.g. for f summing 768 float squares with a step of
 * 0.03 that noise is about 1e-3, and {@code floor(0.05)} is right. DOUBLE inputs allow 1e-6 or
 * tighter.
 *
 * <p>{@code f} must be deterministic; it may keep or modify the array it is given.
 */
public final class GradientCheck {
    /** Default epsilon (relative to the scale of x) for FLOAT, HALF and BFLOAT16 inputs. */
    public static final double DEFAULT_FLOAT_EPSILON = 1e-2;
    /** Default epsilon (relative to the scale of x) for DOUBLE inputs. */
    public static final double DEFAULT_DOUBLE_EPSILON = 1e-6;
    /** Coordinates checked at most, unless changed. */
    public static final int DEFAULT_MAX_COORDINATES = 64;
    /** Seed for choosing the coordinates of large arrays. */
    public static final long DEFAULT_SEED = 42;
    /** Default floor, relative to the largest absolute analytic gradient component. */
    public static final double DEFAULT_RELATIVE_FLOOR = 1e-3;
    /** Lower bound of the default floor. */
    public static final double MIN_FLOOR = 1e-12;

    private GradientCheck() {
    }

    /** Starts a check of {@code f}; configure it, then call {@link Builder#check}. */
    public static Builder of(ToDoubleFunction<INDArray> f) {
        return new Builder(Objects.requireNonNull(f, "f"));
    }

    /** Checks with all defaults: {@code of(f).check(x, analyticGradient)}. */
    public static Report check(ToDoubleFunction<INDArray> f, INDArray x, INDArray analyticGradient) {
        return of(f).check(x, analyticGradient);
    }

    /** Configuration of one check. */
    public static final class Builder {
        private final ToDoubleFunction<INDArray> f;
        private double epsilon = Double.NaN; // NaN: the default for x's data type
        private double absoluteStep = Double.NaN;
        private int maxCoordinates = DEFAULT_MAX_COORDINATES;
        private long seed = DEFAULT_SEED;
        private double floor = Double.NaN; // NaN: relative default

        private Builder(ToDoubleFunction<INDArray> f) {
            this.f = f;
        }

        /** Step relative to the scale of x ({@code h = epsilon * max|x_i|}); e.g. 1e-2 .. 1e-3 for FLOAT. */
        public Builder epsilon(double epsilon) {
            if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
                throw new IllegalArgumentException("epsilon: expected a finite value > 0, got " + epsilon);
            }
            this.epsilon = epsilon;
            this.absoluteStep = Double.NaN;
            return this;
        }

        /** Absolute step {@code h}, overriding {@link #epsilon}. */
        public Builder step(double h) {
            if (!(h > 0) || Double.isInfinite(h)) {
                throw new IllegalArgumentException("step: expected a finite value > 0, got " + h);
            }
            this.absoluteStep = h;
            return this;
        }

        /** Checks all coordinates of arrays up to this length, otherwise this many random ones. */
        public Builder maxCoordinates(int maxCoordinates) {
            if (maxCoordinates <= 0) {
                throw new IllegalArgumentException("maxCoordinates: expected a value > 0, got " + maxCoordinates);
            }
            this.maxCoordinates = maxCoordinates;
            return this;
        }

        /** Seed for drawing the coordinates of large arrays. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Absolute floor of the relative-error denominator, overriding the relative default. */
        public Builder floor(double floor) {
            if (!(floor > 0) || Double.isInfinite(floor)) {
                throw new IllegalArgumentException("floor: expected a finite value > 0, got " + floor);
            }
            this.floor = floor;
            return this;
        }

        /**
         * Compares {@code analyticGradient} (same shape as {@code x}, any floating-point type) with
         * central differences of f at {@code x}. Neither array is modified.
         */
        public Report check(INDArray x, INDArray analyticGradient) {
            Objects.requireNonNull(x, "x");
            Objects.requireNonNull(analyticGradient, "analyticGradient");
            if (!x.dataType().isFPType()) {
                throw new IllegalArgumentException("x: expected a floating-point array, got " + x.dataType());
            }
            if (!Arrays.equals(x.shape(), analyticGradient.shape())) {
                throw new IllegalArgumentException("analyticGradient: expected the shape of x " + Arrays.toString(x.shape())
                        + ", got " + Arrays.toString(analyticGradient.shape()));
            }
            long n = x.length();
            long[] shape = x.shape();
            DataType type = x.dataType();
            double[] xs = x.castTo(DataType.DOUBLE).dup('c').reshape(n).toDoubleVector();
            double[] grad = analyticGradient.castTo(DataType.DOUBLE).dup('c').reshape(n).toDoubleVector();

            double scale = 0;
            for (double v : xs) {
                scale = Math.max(scale, Math.abs(v));
            }
            if (!(scale > 0) || Double.isInfinite(scale)) {
                scale = 1;
            }
            double eps = Double.isNaN(epsilon) ? (type == DataType.DOUBLE ? DEFAULT_DOUBLE_EPSILON : DEFAULT_FLOAT_EPSILON) : epsilon;
            double h = Double.isNaN(absoluteStep) ? eps * scale : absoluteStep;

            double usedFloor = floor;
            if (Double.isNaN(usedFloor)) {
                double gmax = 0;
                for (double v : grad) {
                    if (Double.isFinite(v)) {
                        gmax = Math.max(gmax, Math.abs(v));
                    }
                }
                usedFloor = Math.max(DEFAULT_RELATIVE_FLOOR * gmax, MIN_FLOOR);
            }

            INDArray base = x.dup('c');
            List<Entry> entries = new ArrayList<>();
            for (long i : coordinates(n)) {
                double xi = xs[(int) i];
                double plus = storedAs(type, xi + h);
                double minus = storedAs(type, xi - h);
                if (plus == minus) {
                    throw new IllegalStateException("step h=" + h + " vanishes in " + type + " at coordinate "
                            + Arrays.toString(Shape.ind2subC(shape, i)) + " (x=" + xi + "): use a larger epsilon");
                }
                double fPlus = f.applyAsDouble(perturbed(base, n, i, plus));
                double fMinus = f.applyAsDouble(perturbed(base, n, i, minus));
                double numeric = (fPlus - fMinus) / (plus - minus);
                entries.add(new Entry(i, Shape.ind2subC(shape, i), grad[(int) i], numeric,
                        relativeError(grad[(int) i], numeric, usedFloor)));
            }
            return new Report(List.copyOf(entries), n, h, usedFloor, type);
        }

        private long[] coordinates(long n) {
            if (n <= maxCoordinates) {
                long[] all = new long[(int) n];
                for (int i = 0; i < n; i++) {
                    all[i] = i;
                }
                return all;
            }
            Random random = new Random(seed);
            return random.longs(0, n).distinct().limit(maxCoordinates).sorted().toArray();
        }
    }

    private static INDArray perturbed(INDArray base, long n, long i, double value) {
        INDArray copy = base.dup('c');
        copy.reshape(n).putScalar(i, value); // reshape of a fresh 'c' copy is a view
        return copy;
    }

    private static double storedAs(DataType type, double v) {
        switch (type) {
            case DOUBLE:
                return v;
            case FLOAT:
                return (float) v;
            default:
                // HALF, BFLOAT16: round through an array of that type
                return org.nd4j.linalg.factory.Nd4j.scalar(v).castTo(type).getDouble(0);
        }
    }

    /** {@code |a - n| / max(|a|, |n|, floor)}; infinite if either value is not finite. */
    public static double relativeError(double analytic, double numeric, double floor) {
        if (!Double.isFinite(analytic) || !Double.isFinite(numeric)) {
            return Double.POSITIVE_INFINITY;
        }
        return Math.abs(analytic - numeric) / Math.max(Math.max(Math.abs(analytic), Math.abs(numeric)), floor);
    }

    /**
     * One checked coordinate.
     *
     * @param flatIndex index in C order
     * @param position the same index per dimension
     */
    public record Entry(long flatIndex, long[] position, double analytic, double numeric, double relativeError) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s analytic %.6g numeric %.6g (rel. error %.3g)", Arrays.toString(position),
                    analytic, numeric, relativeError);
        }
    }

    /**
     * The outcome of a check.
     *
     * @param entries the checked coordinates, in increasing flat index
     * @param totalCoordinates the length of x
     * @param step the step h used
     * @param floor the floor used in the relative error
     * @param dataType the data type f was evaluated in
     */
    public record Report(List<Entry> entries, long totalCoordinates, double step, double floor, DataType dataType) {

        /** The coordinate with the largest relative error (first one on ties). */
        public Entry worst() {
            return entries.stream().max(Comparator.comparingDouble(Entry::relativeError)).orElseThrow();
        }

        /** Largest relative error over the checked coordinates. */
        public double maxRelativeError() {
            return worst().relativeError();
        }

        /** Index of the worst coordinate per dimension of x. */
        public long[] worstCoordinate() {
            return worst().position();
        }

        /** Throws an {@link AssertionError} naming the worst coordinates unless every relative error is at most relTol. */
        public Report assertMatches(double relTol) {
            List<Entry> bad = entries.stream().filter(e -> !(e.relativeError() <= relTol))
                    .sorted(Comparator.comparingDouble(Entry::relativeError).reversed()).toList();
            if (!bad.isEmpty()) {
                Entry w = bad.get(0);
                StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                        "gradient check failed: max relative error %.3g > tolerance %.3g at %s: analytic %.6g, numeric %.6g;"
                                + " %d of %d checked coordinates exceed the tolerance (%d of %d coordinates checked, %s, step %.3g,"
                                + " floor %.3g)",
                        w.relativeError(), relTol, Arrays.toString(w.position()), w.analytic(), w.numeric(), bad.size(),
                        entries.size(), entries.size(), totalCoordinates, dataType, step, floor));
                int shown = Math.min(5, bad.size());
                sb.append("; worst ").append(shown).append(':');
                for (int k = 0; k < shown; k++) {
                    sb.append("\n  ").append(bad.get(k));
                }
                throw new AssertionError(sb.toString());
            }
            return this;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "GradientCheck.Report[max relative error %.3g at %s, %d of %d coordinates, %s, step %.3g, floor %.3g]",
                    maxRelativeError(), Arrays.toString(worstCoordinate()), entries.size(), totalCoordinates, dataType, step, floor);
        }
    }
}
