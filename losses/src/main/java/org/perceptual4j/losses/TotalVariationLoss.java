package org.perceptual4j.losses;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.internal.Checks;

/**
 * Total-variation regulariser of an NCHW image: penalises differences between neighbouring pixels.
 * It needs no target: the {@code target} argument of {@link #compute(INDArray, INDArray)} and
 * {@link #define} is ignored and may be {@code null}.
 *
 * <ul>
 *   <li>{@link Norm#SQUARED} (default), jcjohnson/neural-style's {@code TVLoss}:
 *   <pre>  TV(x) = 1/2 * sum over n, c, i &lt; H-1, j &lt; W-1 of (x[i,j+1] - x[i,j])^2 + (x[i+1,j] - x[i,j])^2</pre>
 *   The factor 1/2 makes the gradient identical to neural-style's, so its weight (1e-3) carries over.</li>
 *   <li>{@link Norm#L1}, the anisotropic TV of {@code tf.image.total_variation} (Mahendran and Vedaldi,
 *   "Understanding Deep Image Representations by Inverting Them", CVPR 2015, with beta = 1):
 *   <pre>  TV(x) = sum |x[:, :, :, 1:] - x[:, :, :, :-1]| + sum |x[:, :, 1:, :] - x[:, :, :-1, :]|</pre></li>
 * </ul>
 * With {@link Reduction#MEAN} the sum is divided by the number of summed differences:
 * {@code 2 * N * C * (H-1) * (W-1)} for {@link Norm#SQUARED} (a horizontal and a vertical one per grid
 * point) and {@code N * C * (H * (W-1) + (H-1) * W)} for {@link Norm#L1}.
 */
public final class TotalVariationLoss implements Loss {

    /** Which penalty is applied to neighbour differences. */
    public enum Norm {
        /** Half the sum of squared differences on the (H-1) x (W-1) grid (neural-style). */
        SQUARED,
        /** Sum of absolute differences over all horizontal and vertical neighbour pairs. */
        L1
    }

    private final Norm norm;
    private final Reduction reduction;

    /** Squared differences, summed: neural-style's definition. */
    public TotalVariationLoss() {
        this(Norm.SQUARED, Reduction.SUM);
    }

    public TotalVariationLoss(Norm norm) {
        this(norm, Reduction.SUM);
    }

    public TotalVariationLoss(Norm norm, Reduction reduction) {
        this.norm = Checks.requireNonNull(norm, "norm");
        this.reduction = Checks.requireNonNull(reduction, "reduction");
    }

    public Norm norm() {
        return norm;
    }

    public Reduction reduction() {
        return reduction;
    }

    /** The total variation of {@code image}. */
    public double compute(INDArray image) {
        return compute(image, null);
    }

    @Override
    public double compute(INDArray input, INDArray target) {
        validate(input, target);
        return LossGraphs.value(this, input, null);
    }

    @Override
    public INDArray gradient(INDArray input, INDArray target) {
        validate(input, target);
        return LossGraphs.gradient(this, input, null);
    }

    @Override
    public void validate(INDArray input, INDArray target) {
        Checks.requireNchw(input, "input");
        if (input.size(2) < 2 || input.size(3) < 2) {
            throw new IllegalArgumentException("input: expected height and width >= 2, got " + java.util.Arrays.toString(input.shape()));
        }
    }

    @Override
    public SDVariable define(SameDiff sd, SDVariable input, SDVariable target) {
        long[] stride = {1, 1, 1, 1};
        // masks: bit i set = ignore begin/end for dimension i (take the whole dimension)
        int nc = 0b0011;
        if (norm == Norm.SQUARED) {
            SDVariable base = sd.stridedSlice(input, new long[] {0, 0, 0, 0}, new long[] {0, 0, -1, -1}, stride, nc, nc, 0, 0, 0);
            SDVariable right = sd.stridedSlice(input, new long[] {0, 0, 0, 1}, new long[] {0, 0, -1, 0}, stride, nc, nc | 0b1000, 0, 0, 0);
            SDVariable down = sd.stridedSlice(input, new long[] {0, 0, 1, 0}, new long[] {0, 0, 0, -1}, stride, nc, nc | 0b0100, 0, 0, 0);
            SDVariable dx = right.sub(base);
            SDVariable dy = down.sub(base);
            SDVariable terms = dx.mul(dx).add(dy.mul(dy)).mul(0.5);
            if (reduction == Reduction.SUM) {
                return terms.sum();
            }
            // each grid point holds two differences (dx and dy): divide by their number, 2 * terms
            return terms.mean().mul(0.5);
        }
        SDVariable left = sd.stridedSlice(input, new long[] {0, 0, 0, 0}, new long[] {0, 0, 0, -1}, stride, nc, nc | 0b0100, 0, 0, 0);
        SDVariable right = sd.stridedSlice(input, new long[] {0, 0, 0, 1}, new long[] {0, 0, 0, 0}, stride, nc, nc | 0b1100, 0, 0, 0);
        SDVariable top = sd.stridedSlice(input, new long[] {0, 0, 0, 0}, new long[] {0, 0, -1, 0}, stride, nc, nc | 0b1000, 0, 0, 0);
        SDVariable bottom = sd.stridedSlice(input, new long[] {0, 0, 1, 0}, new long[] {0, 0, 0, 0}, stride, nc, nc | 0b1100, 0, 0, 0);
        SDVariable h = sd.math().abs(right.sub(left));
        SDVariable v = sd.math().abs(bottom.sub(top));
        if (reduction == Reduction.SUM) {
            return h.sum().add(v.sum());
        }
        SDVariable count = h.length().add(v.length()).castTo(input.dataType());
        return h.sum().add(v.sum()).div(count);
    }

    @Override
    public String toString() {
        return "TotalVariationLoss[" + norm + ", " + reduction + "]";
    }
}
