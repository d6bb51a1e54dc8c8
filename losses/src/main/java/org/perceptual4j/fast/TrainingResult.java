package org.perceptual4j.fast;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.perceptual4j.style.LossRecord;

/**
 * What {@link FastStyleTrainer#train()} returns.
 *
 * @param model the trained model (its metadata records the style, the settings and the iterations)
 * @param iterations iterations done in all, including those before a resume
 * @param completed false if the run was stopped (interrupt or {@link TrainingEvent#requestStop()}) before
 *     the planned iterations or epochs
 * @param history the loss of every iteration, including those before a resume
 * @param skippedFiles data-set files that could not be read, with the reason (the message names the file)
 * @param checkpoint the last checkpoint written, or {@code null} if none was configured
 */
public record TrainingResult(FastStyleModel model, long iterations, boolean completed, List<LossRecord> history,
        Map<Path, String> skippedFiles, Path checkpoint) {
    public TrainingResult {
        history = List.copyOf(history);
        skippedFiles = Collections.unmodifiableMap(new LinkedHashMap<>(skippedFiles));
    }
}
