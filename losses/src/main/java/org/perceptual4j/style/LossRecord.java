package org.perceptual4j.style;

import java.util.Map;

/**
 * The losses of one iteration.
 *
 * @param iteration 0 for the starting image
 * @param terms each weighted loss term by name, in a stable order
 * @param total the sum of the terms
 * @param elapsedMillis milliseconds since the run started
 */
public record LossRecord(int iteration, Map<String, Double> terms, double total, long elapsedMillis) {
    public LossRecord {
        terms = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(terms));
    }
}
