package org.perceptual4j.style;

import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a {@link StyleTransferListener} receives after each iteration (and once for iteration 0, the
 * starting image).
 */
public final class IterationEvent {
    private final int iteration;
    private final int maxIterations;
    private final Map<String, Double> terms;
    private final double total;
    private final Duration elapsed;
    private final Supplier<INDArray> image;
    private boolean stopRequested;

    IterationEvent(int iteration, int maxIterations, Map<String, Double> terms, double total, Duration elapsed,
            Supplier<INDArray> image) {
        this.iteration = iteration;
        this.maxIterations = maxIterations;
        this.terms = terms;
        this.total = total;
        this.elapsed = elapsed;
        this.image = image;
    }

    /** 0 for the starting image, then 1, 2, ... */
    public int iteration() {
        return iteration;
    }

    public int maxIterations() {
        return maxIterations;
    }

    /** Each weighted loss term by name ("content:relu4_2", "style:relu1_1", ..., "tv"), in a stable order. */
    public Map<String, Double> terms() {
        return terms;
    }

    /** The sum of all terms. */
    public double total() {
        return total;
    }

    /** Time since {@code run()} started. */
    public Duration elapsed() {
        return elapsed;
    }

    /**
     * The current image, RGB [0, 1], [1, 3, H, W]; computed on request (costs a conversion, so ask only
     * when you need it, e.g. every N iterations). Only valid to call during the listener call.
     */
    public INDArray image() {
        return image.get();
    }

    /** Asks the run to stop after this iteration; {@code run()} then returns the current image. */
    public void requestStop() {
        stopRequested = true;
    }

    boolean stopRequested() {
        return stopRequested;
    }
}
