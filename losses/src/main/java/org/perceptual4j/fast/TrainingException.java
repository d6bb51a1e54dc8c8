package org.perceptual4j.fast;

import java.util.List;
import org.perceptual4j.style.LossRecord;

/**
 * Training cannot go on: the loss became NaN or infinite. Carries the model before the failing step, so
 * the work so far is not lost.
 */
public class TrainingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient FastStyleModel lastFiniteModel;
    private final transient List<LossRecord> history;

    TrainingException(String message, FastStyleModel lastFiniteModel, List<LossRecord> history) {
        super(message);
        this.lastFiniteModel = lastFiniteModel;
        this.history = List.copyOf(history);
    }

    /** The model with the weights before the step whose loss was not finite. */
    public FastStyleModel lastFiniteModel() {
        return lastFiniteModel;
    }

    /** The losses of the iterations done. */
    public List<LossRecord> history() {
        return history;
    }
}
