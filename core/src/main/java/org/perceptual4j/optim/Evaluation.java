package org.perceptual4j.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The value and gradient of an objective at one point, with optional named components of the value
 * (for example each loss term), which optimizers pass through to listeners untouched.
 *
 * @param value the objective value
 * @param gradient the gradient, same shape as the point; optimizers do not modify it
 * @param components named parts of the value, in a stable order; may be empty
 */
public record Evaluation(double value, INDArray gradient, Map<String, Double> components) {

    public Evaluation {
        if (gradient == null) {
            throw new IllegalArgumentException("gradient: expected an array, got null");
        }
        components = Collections.unmodifiableMap(new LinkedHashMap<>(components == null ? Map.of() : components));
    }

    /** An evaluation without named components. */
    public static Evaluation of(double value, INDArray gradient) {
        return new Evaluation(value, gradient, Map.of());
    }

    /** True if the value is neither NaN nor infinite. */
    public boolean isFinite() {
        return Double.isFinite(value);
    }
}
