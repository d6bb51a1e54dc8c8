package org.perceptual4j.losses;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A differentiable loss of an input array against a target array.
 *
 * <p>Every loss can be used on its own ({@link #compute}, {@link #gradient}) and inside a larger
 * differentiable objective ({@link #define}); both paths run the same definition. Losses combine by
 * {@link #weighted(double)} and {@link #plus(Loss)}. Implementations are immutable.
 */
public interface Loss {

    /**
     * The loss value of {@code input} against {@code target}.
     *
     * @throws IllegalArgumentException if the shapes do not fit the loss
     */
    double compute(INDArray input, INDArray target);

    /** The gradient of {@link #compute} with respect to {@code input}, same shape as {@code input}. */
    default INDArray gradient(INDArray input, INDArray target) {
        validate(input, target);
        return LossGraphs.gradient(this, input, target);
    }

    /**
     * Adds this loss to a SameDiff graph.
     *
     * @param sd the graph
     * @param input the variable the loss is differentiated with respect to
     * @param target the target variable (may be {@code null} for losses that need none)
     * @return a scalar variable holding the loss
     */
    SDVariable define(SameDiff sd, SDVariable input, SDVariable target);

    /**
     * Checks that the arrays fit this loss; {@link #compute} and {@link #gradient} call it first.
     *
     * @throws IllegalArgumentException with the expected and the actual shapes
     */
    void validate(INDArray input, INDArray target);

    /** This loss multiplied by {@code weight} (finite, &gt;= 0). */
    default Loss weighted(double weight) {
        return new WeightedLoss(this, weight);
    }

    /** The sum of this loss and {@code other}, both applied to the same input and target. */
    default Loss plus(Loss other) {
        return SumLoss.of(this, other);
    }
}
