package org.perceptual4j.examples.cli;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A comma-separated list of layers, each optionally with a weight: {@code relu4_2} or
 * {@code relu1_1:0.5,relu2_1,relu3_1:2}. The names are checked against the network later (the
 * library's message lists the valid ones); an empty string means no layers.
 *
 * @param weights layer name to weight (default 1), in the order given
 */
record LayerWeights(Map<String, Double> weights) {
    LayerWeights {
        weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    }

    /** @throws IllegalArgumentException for an empty entry, a repeated layer, or a weight that is not a number >= 0 */
    static LayerWeights parse(String list) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (list == null || list.isBlank()) {
            return new LayerWeights(m);
        }
        for (String entry : list.split(",", -1)) {
            String e = entry.strip();
            if (e.isEmpty()) {
                throw new IllegalArgumentException("expected LAYER[:WEIGHT] entries separated by commas, got an empty entry in '"
                        + list + "'");
            }
            String name = e;
            double weight = 1.0;
            int colon = e.lastIndexOf(':');
            if (colon >= 0) {
                name = e.substring(0, colon).strip();
                String w = e.substring(colon + 1).strip();
                try {
                    weight = Double.parseDouble(w);
                } catch (NumberFormatException nfe) {
                    throw new IllegalArgumentException("layer weight must be a number >= 0, got '" + w + "' in '" + e + "'");
                }
                if (!(weight >= 0) || Double.isInfinite(weight)) {
                    throw new IllegalArgumentException("layer weight must be a number >= 0, got '" + w + "' in '" + e + "'");
                }
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("expected a layer name before ':' in '" + e + "'");
                }
            }
            if (m.put(name, weight) != null) {
                throw new IllegalArgumentException("layer " + name + " is listed twice in '" + list + "'");
            }
        }
        return new LayerWeights(m);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        weights.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append(v == 1.0 ? "" : ":" + v));
        return sb.toString();
    }

    /** picocli converter for the layer options. */
    static final class Converter implements ITypeConverter<LayerWeights> {
        @Override
        public LayerWeights convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
