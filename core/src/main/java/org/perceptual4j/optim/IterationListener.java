package org.perceptual4j.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Receives the accepted point after each optimizer iteration. */
@FunctionalInterface
public interface IterationListener {
    /** A listener that never stops the optimization. */
    IterationListener NONE = (iteration, x, evaluation) -> true;

    /**
     * Called once with iteration 0 for the starting point, then after every iteration.
     *
     * @param iteration 0 for the starting point, then 1, 2, ...
     * @param x the current point; read-only, valid only during the call (copy it to keep it)
     * @param evaluation value, gradient and components at {@code x}
     * @return {@code true} to continue, {@code false} to stop after this iteration
     */
    boolean onIteration(int iteration, INDArray x, Evaluation evaluation);
}
