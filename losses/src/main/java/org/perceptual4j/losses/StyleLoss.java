package org.perceptual4j.losses;

import java.util.Arrays;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.internal.Checks;

/**
 * Style loss: the squared error between the Gram matrices of two feature maps.
 *
 * <pre>
 *   G(F)[n] = F[n] F[n]^T / (C * H * W)     F[n] = sample n reshaped to [C, H*W]
 *   L(F, S) = reduce over n, i, j of (G(F) - G(S))^2
 * </pre>
 *
 * with {@link Reduction#MEAN} by default: exactly jcjohnson/neural-style's {@code StyleLoss}
 * (Gram divided by the number of elements, {@code nn.MSECriterion}). Gatys et al. (CVPR 2016, eq. 4)
 * normalise by {@code 4 C^2 (HW)^2} instead; the difference is a constant factor absorbed by the
 * style weight. Input and target are feature maps of the same channel count; their spatial sizes may
 * differ (a style image need not have the content image's size). With a precomputed target Gram use
 * {@link #defineAgainstGram}.
 */
public final class StyleLoss implements Loss {
    private final Reduction reduction;

    /** Mean squared error of Gram matrices. */
    public StyleLoss() {
        this(Reduction.MEAN);
    }

    public StyleLoss(Reduction reduction) {
        this.reduction = Checks.requireNonNull(reduction, "reduction");
    }

    public Reduction reduction() {
        return reduction;
    }

    @Override
    public double compute(INDArray input, INDArray target) {
        validate(input, target);
        return LossGraphs.value(this, input, target);
    }

    @Override
    public void validate(INDArray input, INDArray target) {
        Checks.requireNchw(input, "input");
        Checks.requireNchw(target, "target");
        if (input.size(1) != target.size(1) || input.size(0) != target.size(0)) {
            throw new IllegalArgumentException("expected input and target with the same batch size and channel count, got input "
                    + Arrays.toString(input.shape()) + " and target " + Arrays.toString(target.shape()));
        }
    }

    @Override
    public SDVariable define(SameDiff sd, SDVariable input, SDVariable target) {
        Checks.requireNonNull(target, "target");
        return defineAgainstGram(sd, input, gram(sd, target));
    }

    /** The loss of {@code input} features against a given target Gram matrix [N or 1, C, C]. */
    public SDVariable defineAgainstGram(SameDiff sd, SDVariable input, SDVariable targetGram) {
        SDVariable diff = gram(sd, input).sub(targetGram);
        return reduction.apply(diff.mul(diff));
    }

    /** Gram matrices [N, C, C] of NCHW features, divided by C*H*W. */
    public static SDVariable gram(SameDiff sd, SDVariable features) {
        SDVariable shape = features.shape();
        SDVariable n = shape.get(org.nd4j.autodiff.samediff.SDIndex.point(0));
        SDVariable c = shape.get(org.nd4j.autodiff.samediff.SDIndex.point(1));
        SDVariable flatShape = sd.concat(0, sd.expandDims(n, 0), sd.expandDims(c, 0), sd.constant(org.nd4j.linalg.factory.Nd4j.createFromArray(-1L)));
        SDVariable f = sd.reshape(features, flatShape);
        SDVariable g = sd.mmul(f, f, false, true, false);
        SDVariable count = shape.prod().castTo(features.dataType()).div(n.castTo(features.dataType()));
        return g.div(count);
    }

    /** Gram matrices [N, C, C] of NCHW features, divided by C*H*W, computed eagerly. */
    public static INDArray gram(INDArray features) {
        Checks.requireNchw(features, "features");
        long n = features.size(0);
        long c = features.size(1);
        long hw = features.size(2) * features.size(3);
        boolean dense = features.dataType() == DataType.FLOAT && features.ordering() == 'c'
                && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(features);
        // a view when possible: feature maps can be hundreds of MB
        INDArray f = (dense ? features : features.castTo(DataType.FLOAT).dup('c')).reshape('c', n, c, hw);
        INDArray g = org.nd4j.linalg.factory.Nd4j.createUninitialized(DataType.FLOAT, n, c, c);
        for (long i = 0; i < n; i++) {
            INDArray fi = f.slice(i);
            g.slice(i).assign(org.nd4j.linalg.factory.Nd4j.gemm(fi, fi, false, true));
        }
        return g.divi(c * hw);
    }

    @Override
    public String toString() {
        return "StyleLoss[" + reduction + "]";
    }
}
