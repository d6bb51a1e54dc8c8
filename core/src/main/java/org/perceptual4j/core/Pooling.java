package org.perceptual4j.core;

/** Spatial pooling between the convolution blocks of a VGG-style network. */
public enum Pooling {
    /** Max pooling, as the networks were trained (the default). */
    MAX,
    /** Average pooling; Gatys et al. report slightly smoother results with it. */
    AVG
}
