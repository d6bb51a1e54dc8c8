package org.perceptual4j.losses;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.internal.Checks;

/** A loss multiplied by a constant weight; made by {@link Loss#weighted(double)}. */
final class WeightedLoss implements Loss {
    private final Loss inner;
    private final double weight;

    WeightedLoss(Loss inner, double weight) {
        this.inner = Checks.requireNonNull(inner, "loss");
        this.weight = Checks.requireNonNegative(weight, "weight");
    }

    @Override
    public double compute(INDArray input, INDArray target) {
        return weight * inner.compute(input, target);
    }

    @Override
    public SDVariable define(SameDiff sd, SDVariable input, SDVariable target) {
        return inner.define(sd, input, target).mul(weight);
    }

    @Override
    public void validate(INDArray input, INDArray target) {
        inner.validate(input, target);
    }

    @Override
    public Loss weighted(double w) {
        return new WeightedLoss(inner, weight * Checks.requireNonNegative(w, "weight"));
    }

    @Override
    public String toString() {
        return weight + " * " + inner;
    }
}
