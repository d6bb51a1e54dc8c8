package org.perceptual4j.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A differentiable function x -> (value, gradient) over an ND4J array. */
@FunctionalInterface
public interface Objective {
    /**
     * Evaluates the function at {@code x}. Implementations must not keep or modify {@code x}; the
     * returned gradient must have the shape of {@code x} and must not be modified afterwards by the
     * objective (optimizers may hold on to it).
     */
    Evaluation evaluate(INDArray x);
}
