package org.perceptual4j.core.internal;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Argument validation with messages that say what was expected and what was given. */
public final class Checks {
    private Checks() {
    }

    /** Requires an NCHW image with 3 channels and a floating-point type. */
    public static void requireImage(INDArray image, String what) {
        if (image == null) {
            throw new IllegalArgumentException(what + ": expected NCHW with 3 channels, got null");
        }
        long[] s = image.shape();
        if (s.length != 4 || s[1] != 3) {
            throw new IllegalArgumentException(what + ": expected NCHW with 3 channels, got " + Arrays.toString(s));
        }
        if (!image.dataType().isFPType()) {
            throw new IllegalArgumentException(what + ": expected a floating-point array, got " + image.dataType());
        }
    }

    /** Requires a rank-4 NCHW array of any channel count. */
    public static void requireNchw(INDArray a, String what) {
        if (a == null) {
            throw new IllegalArgumentException(what + ": expected an NCHW array, got null");
        }
        if (a.rank() != 4) {
            throw new IllegalArgumentException(what + ": expected NCHW (rank 4), got " + Arrays.toString(a.shape()));
        }
    }

    /** Requires two arrays of equal shape. */
    public static void requireSameShape(INDArray input, INDArray target) {
        if (input == null || target == null) {
            throw new IllegalArgumentException("expected input and target arrays, got " + (input == null ? "null input" : "null target"));
        }
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException("expected input and target of the same shape, got input "
                    + Arrays.toString(input.shape()) + " and target " + Arrays.toString(target.shape()));
        }
    }

    public static double requireNonNegative(double value, String what) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(what + ": expected a finite value >= 0, got " + value);
        }
        return value;
    }

    public static double requirePositive(double value, String what) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(what + ": expected a finite value > 0, got " + value);
        }
        return value;
    }

    public static int requirePositive(int value, String what) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + ": expected a value > 0, got " + value);
        }
        return value;
    }

    public static <T> T requireNonNull(T value, String what) {
        if (value == null) {
            throw new IllegalArgumentException(what + ": expected a value, got null");
        }
        return value;
    }
}
