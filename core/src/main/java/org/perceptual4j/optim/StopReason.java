package org.perceptual4j.optim;

/** Why an optimization ended. */
public enum StopReason {
    /** The iteration budget was used up. */
    MAX_ITERATIONS,
    /** The largest absolute gradient component fell below the gradient tolerance. */
    GRADIENT_TOLERANCE,
    /** The change of the value or of the point fell below the change tolerance. */
    CHANGE_TOLERANCE,
    /** The listener asked to stop (for example on cancellation). */
    STOPPED_BY_LISTENER,
    /** The objective returned NaN or infinity; the result holds the last finite point. */
    NON_FINITE
}
