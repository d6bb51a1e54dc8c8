package org.perceptual4j.losses;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.internal.Checks;

/**
 * Content (feature reconstruction) loss: the squared error between two feature maps,
 *
 * <pre>  L(F, P) = reduce over all elements of (F - P)^2</pre>
 *
 * with {@link Reduction#MEAN} by default, as in jcjohnson/neural-style ({@code nn.MSECriterion}).
 * Gatys, Ecker and Bethge, "Image Style Transfer Using Convolutional Neural Networks" (CVPR 2016),
 * eq. 1, use half the sum; {@code new ContentLoss(Reduction.SUM).weighted(0.5)} gives that.
 * Input and target must have the same shape.
 */
public final class ContentLoss implements Loss {
    private final Reduction reduction;

    /** Mean squared error. */
    public ContentLoss() {
        this(Reduction.MEAN);
    }

    public ContentLoss(Reduction reduction) {
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
        Checks.requireSameShape(input, target);
    }

    @Override
    public SDVariable define(SameDiff sd, SDVariable input, SDVariable target) {
        Checks.requireNonNull(target, "target");
        SDVariable diff = input.sub(target);
        return reduction.apply(diff.mul(diff));
    }

    @Override
    public String toString() {
        return "ContentLoss[" + reduction + "]";
    }
}
