package org.perceptual4j.style;

/** Receives progress of a {@link StyleTransfer} run, on the thread that called {@code run()}. */
@FunctionalInterface
public interface StyleTransferListener {
    void onIteration(IterationEvent event);
}
