package org.perceptual4j.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Minimizes a differentiable {@link Objective} over an ND4J array, independently of how the
 * gradient is computed. Implementations are immutable configurations; each call to
 * {@link #minimize} keeps its own state, so one instance may serve several threads.
 */
public interface Optimizer {

    /**
     * Minimizes {@code f} starting from {@code x0}.
     *
     * @param f the objective
     * @param x0 the starting point (not modified)
     * @param maxIterations iteration budget, &gt; 0
     * @param listener called with iteration 0 for {@code x0} and after every iteration
     * @return the final point and why the optimization stopped
     */
    OptimizationResult minimize(Objective f, INDArray x0, int maxIterations, IterationListener listener);

    /** Short name for logs, e.g. "lbfgs". */
    String name();
}
