package org.perceptual4j.onnx;

import java.util.Arrays;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A tensor while a graph is being defined: the SameDiff variable and what is known of its shape
 * ({@code -1} for a dimension known only at run time).
 */
record Value(SDVariable var, long[] shape) {

    int rank() {
        return shape.length;
    }

    long dim(int axis) {
        return shape[axis];
    }

    /** This value, if it is 4-D (NCHW) as 2-D convolution and pooling need. */
    Value requireNchw(DefineContext ctx) {
        if (shape.length != 4) {
            throw ctx.error("expected a 4-D NCHW input, got " + describe());
        }
        return this;
    }

    /** Product of the known dimensions in [from, to), or -1 if one of them is unknown. */
    long product(int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            if (shape[i] < 0) {
                return -1;
            }
            p *= shape[i];
        }
        return p;
    }

    String describe() {
        return Arrays.toString(shape).replace("-1", "?");
    }
}
