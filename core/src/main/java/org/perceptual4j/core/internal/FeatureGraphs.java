package org.perceptual4j.core.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.FeatureExtractor;

/** Runs a {@link FeatureExtractor#define} graph on concrete arrays, for extractors' {@code features}. */
public final class FeatureGraphs {
    private static final String INPUT = "input";

    private FeatureGraphs() {
    }

    /**
     * The requested layer names as a list, in order.
     *
     * @throws IllegalArgumentException if there is none
     */
    public static List<String> requireLayers(Collection<String> layers) {
        if (layers == null || layers.isEmpty()) {
            throw new IllegalArgumentException("layers: expected at least one layer name, got " + layers);
        }
        return new ArrayList<>(layers);
    }

    /**
     * Feature maps of an input already in the network's space: a fresh graph whose placeholder has the
     * input's exact shape (so shape-dependent layers know it), the extractor's definition, one run.
     *
     * @return map from each requested name, as given, to its feature map
     */
    public static Map<String, INDArray> evaluate(FeatureExtractor extractor, INDArray networkInput, Collection<String> layers) {
        List<String> requested = requireLayers(layers);
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder(INPUT, DataType.FLOAT, networkInput.shape());
        Map<String, SDVariable> outs = extractor.define(sd, in, requested);
        Map<String, INDArray> values = sd.output(Map.of(INPUT, networkInput.castTo(DataType.FLOAT)),
                outs.values().stream().map(SDVariable::name).distinct().toArray(String[]::new));
        Map<String, INDArray> result = new LinkedHashMap<>();
        for (String layer : requested) {
            result.put(layer, values.get(outs.get(layer).name()));
        }
        return result;
    }
}
