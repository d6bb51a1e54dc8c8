package org.perceptual4j.fast;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** What a {@link TrainingListener} receives after each training iteration. */
public final class TrainingEvent {
    private final long iteration;
    private final long plannedIterations;
    private final int epoch;
    private final int batchSize;
    private final Map<String, Double> terms;
    private final double total;
    private final Duration elapsed;
    private final Duration eta;
    private final double imagesPerSecond;
    private final int skippedFiles;
    private final Path sampleFile;
    private final Path checkpointFile;
    private boolean stopRequested;

    TrainingEvent(long iteration, long plannedIterations, int epoch, int batchSize, Map<String, Double> terms, double total,
            Duration elapsed, Duration eta, double imagesPerSecond, int skippedFiles, Path sampleFile, Path checkpointFile) {
        this.iteration = iteration;
        this.plannedIterations = plannedIterations;
        this.epoch = epoch;
        this.batchSize = batchSize;
        this.terms = terms;
        this.total = total;
        this.elapsed = elapsed;
        this.eta = eta;
        this.imagesPerSecond = imagesPerSecond;
        this.skippedFiles = skippedFiles;
        this.sampleFile = sampleFile;
        this.checkpointFile = checkpointFile;
    }

    /** Iterations (Adam steps) done, this one included, counting those before a resume: 1, 2, ... */
    public long iteration() {
        return iteration;
    }

    /**
     * Iterations the run will do in all: exact with {@link FastStyleTrainer.Builder#iterations}, an estimate
     * with {@link FastStyleTrainer.Builder#epochs} (it assumes the files not yet read are readable).
     */
    public long plannedIterations() {
        return plannedIterations;
    }

    /** The epoch (pass over the data set) this iteration's batch came from, from 0. */
    public int epoch() {
        return epoch;
    }

    /** Images in this iteration's batch (the last batch of an epoch may be smaller). */
    public int batchSize() {
        return batchSize;
    }

    /** Each weighted loss term of this batch ("content:relu2_2", "style:relu1_2", ..., "tv"), in a stable order. */
    public Map<String, Double> terms() {
        return terms;
    }

    /** The sum of the terms: the loss that was minimized. */
    public double total() {
        return total;
    }

    /** Training time so far, including the time before a resume. */
    public Duration elapsed() {
        return elapsed;
    }

    /** Estimated time to the end, from this run's average time per iteration. */
    public Duration eta() {
        return eta;
    }

    /** Training images per second in this run so far. */
    public double imagesPerSecond() {
        return imagesPerSecond;
    }

    /** Files of the data set that could not be read so far (skipped). */
    public int skippedFiles() {
        return skippedFiles;
    }

    /** The sample image written after this iteration, or {@code null}. */
    public Path sampleFile() {
        return sampleFile;
    }

    /** The checkpoint written after this iteration, or {@code null}. */
    public Path checkpointFile() {
        return checkpointFile;
    }

    /** Asks the training to stop after this iteration; {@code train()} then returns the model so far. */
    public void requestStop() {
        stopRequested = true;
    }

    boolean stopRequested() {
        return stopRequested;
    }
}
