package org.perceptual4j.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The outcome of {@link Optimizer#minimize}.
 *
 * @param x the final point (the last point with a finite value if {@code stopReason} is NON_FINITE)
 * @param evaluation the evaluation at {@code x}
 * @param iterations iterations done (0 if the starting point already met a tolerance)
 * @param evaluations calls of the objective
 * @param stopReason why it stopped
 */
public record OptimizationResult(INDArray x, Evaluation evaluation, int iterations, int evaluations, StopReason stopReason) {
}
