package org.perceptual4j.fast;

/** Receives the progress of {@link FastStyleTrainer#train()}, on the training thread, after every iteration. */
@FunctionalInterface
public interface TrainingListener {
    /** Called after each iteration (one batch and one Adam step); may call {@link TrainingEvent#requestStop()}. */
    void onIteration(TrainingEvent event);
}
