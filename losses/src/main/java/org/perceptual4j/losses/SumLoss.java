package org.perceptual4j.losses;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.internal.Checks;

/** The sum of several losses on the same input and target; made by {@link Loss#plus(Loss)}. */
final class SumLoss implements Loss {
    private final List<Loss> parts;

    private SumLoss(List<Loss> parts) {
        this.parts = List.copyOf(parts);
    }

    static SumLoss of(Loss a, Loss b) {
        List<Loss> all = new ArrayList<>();
        for (Loss l : new Loss[] {Checks.requireNonNull(a, "loss"), Checks.requireNonNull(b, "other loss")}) {
            if (l instanceof SumLoss s) {
                all.addAll(s.parts);
            } else {
                all.add(l);
            }
        }
        return new SumLoss(all);
    }

    @Override
    public double compute(INDArray input, INDArray target) {
        double sum = 0;
        for (Loss l : parts) {
            sum += l.compute(input, target);
        }
        return sum;
    }

    @Override
    public SDVariable define(SameDiff sd, SDVariable input, SDVariable target) {
        SDVariable sum = null;
        for (Loss l : parts) {
            SDVariable v = l.define(sd, input, target);
            sum = sum == null ? v : sum.add(v);
        }
        return sum;
    }

    @Override
    public void validate(INDArray input, INDArray target) {
        for (Loss l : parts) {
            l.validate(input, target);
        }
    }

    @Override
    public String toString() {
        return parts.stream().map(Object::toString).collect(Collectors.joining(" + ", "(", ")"));
    }
}
