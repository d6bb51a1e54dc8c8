package org.perceptual4j.losses;

import org.nd4j.autodiff.samediff.SDVariable;

/** How a loss reduces its element-wise terms to one number. */
public enum Reduction {
    /** Arithmetic mean over all terms (all samples of the batch included). */
    MEAN,
    /** Sum over all terms. */
    SUM;

    SDVariable apply(SDVariable terms) {
        return this == MEAN ? terms.mean() : terms.sum();
    }
}
